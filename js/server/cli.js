#!/usr/bin/env node
// The package's command line (`npx paging-storage serve …`): parses flags
// with node:util parseArgs, starts a server peer (js/server/serve.js),
// prints where it listens, and on SIGTERM/SIGINT flushes and exits 0.
import { parseArgs } from 'node:util'

import { startServer } from './serve.js'

const USAGE = `usage: paging-storage serve --dir <path> [options]

Runs an always-on paging-storage peer: a store on disk in <path>, reachable
over WebSocket (browsers list its ws:// address in the servers option).

  --dir <path>           where the store keeps its files (required)
  --host <address>       address to listen on (default 127.0.0.1; 0.0.0.0: every interface)
  --port <n>             HTTP + WebSocket port (default 4000; 0: any free one)
  --join <ws://…>        another server peer to join (repeat for several)
  --signaling [port]     also run a PeerPigeon signaling server (default port: --port + 1)
  --role full|<n>        full (default): hold every key; n (1-16): a share of the keys
                         n times a browser's (several servers sharing the key space)
  --memory-pages <n>     pages kept in memory (default 4096; 4 KiB each)
  --replication <n>      replication factor of the ring (default 3; same on every peer)
  --name <name>          the store's name in --dir (default paging-storage-server)
  -h, --help             this text

GET /health and /metrics (Prometheus) on the same port.`

/**
 * @param {string[]} argv the arguments after the program name
 * @returns {Promise<number>} exit code (the server keeps running after 0 when it started)
 */
export async function main(argv) {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        join: { type: 'string', multiple: true },
        signaling: { type: 'boolean' },
        'signaling-port': { type: 'string' },
        'memory-pages': { type: 'string' },
        role: { type: 'string' },
        replication: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (err) {
    console.error(`${/** @type {Error} */ (err).message}\n\n${USAGE}`)
    return 2
  }
  const { values: v, positionals } = parsed
  if (v.help) {
    console.log(USAGE)
    return 0
  }
  // `--signaling 3001`: parseArgs takes a boolean flag's value as a positional.
  const rest = positionals.slice(1)
  let signalingPort = v['signaling-port']
  if (v.signaling && rest.length > 0 && /^\d+$/.test(rest[0])) signalingPort = rest.shift()
  if (positionals[0] !== 'serve' || rest.length > 0 || !v.dir) {
    console.error(USAGE)
    return 2
  }
  if (v.role !== undefined && v.role !== 'full' && !(/^\d+$/.test(v.role) && Number(v.role) >= 1 && Number(v.role) <= 16)) {
    console.error(`--role must be full or a whole number from 1 to 16, not ${v.role}`)
    return 2
  }
  const numbers = { port: v.port, 'memory-pages': v['memory-pages'], replication: v.replication, 'signaling-port': signalingPort }
  for (const [flag, text] of Object.entries(numbers)) {
    if (text !== undefined && !/^\d+$/.test(text)) {
      console.error(`--${flag} must be a whole number, not ${text}`)
      return 2
    }
  }
  const server = await startServer({
    dir: v.dir,
    host: v.host,
    port: v.port === undefined ? 4000 : Number(v.port),
    join: v.join ?? [],
    signaling: signalingPort !== undefined ? Number(signalingPort) : Boolean(v.signaling),
    maxMemoryPages: v['memory-pages'] === undefined ? undefined : Number(v['memory-pages']),
    role: v.role === undefined || v.role === 'full' ? 'full' : Number(v.role),
    persistenceKey: v.name,
    storage: v.replication === undefined ? {} : { replicationFactor: Number(v.replication) }
  })
  console.log(`paging-storage server peer ${server.peerId} (${v.role === undefined || v.role === 'full' ? 'full replica' : `ring weight ${v.role}`})`)
  console.log(`listening on ${server.url}  (GET ${server.httpUrl}/health, ${server.httpUrl}/metrics)`)
  if (server.signalingUrl) console.log(`signaling: ${server.signalingUrl}`)
  let stopping = false
  const stop = (/** @type {string} */ signal) => {
    if (stopping) return
    stopping = true
    server.close().then(
      () => {
        console.log(`${signal}: flushed and closed`)
        process.exit(0)
      },
      (err) => {
        console.error(`${signal}: ${err.message}`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code)
  },
  (err) => {
    console.error(`paging-storage: ${err.code ? `${err.code}: ` : ''}${err.message}`)
    process.exit(1)
  }
)
