// A PeerPigeon signaling server on 127.0.0.1, for the demo (`npm start`) and
// the browser peer tests. The package's `exports` hides its server entry
// (and package.json), so it is imported by path from the repo's node_modules.
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'peerpigeon')

/** port 0: any free port. @returns {Promise<{url: string, close: () => Promise<void>}>} */
export async function startSignaling(port = 0) {
  const { PeerPigeonServer } = await import(pathToFileURL(join(root, 'server', 'index.js')).href)
  const server = new PeerPigeonServer({ host: '127.0.0.1', port: port || (await freePort()), maxPortRetries: 1 })
  // Without a listener, an 'error' (a busy port) would crash the process.
  server.on('error', (err) => console.error('# signaling:', err.message))
  const started = await server.start()
  const actual = typeof started === 'number' ? started : (started?.port ?? server.port)
  return { url: `ws://127.0.0.1:${actual}`, close: () => server.stop() }
}

/** The browser bundle (a classic script that sets window.PeerPigeon). */
export function peerPigeonBundle() {
  return join(root, 'dist', 'peerpigeon-browser.js')
}

/** @returns {Promise<number>} a port nothing listens on now, on 127.0.0.1 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}
