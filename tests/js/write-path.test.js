// The write path (cpp/src/WRITE_PATH.md) through the public API, on by
// default: reads and writes at small budgets while runs wait to be applied.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend, PagingStorage } from 'paging-storage'

test('regression: a getMany after a reopen with runs, at a budget of 8 pages, finishes (it reloaded the same ~170 pages forever)', { timeout: 120_000 }, async () => {
  const backend = new MemoryBackend()
  const options = { persistence: { backend, maxMemoryPages: 8, autoSaveInterval: 0 } }
  const n = 20_000
  let s = new PagingStorage(options)
  for (let i = 0; i < n; i += 500) {
    const chunk = []
    for (let j = i; j < i + 500; j++) chunk.push(['key:' + j, { i: j, name: 'user' + j }])
    await s.setMany(chunk)
  }
  await s.flush()
  await s.shutdown()
  s = new PagingStorage(options)
  await s.ready
  // The point: pages still to apply runs (each needs a run page with it).
  assert.ok(s.getStats().cache.runPages > 0, JSON.stringify(s.getStats().cache))
  let right = 0
  for (let i = 0; i < n; i += 500) {
    const keys = []
    for (let j = i; j < i + 500; j++) keys.push('key:' + j)
    for (const [k, v] of await s.getMany(keys)) if (v?.i === Number(k.slice(4))) right++
    assert.ok(s.getStats().cache.residentPages <= 8)
  }
  assert.equal(right, n)
  assert.equal(s.getStats().totalKeys, n)
  await s.shutdown()
})

test('the write path is on by default and buffers writes whose page is not in memory', async () => {
  const s = new PagingStorage({ persistence: { maxMemoryPages: 8, autoSaveInterval: 0 } })
  for (let i = 0; i < 300; i++) await s.set(`user:${(i * 7919) % 300}`, { i })
  assert.equal(s.getStats().totalKeys, 300)
  await s.flush()
  await s.clearCache()
  await s.set('user:1', { i: -1 })
  assert.ok(s.getStats().cache.bufferedWrites > 0, JSON.stringify(s.getStats().cache))
  assert.deepEqual(await s.get('user:1'), { i: -1 })
  await s.shutdown()
})
