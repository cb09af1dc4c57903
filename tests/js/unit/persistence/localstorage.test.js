// LocalStorageBackend over an in-memory Storage (the browser suite runs it on
// real localStorage): the manifest switch that makes a batch atomic, the
// sweep of pages a crash left behind, quota errors, and clear().
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { LocalStorageBackend } from '../../../../js/persistence/localstorage.js'
import { MemoryStorage } from '../../helpers.js'

const bytes = (...b) => new Uint8Array(b)
const batch = (pages, deleted = [], state = bytes(9)) => ({ pages, deleted, state })

test('a new store has no manifest; a batch comes back whole after reopening', async () => {
  const storage = new MemoryStorage()
  const a = new LocalStorageBackend('app', storage)
  assert.equal(a.name, 'paging-storage:app')
  assert.equal(await a.loadManifest(), null)
  await a.writeBatch(batch([{ id: 1, bytes: bytes(1, 2, 3), record: bytes(7) }, { id: 2, bytes: bytes(4), record: bytes(8) }]))
  const b = new LocalStorageBackend('app', storage)
  const m = await b.loadManifest()
  assert.deepEqual(m.state, bytes(9))
  assert.deepEqual(m.records.sort((x, y) => x[0] - y[0]), [bytes(7), bytes(8)])
  const pages = await b.readPages([1, 2, 3])
  assert.deepEqual(pages.get(1), bytes(1, 2, 3))
  assert.deepEqual(pages.get(2), bytes(4))
  assert.equal(pages.has(3), false)
})

test('a rewritten page gets a new generation and the old one goes; deleted pages go', async () => {
  const storage = new MemoryStorage()
  const s = new LocalStorageBackend('app', storage)
  await s.loadManifest()
  await s.writeBatch(batch([{ id: 1, bytes: bytes(1), record: bytes(1) }, { id: 2, bytes: bytes(2), record: bytes(2) }]))
  await s.writeBatch(batch([{ id: 1, bytes: bytes(10), record: bytes(11) }], [2]))
  assert.deepEqual(storage.keys().filter((k) => k.includes('/page/')).sort(), ['paging-storage:app/page/1/2'])
  assert.deepEqual((await s.readPages([1])).get(1), bytes(10))
  assert.equal((await s.readPages([2])).size, 0)
})

test('a batch that hits the quota leaves the previous snapshot and the error QUOTA_EXCEEDED', async () => {
  const storage = new MemoryStorage(400)
  const s = new LocalStorageBackend('app', storage)
  await s.loadManifest()
  await s.writeBatch(batch([{ id: 1, bytes: bytes(1), record: bytes(1) }]))
  const before = storage.keys().sort()
  const big = new Uint8Array(300).fill(65)
  await assert.rejects(
    s.writeBatch(batch([{ id: 1, bytes: big, record: bytes(2) }, { id: 2, bytes: big, record: bytes(3) }])),
    (err) => err.code === 'QUOTA_EXCEEDED'
  )
  assert.deepEqual(storage.keys().sort(), before, 'what the failed batch wrote was removed')
  const reopened = new LocalStorageBackend('app', storage)
  const m = await reopened.loadManifest()
  assert.deepEqual(m.records, [bytes(1)])
  assert.deepEqual((await reopened.readPages([1])).get(1), bytes(1))
})

test('pages no manifest names (a crash between writing them and the manifest) are swept on open', async () => {
  const storage = new MemoryStorage()
  const s = new LocalStorageBackend('app', storage)
  await s.loadManifest()
  await s.writeBatch(batch([{ id: 1, bytes: bytes(1), record: bytes(1) }]))
  storage.setItem('paging-storage:app/page/1/2', 'AAAA') // a newer generation, never committed
  storage.setItem('paging-storage:app/page/5/1', 'AAAA')
  storage.setItem('paging-storage:other/page/5/1', 'AAAA') // another store's
  await new LocalStorageBackend('app', storage).loadManifest()
  assert.deepEqual(storage.keys().filter((k) => k.includes('/page/')).sort(), [
    'paging-storage:app/page/1/1',
    'paging-storage:other/page/5/1'
  ])
})

test('a manifest that is not ours is CORRUPT; clear() removes only this store', async () => {
  const storage = new MemoryStorage()
  storage.setItem('paging-storage:app/manifest', '{nope')
  await assert.rejects(new LocalStorageBackend('app', storage).loadManifest(), (err) => err.code === 'CORRUPT')
  storage.setItem('paging-storage:app/manifest', JSON.stringify({ v: 2 }))
  await assert.rejects(new LocalStorageBackend('app', storage).loadManifest(), (err) => err.code === 'CORRUPT')
  storage.setItem('unrelated', 'x')
  await new LocalStorageBackend('app', storage).clear()
  assert.deepEqual(storage.keys(), ['unrelated'])
  assert.throws(() => new LocalStorageBackend('app', null), (err) => err.code === 'INVALID_ARGUMENT')
})
