// `npm run bench`, Chromium part: the product against its peers on real
// IndexedDB, side by side in one page. Keys 'user:<i>' in one random order,
// values { name, age, email }, 10,000 and 100,000 of them:
//   write + flush   writes in calls of 1,000, then everything on disk
//                   (paging-storage setMany + flush(), default options;
//                   idb-keyval setMany; Dexie bulkPut; Yjs transactions
//                   of 1,000 with y-indexeddb, until its updates are stored)
//   cold read       a reload, then every key read back in calls of 1,000
//                   in another random order (the open included)
// paging-storage commits with durability 'strict' (its default) and, to
// compare like with like, 'relaxed' (the browser's default, which the peers
// use); a third row gives it a page budget of 512 pages (2 MiB) instead of
// the default 50 (200 KiB), to show what the budget costs on random keys.
import { launchChromium } from '../browser/chromium.js'
import { openHarness, startHarness } from '../browser/harness.js'
import { READ_SEED, WRITE_SEED, shuffled } from './workload.js'

const SIZES = (process.env.BENCH_BROWSER_KEYS ?? '10000,100000').split(',').map(Number)

const harness = await startHarness()
const browser = await launchChromium()

/**
 * Runs one contender's write then, after a reload, its cold read.
 * @returns {Promise<{ writeMs: number, readMs: number, ok: number, extra?: string }>}
 */
async function measure(contender, n) {
  const context = await browser.newContext()
  try {
    const page = await openHarness(context, harness.url)
    const write = await page.evaluate(run, { contender, n, phase: 'write', order: shuffled(n, WRITE_SEED) })
    await page.reload()
    await page.waitForFunction(() => window.__harnessReady === true)
    const read = await page.evaluate(run, { contender, n, phase: 'read', order: shuffled(n, READ_SEED) })
    return { writeMs: write.ms, readMs: read.ms, ok: read.ok, extra: read.extra }
  } finally {
    await context.close()
  }
}

/** In the page (self-contained: it is sent as source): one phase of one contender; `order` the key order. */
async function run({ contender, n, phase, order }) {
  // workload.js userValue, here because the page gets this function as source
  const value = (i) => ({ name: 'user' + i, age: 18 + (i % 60), email: `user${i}@example.com` })
  const chunks = []
  for (let c = 0; c < n; c += 1000) chunks.push(order.slice(c, c + 1000))
  const check = (i, v) => (v && v.age === value(i).age && v.email === value(i).email ? 1 : 0)
  const { PS, idbKeyval, Dexie, Y, IndexeddbPersistence } = window
  const t0 = performance.now()
  let ok = 0
  let extra
  if (contender.startsWith('paging-storage')) {
    const durability = contender.endsWith('relaxed') ? 'relaxed' : undefined
    const budget = contender.includes('512 pages') ? { maxMemoryPages: 512 } : {}
    const s = new PS.PagingStorage({ persistence: { persistenceKey: 'bench', ...budget, ...(durability ? { durability } : {}) } })
    if (phase === 'write') {
      for (const c of chunks) await s.setMany(c.map((i) => ['user:' + i, value(i)]))
      await s.flush()
    } else {
      for (const c of chunks) {
        const got = await s.getMany(c.map((i) => 'user:' + i))
        for (const i of c) ok += check(i, got.get('user:' + i))
      }
      extra = `${s.getStats().cache.pageLoads} page loads`
    }
    await s.shutdown()
  } else if (contender === 'idb-keyval') {
    if (phase === 'write') for (const c of chunks) await idbKeyval.setMany(c.map((i) => ['user:' + i, value(i)]))
    else
      for (const c of chunks) {
        const got = await idbKeyval.getMany(c.map((i) => 'user:' + i))
        c.forEach((i, k) => (ok += check(i, got[k])))
      }
  } else if (contender === 'Dexie') {
    const db = new Dexie('bench')
    db.version(1).stores({ kv: '' })
    await db.open()
    if (phase === 'write')
      for (const c of chunks)
        await db.kv.bulkPut(
          c.map((i) => value(i)),
          c.map((i) => 'user:' + i)
        )
    else
      for (const c of chunks) {
        const got = await db.kv.bulkGet(c.map((i) => 'user:' + i))
        c.forEach((i, k) => (ok += check(i, got[k])))
      }
    db.close()
  } else if (contender === 'Yjs + y-indexeddb') {
    const doc = new Y.Doc()
    const persistence = new IndexeddbPersistence('bench', doc)
    await persistence.whenSynced
    const map = doc.getMap('m')
    if (phase === 'write') {
      for (const c of chunks)
        doc.transact(() => {
          for (const i of c) map.set('user:' + i, value(i))
        })
      // y-indexeddb stores each update in its own transaction; wait for the
      // last one (a second provider on the same name reads what is stored).
      for (;;) {
        const probe = new Y.Doc()
        const reader = new IndexeddbPersistence('bench', probe)
        await reader.whenSynced
        const stored = probe.getMap('m').size
        await reader.destroy()
        if (stored === n) break
        await new Promise((r) => setTimeout(r, 5))
      }
    } else {
      for (const c of chunks) for (const i of c) ok += check(i, map.get('user:' + i))
    }
    await persistence.destroy()
  }
  return { ms: performance.now() - t0, ok, extra }
}

const CONTENDERS = ['paging-storage', 'paging-storage, relaxed', 'paging-storage, 512 pages (2 MiB)', 'idb-keyval', 'Dexie', 'Yjs + y-indexeddb']
const results = {}
for (const n of SIZES) {
  for (const c of CONTENDERS) results[`${c} @${n}`] = await measure(c, n)
}
await browser.close()
await harness.close()

const s = (ms) => (ms / 1000).toFixed(2) + ' s'
console.log(`\n## Chromium, real IndexedDB: ${SIZES.map((n) => n.toLocaleString('en-US')).join(' and ')} keys in random order, { name, age, email }\n`)
console.log(`| contender | ${SIZES.map((n) => `${n / 1000}k: write + flush | cold read`).join(' | ')} |`)
console.log(`|---|${SIZES.map(() => '---:|---:').join('|')}|`)
let wrong = false
for (const c of CONTENDERS) {
  const cells = SIZES.map((n) => {
    const r = results[`${c} @${n}`]
    if (r.ok !== n) wrong = true
    return `${s(r.writeMs)} | ${s(r.readMs)}${r.extra ? ` (${r.extra})` : ''}`
  })
  console.log(`| ${c} | ${cells.join(' | ')} |`)
}
console.log('\nRatios at the largest size, peer time / paging-storage time (above 1: the product is faster):\n')
const big = SIZES[SIZES.length - 1]
const product = results[`paging-storage @${big}`]
for (const c of CONTENDERS.slice(1)) {
  const r = results[`${c} @${big}`]
  console.log(`- ${c}: write + flush ${(r.writeMs / product.writeMs).toFixed(2)}x, cold read ${(r.readMs / product.readMs).toFixed(2)}x`)
}
if (wrong) {
  console.error('benchmark read back wrong values: ' + JSON.stringify(results))
  process.exit(1)
}
