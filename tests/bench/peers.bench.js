// `npm run bench`: the product against its peers, side by side in one run,
// on what users do: keys 'user:<i>' set in one random order and read in
// another, values { name, age, email }. Each contender runs in its own Node
// process (so that memory per key is its own), four phases on fresh data:
//   set awaited     N awaited single writes
//   setMany x1000   N writes in calls of 1,000 (a new store)
//   get awaited     N awaited single reads (random order)
//   getMany x1000   N reads in calls of 1,000
// and RSS per key after the load (after a GC). Ratios are product / peer.
// BENCH_KEYS sets N (default 100,000); BENCH_ONLY (comma-separated words)
// runs the contenders whose names contain one of them.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { READ_SEED, WRITE_SEED, shuffled, userValue } from './workload.js'

const N = Number(process.env.BENCH_KEYS ?? 100_000)
const CHUNK = 1000


/**
 * Each contender: open() -> { set(k, v), setMany(entries), get(k), getMany(keys), close() }.
 * set/get may return promises; they are awaited either way.
 */
const CONTENDERS = {
  'paging-storage, every page resident': () => pagingStorage({ persistence: { maxMemoryPages: 1e6 } }),
  'paging-storage, paging (50 pages resident)': () => pagingStorage({ persistence: { maxMemoryPages: 50 } }),
  'paging-storage, default options': () => pagingStorage({}),
  'Yjs Y.Map (a transaction per set / per 1,000)': yjs,
  'Map + JSON.stringify/parse (the floor of a JSON store)': mapJson,
  'LMDB (put awaited / batch)': lmdb
}
const PRODUCT = 'paging-storage, every page resident'

async function pagingStorage(options) {
  const { PagingStorage } = await import('paging-storage')
  const s = new PagingStorage(options)
  await s.ready
  return {
    set: (k, v) => s.set(k, v),
    setMany: (entries) => s.setMany(entries),
    get: (k) => s.get(k),
    getMany: (keys) => s.getMany(keys),
    close: () => s.shutdown()
  }
}

async function yjs() {
  const Y = await import('yjs')
  const doc = new Y.Doc()
  const map = doc.getMap('m')
  return {
    set: (k, v) => doc.transact(() => map.set(k, v)),
    setMany: (entries) =>
      doc.transact(() => {
        for (const [k, v] of entries) map.set(k, v)
      }),
    get: (k) => map.get(k),
    getMany: (keys) => keys.map((k) => map.get(k)),
    close: () => doc.destroy()
  }
}

async function mapJson() {
  const map = new Map()
  return {
    set: (k, v) => void map.set(k, JSON.stringify(v)),
    setMany: (entries) => {
      for (const [k, v] of entries) map.set(k, JSON.stringify(v))
    },
    get: (k) => {
      const t = map.get(k)
      return t === undefined ? undefined : JSON.parse(t)
    },
    getMany: (keys) =>
      keys.map((k) => {
        const t = map.get(k)
        return t === undefined ? undefined : JSON.parse(t)
      }),
    close: () => map.clear()
  }
}

async function lmdb() {
  const { open } = await import('lmdb')
  const path = join(tmpdir(), `paging-storage-bench-lmdb-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const db = open({ path })
  return {
    set: (k, v) => db.put(k, v),
    setMany: (entries) =>
      db.batch(() => {
        for (const [k, v] of entries) db.put(k, v)
      }),
    get: (k) => db.get(k),
    getMany: (keys) => db.getMany(keys),
    close: async () => {
      await db.close()
      rmSync(path, { recursive: true, force: true })
    }
  }
}

/** One contender, in this process: prints {setAwaited, setMany, getAwaited, getMany, rssPerKey} (ops/s, bytes). */
async function runOne(name) {
  const writeOrder = shuffled(N, WRITE_SEED)
  const readOrder = shuffled(N, READ_SEED)
  const keys = Array.from({ length: N }, (_, i) => 'user:' + i)
  const values = Array.from({ length: N }, (_, i) => userValue(i))
  const rate = (ms) => Math.round((N / ms) * 1000)
  const out = {}

  // The batched load first, on a fresh heap, so that RSS grows by this
  // store's own bytes (measured from the open, empty store: the module's
  // fixed cost is not per key).
  let store = await CONTENDERS[name]()
  globalThis.gc?.()
  const rssBefore = process.memoryUsage().rss
  let t0 = performance.now()
  for (let c = 0; c < N; c += CHUNK) {
    const entries = []
    for (let j = c; j < Math.min(N, c + CHUNK); j++) entries.push([keys[writeOrder[j]], values[writeOrder[j]]])
    await store.setMany(entries)
  }
  out.setMany = rate(performance.now() - t0)
  globalThis.gc?.()
  out.rssPerKey = Math.round((process.memoryUsage().rss - rssBefore) / N)
  t0 = performance.now()
  for (let c = 0; c < N; c += CHUNK) {
    const batch = readOrder.slice(c, c + CHUNK).map((i) => keys[i])
    const got = await store.getMany(batch)
    const first = got instanceof Map ? got.get(batch[0]) : got[0]
    if (first?.age !== values[readOrder[c]].age) throw new Error(`${name}: getMany lost ${batch[0]}`)
  }
  out.getMany = rate(performance.now() - t0)
  await store.close()

  store = await CONTENDERS[name]()
  t0 = performance.now()
  for (const i of writeOrder) await store.set(keys[i], values[i])
  out.setAwaited = rate(performance.now() - t0)
  t0 = performance.now()
  for (const i of readOrder) {
    const v = await store.get(keys[i])
    if (v?.age !== values[i].age) throw new Error(`${name}: get ${keys[i]} answered ${JSON.stringify(v)}`)
  }
  out.getAwaited = rate(performance.now() - t0)
  await store.close()
  console.log(JSON.stringify(out))
}

function fmt(n) {
  return n >= 1e6 ? (n / 1e6).toFixed(2) + 'M' : n >= 1e3 ? Math.round(n / 1e3) + 'k' : String(n)
}

async function main() {
  if (process.argv[2] === '--one') return runOne(process.argv[3])
  const self = fileURLToPath(import.meta.url)
  const results = {}
  const only = process.env.BENCH_ONLY?.split(',')
  for (const name of Object.keys(CONTENDERS)) {
    if (only && !only.some((w) => name.includes(w))) continue
    try {
      const text = execFileSync(process.execPath, ['--expose-gc', self, '--one', name], { encoding: 'utf8', maxBuffer: 1 << 20 })
      results[name] = JSON.parse(text.trim().split('\n').pop())
    } catch (err) {
      results[name] = { error: String(err.stderr || err.message).split('\n').find((l) => /Error|error/.test(l)) ?? 'failed' }
    }
  }
  const cols = ['setAwaited', 'setMany', 'getAwaited', 'getMany']
  console.log(`\n## The product against its peers (Node ${process.versions.node}, ${N.toLocaleString('en')} keys in random order, { name, age, email })\n`)
  console.log('| contender | set awaited | setMany x1,000 | get awaited | getMany x1,000 | RSS/key |')
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const [name, r] of Object.entries(results)) {
    if (r.error) console.log(`| ${name} | ${r.error} | | | | |`)
    else console.log(`| ${name} | ${cols.map((c) => fmt(r[c]) + '/s').join(' | ')} | ${r.rssPerKey} B |`)
  }
  const product = results[PRODUCT]
  if (product && !product.error) {
    console.log(`\nRatios, ${PRODUCT} / peer (above 1: the product is faster, or smaller for RSS):\n`)
    console.log('| peer | set awaited | setMany | get awaited | getMany | RSS/key |')
    console.log('|---|---:|---:|---:|---:|---:|')
    for (const [name, r] of Object.entries(results)) {
      if (name.startsWith('paging-storage') || r.error) continue
      const ratios = cols.map((c) => (product[c] / r[c]).toFixed(2) + 'x')
      console.log(`| ${name} | ${ratios.join(' | ')} | ${(r.rssPerKey / product.rssPerKey).toFixed(2)}x |`)
    }
    const paging = results['paging-storage, paging (50 pages resident)']
    if (paging && !paging.error) {
      console.log(`\nWith paging, setMany x1,000 / set awaited: ${(paging.setMany / paging.setAwaited).toFixed(2)}x (target >= 3x)`)
    }
  }
}

await main()
