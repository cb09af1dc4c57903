// Tombstone garbage collection in a local-only store: deletes give space
// back once the grace period has passed, and young tombstones stay.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend, PagingStorage } from 'paging-storage'

import { tinyStore } from './helpers.js'

test('regression: deletes give space back: set/delete cycles of new keys end in one or two pages (pages grew 5x over 5 cycles)', async () => {
  const backend = new MemoryBackend()
  const s = new PagingStorage({ tombstoneGracePeriod: 0, persistence: { backend, maxMemoryPages: 8, autoSaveInterval: 0 } })
  const figures = []
  for (let cycle = 0; cycle < 5; cycle++) {
    const keys = Array.from({ length: 5000 }, (_, i) => `c${cycle}:user:${i}`)
    await s.setMany(keys.map((k, i) => [k, { name: k, age: i % 90, email: `${k}@example.com` }]))
    await s.flush()
    const filled = backend.pageCount
    for (const k of keys) await s.delete(k)
    // Older than the grace period (0 ms): a tombstone stamped in the
    // millisecond compact() runs waits for the next one (~100 deletes).
    await new Promise((resolve) => setTimeout(resolve, 2))
    const { purged, pages } = await s.compact()
    await s.flush()
    figures.push({ filled, purged, pages, stored: backend.pageCount })
  }
  for (const f of figures) {
    assert.ok(f.pages <= 2 && f.stored <= 2, JSON.stringify(figures))
    assert.ok(f.filled <= 1.2 * figures[0].filled, JSON.stringify(figures))
  }
  assert.equal(figures.reduce((n, f) => n + f.purged, 0), 25000, JSON.stringify(figures))
  assert.equal(s.getStats().totalKeys, 0)
  await s.shutdown()
  // Reopened: the purged keys stay gone.
  const again = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  assert.deepEqual(await again.keys(), [])
  assert.equal(await again.get('c0:user:1'), undefined)
  await again.shutdown()
})

test('tombstones younger than the grace period stay, and keep an older backup from bringing the key back', async () => {
  const s = tinyStore({ tombstoneGracePeriod: 3_600_000 })
  await s.set('doc', 'v1')
  const older = JSON.parse(JSON.stringify(await s.exportData()))
  await s.delete('doc')
  assert.equal((await s.compact()).purged, 0)
  assert.equal(s.getStats().tombstones, 1)
  await s.importData(older)
  assert.equal(await s.has('doc'), false)
  await s.shutdown()
})

test('regression: set/delete pairs on a 20-page budget are never refused (refused from pair 1,101 on, totalKeys 0)', async () => {
  const s = new PagingStorage({ persistence: { maxDiskPages: 20, autoSaveInterval: 0 } })
  for (let i = 0; i < 3000; i++) {
    await s.set(`pair:${i}`, { name: `user ${i}`, age: i % 90, email: `user${i}@example.com` })
    assert.equal(await s.delete(`pair:${i}`), true)
  }
  await s.flush()
  const stats = s.getStats()
  assert.equal(stats.totalKeys, 0)
  assert.ok(stats.totalPages <= 20, `${stats.totalPages} pages`)
  await s.shutdown()
})
