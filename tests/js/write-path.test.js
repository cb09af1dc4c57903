// The write path (cpp/src/WRITE_PATH.md) through the public API, on by
// default: reads and writes at small budgets while runs wait to be applied.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend, PagingStorage } from 'paging-storage'

import { WRITE_SEED, shuffled, userValue } from '../bench/workload.js'

test('regression: a getMany after a reopen with runs, at a small budget, finishes (at 8 pages it reloaded the same ~170 pages forever)', { timeout: 120_000 }, async () => {
  const backend = new MemoryBackend()
  const options = { persistence: { backend, maxMemoryPages: 12, autoSaveInterval: 0 } }
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
    assert.ok(s.getStats().cache.residentPages <= 12)
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

test('a large read right after a bulk load applies the runs once (a pass and a save), then reads one page per key', async () => {
  const backend = new MemoryBackend()
  const s = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  const n = 20_000
  const order = Array.from({ length: n }, (_, i) => (i * 7919) % n)
  for (let c = 0; c < n; c += 1000) await s.setMany(order.slice(c, c + 1000).map((i) => [`user:${i}`, { i }]))
  assert.ok(s.getStats().cache.runPages > 0, JSON.stringify(s.getStats().cache))
  const got = await s.getMany(order.slice(0, 1000).map((i) => `user:${i}`))
  assert.equal([...got.values()].filter((v, j) => v?.i === order[j]).length, 1000)
  assert.equal(s.getStats().cache.runPages, 0)
  // Every key still right, and nothing more to apply.
  let right = 0
  for (let c = 0; c < n; c += 1000) {
    const keys = order.slice(c, c + 1000).map((i) => `user:${i}`)
    for (const [k, v] of await s.getMany(keys)) if (v?.i === Number(k.slice(5))) right++
  }
  assert.equal(right, n)
  assert.equal(s.getStats().totalKeys, n)
  await s.shutdown()
})

test('runs merge with each other during a random load; every save of it, mid-merge included, reopens with every key acknowledged before it', { timeout: 240_000 }, async () => {
  // Disk images: the saves up to a chosen one (replayed into a fresh
  // backend, they are what it held then), with the keys acknowledged
  // (their setMany resolved) before that save was collected.
  const backend = new MemoryBackend()
  const write = backend.writeBatch.bind(backend)
  const batches = []
  const images = []
  let acked = 0
  backend.writeBatch = async (batch) => {
    const ackedAtCollect = acked
    await write(batch)
    batches.push(batch)
    if (batches.length % 23 === 0) images.push({ saves: batches.length, acked: ackedAtCollect })
  }
  // 4 KiB pages at a budget of 16: a run holds ~330 keys and the store
  // grows to ~600 pages, so runs are merged before a pass applies them.
  const options = (b) => ({ persistence: { backend: b, maxMemoryPages: 16, writeBufferPages: 8, autoSaveInterval: 0 } })
  const n = 20_000
  const order = Array.from({ length: n }, (_, j) => (j * 7919) % n)
  const s = new PagingStorage(options(backend))
  for (let c = 0; c < n; c += 100) {
    await s.setMany(order.slice(c, c + 100).map((i) => [`user:${i}`, { i }]))
    acked = c + 100
  }
  assert.ok(s.getStats().cache.runMerges > 0, JSON.stringify(s.getStats().cache))
  await s.shutdown()
  assert.ok(images.length >= 10, `${images.length} images`)
  for (const image of images.filter((_, j) => j % Math.ceil(images.length / 10) === 0)) {
    const restored = new MemoryBackend()
    for (const batch of batches.slice(0, image.saves)) await restored.writeBatch(batch)
    const r = new PagingStorage(options(restored))
    await r.ready
    const report = r.diagnose()
    assert.equal(report.ok, true, report.issues.join('; '))
    const want = order.slice(0, image.acked).map((i) => `user:${i}`)
    let right = 0
    for (let c = 0; c < want.length; c += 1000) {
      for (const [k, v] of await r.getMany(want.slice(c, c + 1000))) if (v?.i === Number(k.slice(5))) right++
    }
    assert.equal(right, image.acked, `save with ${image.acked} acknowledged keys`)
    // Nothing held that was never written, nothing twice.
    const all = await r.range()
    assert.ok(all.every(([k, v]) => v.i === Number(k.slice(5))))
    assert.ok(all.length >= image.acked)
    await r.shutdown()
  }
})

test('regression: flush() after a bulk load applies every run, also those sealed while a pass was under way (with an asynchronous backend, 388 run pages were left)', { timeout: 120_000 }, async () => {
  // Asynchronous like IndexedDB: writes land while a background pass waits
  // for its pages, so runs are sealed after the pass took its target.
  const backend = new MemoryBackend()
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0))
  for (const method of ['readPages', 'writeBatch']) {
    const call = backend[method].bind(backend)
    backend[method] = async (arg) => {
      await tick()
      return call(arg)
    }
  }
  const s = new PagingStorage({ persistence: { backend, maxDiskPages: 1e6, autoSaveInterval: 0 } })
  const n = 100_000
  const order = shuffled(n, WRITE_SEED)
  for (let c = 0; c < n; c += 1000) await s.setMany(order.slice(c, c + 1000).map((i) => [`user:${i}`, userValue(i)]))
  await s.flush()
  assert.equal(s.getStats().cache.runPages, 0, JSON.stringify(s.getStats().cache))
  await s.shutdown()
})
