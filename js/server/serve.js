// startServer: an always-on server peer in Node — a PagingStorage on the
// file backend (js/persistence/file.js) whose transport is a WebSocket hub
// (js/server/hub.js) on one HTTP port, which also answers /health and
// /metrics; optionally joined to other server peers (their hubs, as a
// client) and running a PeerPigeon signaling server in the same process.
import { readdir, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'

import { WebSocketServer } from 'ws'

import { PagingStorage } from '../api/paging-storage.js'
import { PagingStorageError } from '../core/errors.js'
import { CombinedTransport } from '../transport/combined.js'
import { WebSocketTransport } from '../transport/websocket.js'
import { WebSocketHub } from './hub.js'
import { METRICS_CONTENT_TYPE, formatMetrics } from './metrics.js'
import { startSignaling } from './signaling.js'

/**
 * @typedef {object} ServerOptions
 * @property {string} dir where the store keeps its files (made when missing)
 * @property {string} [host] address to listen on (default '127.0.0.1'; '0.0.0.0' for every interface)
 * @property {number} [port] HTTP and WebSocket port (default 4000; 0: any free one)
 * @property {string[]} [join] ws:// addresses of other server peers to join
 * @property {boolean | number} [signaling] run a PeerPigeon signaling server too:
 *   true on port + 1 (any free one when port is 0), or on the port given
 * @property {'full' | number} [role] its replication role: 'full' (default) holds every key; a
 *   number 1..16 is its ring weight, a share that many times a browser's (several servers
 *   sharing the key space)
 * @property {number} [maxMemoryPages] pages held in memory (the store's budget; default 4096, 16 MiB of 4 KiB pages)
 * @property {string} [persistenceKey] the store's name in dir (default 'paging-storage-server')
 * @property {Record<string, unknown>} [storage] further PagingStorage options
 *   (replicationFactor, sync, …; persistence, the transport, ringWeight and
 *   durableAcks are set here: a server acknowledges only what is on its disk)
 * @property {Partial<import('./hub.js').HubOptions>} [hub] hub bounds (maxClients, rateLimit, …)
 */

/**
 * @typedef {object} Server
 * @property {string} url the hub's address, ws://host:port (what browsers list in `servers`)
 * @property {string} httpUrl http://host:port (/health, /metrics)
 * @property {string | null} signalingUrl the in-process signaling server's address, if any
 * @property {string} peerId the server store's peer id (kept in dir across restarts)
 * @property {PagingStorage} storage the server's store
 * @property {WebSocketHub} hub
 * @property {() => Promise<void>} close stops listening, flushes and closes the store
 */

/**
 * Opens the store in `dir` (under the peer id kept there), then listens.
 * @param {ServerOptions} options
 * @returns {Promise<Server>}
 * @throws {PagingStorageError} INVALID_ARGUMENT (no dir, a bad join address), LOCKED (another
 *   process serves dir), IO_ERROR (the port is taken: the message says so)
 */
export async function startServer(options) {
  const { dir, host = '127.0.0.1', port = 4000, join: peers = [], signaling = false, maxMemoryPages = 4096, role = 'full' } = options ?? {}
  if (typeof dir !== 'string' || dir === '') throw new PagingStorageError('INVALID_ARGUMENT', 'startServer needs a dir')
  const persistenceKey = options.persistenceKey ?? 'paging-storage-server'
  const storage = new PagingStorage({
    ...(options.storage ?? {}),
    ringWeight: role,
    durableAcks: true,
    persistence: { backend: 'file', dir, persistenceKey, maxMemoryPages }
  })
  await storage.ready
  const hub = new WebSocketHub(WebSocketServer, { ...(options.hub ?? {}), peerId: storage.peerId })
  const joined = peers.map((url) => new WebSocketTransport(url, { peerId: storage.peerId }))
  storage.attach(joined.length > 0 ? new CombinedTransport([hub, ...joined], { owned: joined }) : hub)

  const storeDir = join(dir, encodeURIComponent(persistenceKey))
  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'GET only\n')
    if (path === '/health') {
      const s = storage.getStats()
      const body = JSON.stringify({ status: s.ready ? 'ok' : 'closed', peerId: storage.peerId, keys: s.totalKeys, peers: s.connectedPeers, clients: hub.clients })
      return reply(res, s.ready ? 200 : 503, 'application/json', body + '\n')
    }
    if (path === '/metrics') {
      return void directoryBytes(storeDir).then((diskBytes) =>
        reply(res, 200, METRICS_CONTENT_TYPE, formatMetrics({ stats: storage.getStats(), hub: hub.stats, clients: hub.clients, diskBytes }))
      )
    }
    reply(res, 404, 'text/plain', 'paging-storage server peer: connect a WebSocket here; GET /health, /metrics\n')
  })
  http.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head))
  try {
    await listen(http, port, host)
  } catch (err) {
    hub.close()
    await storage.shutdown()
    throw new PagingStorageError('IO_ERROR', `cannot listen on ${host}:${port}: ${/** @type {Error} */ (err).message}`)
  }
  const actual = /** @type {import('node:net').AddressInfo} */ (http.address()).port
  const shown = host.includes(':') ? `[${host}]` : host
  let signalingServer = null
  if (signaling !== false) {
    try {
      signalingServer = await startSignaling({ host, port: signaling === true ? (port === 0 ? 0 : actual + 1) : signaling })
    } catch (err) {
      http.close()
      hub.close()
      await storage.shutdown()
      throw err
    }
  }
  let closing = null
  return {
    url: `ws://${shown}:${actual}`,
    httpUrl: `http://${shown}:${actual}`,
    signalingUrl: signalingServer?.url ?? null,
    peerId: storage.peerId,
    storage,
    hub,
    close: () =>
      (closing ??= (async () => {
        hub.close()
        http.closeAllConnections?.()
        await new Promise((resolve) => http.close(resolve))
        await signalingServer?.close()
        await storage.shutdown()
      })())
  }
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} type @param {string} body */
function reply(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

/** @param {import('node:http').Server} http @param {number} port @param {string} host */
function listen(http, port, host) {
  return new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => {
      http.off('error', reject)
      resolve(undefined)
    })
  })
}

/** Sum of the sizes of the files in dir (0 when it is missing). @param {string} dir */
async function directoryBytes(dir) {
  try {
    const names = await readdir(dir)
    const sizes = await Promise.all(names.map((n) => stat(join(dir, n)).then((s) => (s.isFile() ? s.size : 0), () => 0)))
    return sizes.reduce((a, b) => a + b, 0)
  } catch {
    return 0
  }
}
