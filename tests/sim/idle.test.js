// Two peers with stores larger than their page budgets, idle after a load
// (and after the replica audits that follow it): anti-entropy rounds go on, but read no page (their root digests are kept
// while nothing changes, js/store/digest-cache.js), and a change made later
// is still found and repaired.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend, PagingStorage, SimulatedNetwork } from 'paging-storage'
import { FAST, sleep, until } from './helpers.js'

test('regression: an idle peer re-read its whole backend at every anti-entropy round (188 page loads per round for 188 pages); now none, and a later change is still repaired', async () => {
  const net = new SimulatedNetwork({ seed: 9, latency: [1, 3] })
  const reads = new Map()
  const stores = []
  const add = async (id) => {
    const backend = new MemoryBackend()
    const readPages = backend.readPages.bind(backend)
    backend.readPages = async (ids) => {
      reads.set(id, (reads.get(id) ?? 0) + ids.length)
      return readPages(ids)
    }
    const s = new PagingStorage({ ...FAST, peerId: id, pageSize: 1024, transport: net.join(id), persistence: { ...FAST.persistence, backend, maxMemoryPages: 8 } })
    stores.push(s)
    await s.ready
    return s
  }
  try {
    const a = await add('a'.repeat(40))
    const b = await add('b'.repeat(40))
    await a.setMany(Array.from({ length: 400 }, (_, i) => [`item:${i}`, { text: 'x'.repeat(80), i }]))
    assert.equal(await until(async () => (await b.getLocal('item:399'))?.i === 399 || 'not there yet', 10000), true)
    // The rounds after the load fill the cache; replica audits go on for 4
    // rounds after the last write (js/sync/audits.js ACTIVE_ROUNDS).
    await sleep(2500 + 4 * 1000)
    const before = new Map(reads)
    await sleep(3500) // three periodic rounds (antiEntropyInterval 1 s)
    for (const [id, n] of reads) assert.equal(n - (before.get(id) ?? 0), 0, `${id.slice(0, 4)} read ${n - (before.get(id) ?? 0)} pages while idle`)
    assert.ok(a.getStats().totalPages > 8, `the store (${a.getStats().totalPages} pages) is larger than its budget`)
    // A change whose push is lost: the next round still finds and repairs it.
    net.loss = 1
    await b.setLocal('item:7', 'changed on b alone')
    net.loss = 0
    assert.equal(await until(async () => (await a.getLocal('item:7')) === 'changed on b alone' || 'not repaired', 10000), true)
  } finally {
    await Promise.allSettled(stores.map((s) => s.shutdown()))
  }
})
