// `npm run bench`, the server peer (issue 17), as `npx paging-storage serve`
// runs it (its own process, default options: a full replica with durable
// acknowledgements, 4,096 pages in memory):
//   ingest   3 Node clients (this process) write 20,000 keys each, random
//            order, realistic values, in setMany calls of 1,000, then wait
//            for replicated({ durable: true }): keys on the server's disk
//            per second, against the same clients waiting for replicated()
//            only (acknowledged, not necessarily on disk), side by side
//   memory   one client (file backend) writes 1,000,000 keys through the
//            server; the server's resident memory (VmRSS) and its store
//            size on disk then
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { PagingStorage } from 'paging-storage'

import { WRITE_SEED, shuffled, userValue } from './workload.js'

const CLI = fileURLToPath(new URL('../../js/server/cli.js', import.meta.url))

async function serve(dir) {
  const child = spawn(process.execPath, [CLI, 'serve', '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  while (!/listening on ws:\/\/\S+/.test(out)) {
    if (child.exitCode !== null) throw new Error(`the server did not start: ${out}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  const url = /listening on (ws:\/\/\S+)/.exec(out)[1]
  return { child, url, http: url.replace('ws://', 'http://') }
}

async function stop(server) {
  server.child.kill('SIGTERM')
  await new Promise((r) => server.child.once('exit', r))
}

async function connected(clients, n) {
  while (clients.some((c) => c.getPeerDistribution().length < n || !c.getPeerDistribution().some((d) => d.weight === 0))) {
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Keys/s from 3 clients until replicated({ durable }) resolves in each. */
async function ingest(durable) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-server-'))
  const server = await serve(dir)
  const clients = [0, 1, 2].map(() => new PagingStorage({ servers: [server.url] }))
  await connected(clients, 4)
  const N = 20000
  const t0 = performance.now()
  await Promise.all(
    clients.map(async (c, n) => {
      const order = shuffled(N, WRITE_SEED + n)
      for (let i = 0; i < N; i += 1000) await c.setMany(order.slice(i, i + 1000).map((k) => [`user:${n}:${k}`, userValue(k)]))
      await c.replicated({ durable, timeout: 300000 })
    })
  )
  const ms = performance.now() - t0
  const keys = (await (await fetch(`${server.http}/health`)).json()).keys
  await Promise.all(clients.map((c) => c.shutdown()))
  await stop(server)
  rmSync(dir, { recursive: true, force: true })
  if (keys !== 3 * N) throw new Error(`the server holds ${keys} of ${3 * N} keys`)
  return Math.round((3 * N * 1000) / ms)
}

async function million() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-server-'))
  const clientDir = mkdtempSync(join(tmpdir(), 'bench-client-'))
  const server = await serve(dir)
  const client = new PagingStorage({ servers: [server.url], persistence: { backend: 'file', dir: clientDir, maxMemoryPages: 4096 } })
  await connected([client], 2)
  const N = 1_000_000
  const order = shuffled(N, WRITE_SEED)
  const t0 = performance.now()
  for (let i = 0; i < N; i += 5000) {
    await client.setMany(order.slice(i, i + 5000).map((k) => [`user:${k}`, userValue(k)]))
    // Paced by the server: what it has not acknowledged stays bounded.
    if (i % 50000 === 0) await client.replicated({ timeout: 300000 })
  }
  await client.replicated({ durable: true, timeout: 600000 })
  const ms = performance.now() - t0
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))[1]) * 1024
  const metrics = await (await fetch(`${server.http}/metrics`)).text()
  const metric = (name) => Number(new RegExp(`^paging_storage_${name} (\\d+)$`, 'm').exec(metrics)?.[1])
  const result = { keys: metric('keys'), ms, rss, disk: metric('disk_bytes'), resident: metric('resident_pages'), pages: metric('pages') }
  await client.shutdown()
  await stop(server)
  rmSync(dir, { recursive: true, force: true })
  rmSync(clientDir, { recursive: true, force: true })
  return result
}

const MB = (b) => `${(b / 1048576).toFixed(0)} MB`
const durable = await ingest(true)
const acked = await ingest(false)
console.log(`server ingest, 3 clients x 20,000 keys in calls of 1,000: ${durable} keys/s on the server's disk (replicated({ durable: true })); ${acked} keys/s acknowledged (replicated()): ${(durable / acked).toFixed(2)}x`)
const m = await million()
console.log(
  `server with 1,000,000 keys (one client, file backend): written and durable in ${(m.ms / 1000).toFixed(0)} s (${Math.round((m.keys * 1000) / m.ms)} keys/s); ` +
    `server RSS ${MB(m.rss)}, ${m.pages} pages (${m.resident} in memory), ${MB(m.disk)} on disk`
)
