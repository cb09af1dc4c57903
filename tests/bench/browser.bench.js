// `npm run bench`, Chromium part: 100,000 keys with values like
// { name: 'user' + i, age: i } written and flushed to IndexedDB, then a cold
// reopen (page reload) reading every key; idb-keyval's setMany/getMany on the
// same data in the same page for comparison.
import { launchChromium } from '../browser/chromium.js'
import { openHarness, startHarness } from '../browser/harness.js'

const N = 100_000
const harness = await startHarness()
const browser = await launchChromium()
const context = await browser.newContext()
const page = await openHarness(context, harness.url)

const write = await page.evaluate(async (N) => {
  const entries = Array.from({ length: N }, (_, i) => ['user:' + i, { name: 'user' + i, age: i }])
  // paging-storage: default options but a disk budget that fits 100k keys.
  const s = new window.PS.PagingStorage({ persistence: { persistenceKey: 'bench', maxDiskPages: 1e6 } })
  await s.ready
  let t = performance.now()
  await s.setMany(entries)
  const setMs = performance.now() - t
  t = performance.now()
  await s.flush()
  const flushMs = performance.now() - t
  const pages = s.getStats().totalPages
  await s.shutdown()
  // idb-keyval, same data.
  t = performance.now()
  await window.idbKeyval.setMany(entries)
  const idbMs = performance.now() - t
  return { setMs, flushMs, pages, idbMs }
}, N)

await page.reload()
await page.waitForFunction(() => window.__harnessReady === true)

const read = await page.evaluate(async (N) => {
  const keys = Array.from({ length: N }, (_, i) => 'user:' + i)
  let t = performance.now()
  const s = new window.PS.PagingStorage({ persistence: { persistenceKey: 'bench', maxDiskPages: 1e6 } })
  const got = await s.getMany(keys)
  const psMs = performance.now() - t
  let ok = 0
  for (const [k, v] of got) if (v && 'user:' + v.age === k) ok++
  const loads = s.getStats().cache.pageLoads
  await s.shutdown()
  t = performance.now()
  const values = await window.idbKeyval.getMany(keys)
  const idbMs = performance.now() - t
  const idbOk = values.filter((v, i) => v && v.age === i).length
  return { psMs, ok, loads, idbMs, idbOk }
}, N)

await browser.close()
await harness.close()

const rate = (ms) => Math.round((N / ms) * 1000).toLocaleString('en-US')
const ms = (x) => `${x.toFixed(0)} ms`
console.log(`\nChromium benchmark: ${N.toLocaleString('en-US')} keys to IndexedDB (${write.pages} pages)`)
console.log(`${'step'.padEnd(46)}${'time'.padStart(10)}${'keys/s'.padStart(14)}`)
const row = (label, t) => console.log(`${label.padEnd(46)}${ms(t).padStart(10)}${rate(t).padStart(14)}`)
row('paging-storage setMany (in memory, paging)', write.setMs)
row('paging-storage flush()', write.flushMs)
row('paging-storage write + flush', write.setMs + write.flushMs)
row('idb-keyval setMany', write.idbMs)
row(`paging-storage cold open + read all (${read.ok} ok)`, read.psMs)
row(`idb-keyval getMany (${read.idbOk} ok)`, read.idbMs)
const verdict = (ok) => (ok ? 'MET' : 'MISSED')
console.log('\nTargets')
console.log(`  flush of 100k keys <= 1 s: ${ms(write.flushMs)} ${verdict(write.flushMs <= 1000)} (write + flush ${ms(write.setMs + write.flushMs)})`)
console.log(`  cold reopen + full read <= 1 s: ${ms(read.psMs)} ${verdict(read.psMs <= 1000)}`)
console.log(`  at least idb-keyval's throughput: write ${verdict(write.setMs + write.flushMs <= write.idbMs)}, read ${verdict(read.psMs <= read.idbMs)}`)
if (read.ok !== N || read.idbOk !== N) {
  console.error('benchmark read back wrong values')
  process.exit(1)
}
