// The demo of `npm start`: a server peer (js/server/serve.js: a store on
// disk in DEMO_DATA_DIR, default build/demo-data) with the PeerPigeon
// signaling server in its process, and the built demo app (build/demo),
// all on 127.0.0.1, plus PeerPigeon's browser build and
// demo/script-tag.html with the <script> build beside it. The app learns
// the signaling and server peer addresses from /demo-config.json. Ports:
// DEMO_PORT (default 5173), SERVER_PORT (default 4000) and SIGNALING_PORT
// (default 3000); a taken one gives way to the next free one (get-port),
// and 0 picks any. Prints the URLs; runs until killed.
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import getPort, { portNumbers } from 'get-port'

import { startServer } from '../js/server/serve.js'
import { peerPigeonBundle } from './lib/signaling.js'
import { serveStatic } from './lib/static-server.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The port named by env[name] (else fallback) when free, else the next free one after it. */
async function port(name, fallback) {
  const wanted = Number(process.env[name] ?? fallback)
  if (wanted === 0) return 0
  const free = await getPort({ host: '127.0.0.1', port: portNumbers(wanted, Math.min(wanted + 100, 65535)) })
  if (free !== wanted) console.log(`port ${wanted} is taken; using ${free} (set ${name} to choose)`)
  return free
}

const dataDir = process.env.DEMO_DATA_DIR ?? join(repo, 'build', 'demo-data')
mkdirSync(dataDir, { recursive: true })
const peer = await startServer({
  dir: dataDir,
  port: await port('SERVER_PORT', 4000),
  // 0: any free port (startServer finds one)
  signaling: await port('SIGNALING_PORT', 3000)
})
const signaling = { url: /** @type {string} */ (peer.signalingUrl) }
const server = await serveStatic(join(repo, 'build', 'demo'), {
  port: await port('DEMO_PORT', 5173),
  routes: {
    '/demo-config.json': { type: 'application/json', body: JSON.stringify({ signalingUrl: signaling.url, servers: [peer.url] }) },
    '/peerpigeon-browser.js': { type: 'text/javascript', body: readFileSync(peerPigeonBundle()) },
    '/script-tag.html': { type: 'text/html', body: readFileSync(join(repo, 'demo', 'script-tag.html')) },
    '/paging-storage.global.js': { type: 'text/javascript', body: readFileSync(join(repo, 'dist', 'paging-storage.global.js')) }
  }
})
console.log(`paging-storage demo: ${server.url}  (signaling: ${signaling.url}; server peer: ${peer.url}, data in ${dataDir})`)
console.log('Open it in two tabs: each tab is a peer. Ctrl-C stops it.')

const stop = async () => {
  await Promise.allSettled([server.close(), peer.close()])
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
