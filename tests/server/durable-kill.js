// The SIGKILL trial of a server peer (issue 17): a `paging-storage serve`
// process on a temporary directory; two Node clients write a first burst
// and wait for replicated({ durable: true }); during a second burst the
// server is killed with SIGKILL; then every key whose durable
// acknowledgement the clients received must be in the server's store as it
// reopens. Used by tests/package/server.test.js (the packed tarball's
// `npx paging-storage serve`) and by hand (node tests/server/durable-kill.js).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { PagingStorage } from '../../js/index.js'

const BATCH = 500

/** Whether no process holds the server store's LevelDB lock in dir. */
async function lockFree(dir) {
  const probe = new PagingStorage({ persistence: { backend: 'file', dir, persistenceKey: 'paging-storage-server' } })
  try {
    await probe.ready
    return true
  } catch (err) {
    if (/** @type {any} */ (err).code !== 'LOCKED') throw err
    return false
  } finally {
    await probe.shutdown().catch(() => {})
  }
}

/** Polls check() every 10 ms until it is true; throws after ms. */
async function until(check, ms, what) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/**
 * Starts a server with `command` (argv array); resolves once it prints its address.
 * @param {string[]} command e.g. ['npx', 'paging-storage']
 * @param {string} dir
 * @param {string} cwd
 */
export async function startServe(command, dir, cwd) {
  // Its own process group: npx runs the server as a grandchild, and the
  // signals must reach the server itself (kill() below).
  const child = spawn(command[0], [...command.slice(1), 'serve', '--dir', dir, '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  await until(() => /listening on ws:\/\/\S+/.test(out) || child.exitCode !== null, 60000, 'the server to listen')
  const url = /listening on (ws:\/\/\S+)/.exec(out)?.[1]
  if (!url) throw new Error(`the server did not start: ${out}`)
  const exited = new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)))
  /** Signals every process of the group (npx, its shell, the server); resolves once npx is gone. */
  const kill = async (/** @type {NodeJS.Signals} */ signal) => {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), signal)
    } catch {
      // gone already
    }
    await exited
  }
  return { child, url, kill, output: () => out }
}

/**
 * One trial. Resolves with its figures; throws when a durably acknowledged key is missing.
 * @param {{ command: string[], cwd: string, firstBurst: number, killAfterMs: number }} opts
 */
export async function killTrial({ command, cwd, firstBurst, killAfterMs }) {
  const dir = mkdtempSync(join(tmpdir(), 'ps-kill-'))
  try {
    let server = await startServe(command, dir, cwd)
    const clients = [new PagingStorage({ servers: [server.url] }), new PagingStorage({ servers: [server.url] })]
    /** Keys whose durable acknowledgement came, with the value written. @type {Map<string, number>} */
    const acked = new Map()
    try {
      await until(() => clients.every((c) => c.getStats().connectedPeers >= 1), 20000, 'the clients to meet the server')
      const started = Date.now()
      await Promise.all(
        clients.map(async (c, n) => {
          for (let at = 0; at < firstBurst / 2; at += BATCH) {
            const batch = Array.from({ length: BATCH }, (_, i) => [`first:${n}:${at + i}`, at + i])
            await c.setMany(batch)
          }
          await c.replicated({ durable: true, timeout: 120000 })
          for (let i = 0; i < firstBurst / 2; i++) acked.set(`first:${n}:${i}`, i)
        })
      )
      const firstMs = Date.now() - started
      // The second burst: batches, each waited for; SIGKILL lands in the middle.
      let stop = false
      let inFlight = 0
      const writers = clients.map(async (c, n) => {
        for (let at = 0; !stop; at += BATCH) {
          const batch = Array.from({ length: BATCH }, (_, i) => [`second:${n}:${at + i}`, at + i])
          inFlight += BATCH
          await c.setMany(batch)
          try {
            await c.replicated({ durable: true, timeout: 3000 })
          } catch {
            return // the server is gone: these were not acknowledged
          } finally {
            inFlight -= BATCH
          }
          for (const [k, v] of batch) acked.set(k, v)
        }
      })
      await new Promise((r) => setTimeout(r, killAfterMs))
      const ackedAtKill = acked.size
      const inFlightAtKill = inFlight
      await server.kill('SIGKILL')
      stop = true
      await Promise.all(writers)
      // Restarted: the same dir, a new process.
      server = await startServe(command, dir, cwd)
      await server.kill('SIGTERM')
      // The lock goes with the server process (npx may exit first).
      await until(() => lockFree(dir), 20000, 'the server to let the directory go')
      // Every durably acknowledged key, read straight from the server's store.
      const store = new PagingStorage({ persistence: { backend: 'file', dir, persistenceKey: 'paging-storage-server' } })
      await store.ready
      const keys = [...acked.keys()]
      const got = await store.getMany(keys) // no network: this store alone
      const missing = keys.filter((k) => got.get(k) !== acked.get(k))
      const total = store.getStats().totalKeys
      await store.shutdown()
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${keys.length} durably acknowledged keys are missing`)
      return { firstMs, acked: acked.size, ackedAtKill, inFlightAtKill, onDisk: total }
    } finally {
      await Promise.all(clients.map((c) => c.shutdown()))
      await server.kill('SIGKILL')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const repo = new URL('../..', import.meta.url).pathname
  const trials = Number(process.argv[2] ?? 3)
  for (let t = 0; t < trials; t++) {
    const r = await killTrial({ command: [process.execPath, join(repo, 'js/server/cli.js')], cwd: repo, firstBurst: 20000, killAfterMs: 500 + ((t * 389) % 2000) })
    console.log(JSON.stringify(r))
  }
}
