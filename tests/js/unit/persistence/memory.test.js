import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { MemoryBackend as Exported } from '../../../../js/index.js'

const page = (id, b) => ({ id, bytes: Uint8Array.of(b), record: Uint8Array.of(b + 100) })

describe('MemoryBackend', () => {
  test('never flushed: no manifest, no pages', async () => {
    const m = new MemoryBackend()
    assert.equal(await m.loadManifest(), null)
    assert.deepEqual(await m.readPages([1, 2]), new Map())
    assert.equal(m.pageCount, 0)
  })

  test('writeBatch stores pages, records and state; the manifest lists the records', async () => {
    const m = new MemoryBackend()
    await m.writeBatch({ pages: [page(1, 1), page(2, 2)], deleted: [], state: Uint8Array.of(9) })
    assert.equal(m.pageCount, 2)
    const manifest = await m.loadManifest()
    assert.deepEqual(manifest?.state, Uint8Array.of(9))
    assert.deepEqual(
      manifest?.records.map((r) => r[0]).sort(),
      [101, 102]
    )
    const pages = await m.readPages([2, 1, 3])
    assert.deepEqual([...pages.keys()].sort(), [1, 2])
    assert.deepEqual(pages.get(2), Uint8Array.of(2))
    assert.equal(pages.has(3), false, 'a missing page is absent from the map')
  })

  test('a later batch replaces pages and deletes the pages merged away', async () => {
    const m = new MemoryBackend()
    await m.writeBatch({ pages: [page(1, 1), page(2, 2), page(3, 3)], deleted: [], state: Uint8Array.of(1) })
    await m.writeBatch({ pages: [page(1, 50)], deleted: [2], state: Uint8Array.of(2) })
    assert.equal(m.pageCount, 2)
    const pages = await m.readPages([1, 2, 3])
    assert.deepEqual(pages.get(1), Uint8Array.of(50))
    assert.equal(pages.has(2), false)
    const manifest = await m.loadManifest()
    assert.deepEqual(manifest?.state, Uint8Array.of(2))
    assert.deepEqual(
      manifest?.records.map((r) => r[0]).sort(),
      [103, 150]
    )
  })

  test('clear removes everything', async () => {
    const m = new MemoryBackend()
    await m.writeBatch({ pages: [page(1, 1)], deleted: [], state: Uint8Array.of(1) })
    await m.clear()
    assert.equal(await m.loadManifest(), null)
    assert.equal(m.pageCount, 0)
    assert.deepEqual(await m.readPages([1]), new Map())
  })

  test('implements the whole interface; close is harmless; no name (no lock)', async () => {
    const m = new MemoryBackend()
    for (const method of ['loadManifest', 'readPages', 'writeBatch', 'clear', 'close']) assert.equal(typeof m[method], 'function')
    await m.close()
    assert.equal(/** @type {any} */ (m).name, undefined)
  })

  test('is the MemoryBackend the package exports', () => {
    assert.equal(Exported, MemoryBackend)
  })
})
