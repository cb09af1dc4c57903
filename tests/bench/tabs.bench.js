// `npm run bench`, tabs part: calls from a follower tab against the same
// calls in the leader tab (which holds the store), two tabs of one
// Chromium profile on one persistenceKey, side by side in one run. Keys
// 'user:<i>' in random order, values { name, age, email }, default options:
//   set awaited, get awaited     one call at a time (N_SINGLE of them)
//   setMany, getMany x1,000      calls of 1,000 (N_BATCH keys)
// A follower's call crosses a BroadcastChannel to the leader and its answer
// comes back; the target (issue 14): >= 50% of the leader's throughput for
// batches of 1,000.
import { launchChromium } from '../browser/chromium.js'
import { openHarness, startHarness } from '../browser/harness.js'
import { READ_SEED, WRITE_SEED, shuffled } from './workload.js'

const N_SINGLE = Number(process.env.BENCH_TABS_SINGLE ?? 5000)
const N_BATCH = Number(process.env.BENCH_TABS_BATCH ?? 50000)

const harness = await startHarness()
const browser = await launchChromium()

/** In the page: one workload on window.store; ops/s per phase. */
async function run({ prefix, single, batch, writeOrder, readOrder }) {
  const value = (i) => ({ name: 'user' + i, age: 18 + (i % 60), email: `user${i}@example.com` })
  const s = window.store
  const rate = (n, t0) => Math.round(n / ((performance.now() - t0) / 1000))
  const out = {}
  let t0 = performance.now()
  for (let j = 0; j < single; j++) await s.set(`${prefix}:${writeOrder[j]}`, value(writeOrder[j]))
  out.set = rate(single, t0)
  t0 = performance.now()
  for (let j = 0; j < single; j++) await s.get(`${prefix}:${readOrder[j % single]}`)
  out.get = rate(single, t0)
  t0 = performance.now()
  for (let c = 0; c < batch; c += 1000) await s.setMany(writeOrder.slice(c, c + 1000).map((i) => [`${prefix}b:${i}`, value(i)]))
  out.setMany = rate(batch, t0)
  t0 = performance.now()
  let ok = 0
  for (let c = 0; c < batch; c += 1000) {
    const got = await s.getMany(readOrder.slice(c, c + 1000).map((i) => `${prefix}b:${i}`))
    for (const v of got.values()) if (v) ok++
  }
  out.getMany = rate(batch, t0)
  out.ok = ok
  return out
}

const context = await browser.newContext()
const tabs = []
for (let t = 0; t < 2; t++) {
  const page = await openHarness(context, harness.url)
  await page.evaluate(async () => {
    window.store = new window.PS.PagingStorage({ persistence: { persistenceKey: 'tabs-bench' } })
    await window.store.ready
  })
  tabs.push(page)
}
const roles = await Promise.all(tabs.map((p) => p.evaluate(() => window.store.role)))
const writeOrder = shuffled(N_BATCH, WRITE_SEED)
const readOrder = shuffled(N_BATCH, READ_SEED)
const results = {}
// Alternated, twice each, so that neither tab always runs on a warmer store.
for (const round of [0, 1]) {
  for (const [t, page] of (round === 0 ? tabs : [...tabs].reverse()).entries()) {
    const tab = round === 0 ? t : 1 - t
    const r = await page.evaluate(run, { prefix: `r${round}t${tab}`, single: N_SINGLE, batch: N_BATCH, writeOrder, readOrder })
    if (r.ok !== N_BATCH) throw new Error(`${roles[tab]} read ${r.ok} of ${N_BATCH}`)
    const best = (results[roles[tab]] ??= {})
    for (const k of ['set', 'get', 'setMany', 'getMany']) best[k] = Math.max(best[k] ?? 0, r[k])
  }
}
await browser.close()
await harness.close()

const fmt = (n) => `${Math.round(n / 100) / 10}k/s`
console.log(`\n## Tabs: a follower tab's calls against the leader's (Chromium, IndexedDB, default options; best of 2 alternated runs)\n`)
console.log(`| tab | set awaited (${N_SINGLE}) | get awaited | setMany x1,000 (${N_BATCH}) | getMany x1,000 |`)
console.log('|---|---:|---:|---:|---:|')
for (const role of ['leader', 'follower']) {
  const r = results[role]
  console.log(`| ${role} | ${fmt(r.set)} | ${fmt(r.get)} | ${fmt(r.setMany)} | ${fmt(r.getMany)} |`)
}
const ratio = (k) => (results.follower[k] / results.leader[k]).toFixed(2)
console.log(`| follower / leader | ${ratio('set')}x | ${ratio('get')}x | ${ratio('setMany')}x | ${ratio('getMany')}x |`)
console.log(`\nTarget: batches of 1,000 from a follower >= 0.5x the leader's (setMany ${ratio('setMany')}x, getMany ${ratio('getMany')}x).`)
