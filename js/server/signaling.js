// PeerPigeon's signaling server (the peerpigeon package, an optional peer
// dependency), as the server peer (`--signaling`), the demo and the browser
// tests run it, with a fix for a peer id that reconnects at once.
//
// PeerPigeon 1.1.3's server removes a peer id's connection when any socket
// opened under that id closes, even one a newer connection already
// replaced: a tab that takes over the lead connects under the peer id of
// the tab that closed, and when the closing tab's socket ends after that,
// the server forgets the new one (no peer is told of it, nothing reaches
// it: seen in tests/browser/tabs-scenario.js, the new leader had 0 peers
// for 30 s). Here the close of a replaced socket is ignored.
import { createServer as createNetServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { PagingStorageError } from '../core/errors.js'

/**
 * Starts a PeerPigeon signaling server. Its `exports` hide the server
 * entry, so it is found beside the package's main module.
 * @param {{ host?: string, port?: number }} [opts] host default '127.0.0.1';
 *   port 0 (default): any free one
 * @returns {Promise<{ url: string, close: () => Promise<void>, server: any }>} url: ws://host:port;
 *   server: the PeerPigeonServer (for inspection)
 * @throws {PagingStorageError} INVALID_ARGUMENT when peerpigeon is not installed
 */
export async function startSignaling({ host = '127.0.0.1', port = 0 } = {}) {
  let main
  try {
    main = fileURLToPath(import.meta.resolve('peerpigeon'))
  } catch {
    throw new PagingStorageError('INVALID_ARGUMENT', 'signaling needs the peerpigeon package: npm install peerpigeon')
  }
  const { PeerPigeonServer } = await import(pathToFileURL(join(dirname(main), 'server', 'index.js')).href)
  const server = new PeerPigeonServer({ host, port: port === 0 ? await freePort(host) : port, maxPortRetries: 1 })
  keepReplacedConnections(server)
  // Without a listener, an 'error' (a busy port) would crash the process.
  server.on('error', () => {})
  const started = await server.start()
  const actual = typeof started === 'number' ? started : (started?.port ?? server.port)
  return { url: `ws://${host.includes(':') ? `[${host}]` : host}:${actual}`, close: () => server.stop(), server }
}

/**
 * The close of a socket some newer connection under its peer id replaced
 * leaves that connection alone (see the top of this file). A socket that
 * closes is no longer OPEN, so an OPEN one under its id is a newer one.
 * @param {{ connections: Map<string, { readyState: number, OPEN: number }>,
 *           handleDisconnection: (peerId: string, code: number, reason: unknown) => void }} server
 */
function keepReplacedConnections(server) {
  const handleDisconnection = server.handleDisconnection.bind(server)
  server.handleDisconnection = (/** @type {string} */ peerId, /** @type {number} */ code, /** @type {unknown} */ reason) => {
    const current = server.connections.get(peerId)
    if (current !== undefined && current.readyState === current.OPEN) return
    handleDisconnection(peerId, code, reason)
  }
}

/** A port nothing listens on now (PeerPigeon's server takes no port 0). @param {string} [host] @returns {Promise<number>} */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
    probe.on('error', reject)
    probe.listen(0, host, () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address())
      probe.close(() => resolve(port))
    })
  })
}
