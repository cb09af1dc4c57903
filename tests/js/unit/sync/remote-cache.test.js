import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingStorageError } from '../../../../js/core/errors.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { RemoteCache } from '../../../../js/sync/remote-cache.js'
import { hlc, rec } from './fakes.js'

const LIMITS = { maxKeyBytes: 1024, maxValueBytes: 1 << 20 }
const cacheOf = (backend, maxCachePages = 2, pageSize = 1024) => new RemoteCache({ maxCachePages, pageSize, backend, limits: LIMITS })

describe('RemoteCache', () => {
  test('bounded by maxCachePages x pageSize bytes; the least recently answered go first; an older answer only refreshes', () => {
    const c = cacheOf(null)
    const big = (k) => rec(k, hlc(1), 'P', JSON.stringify('x'.repeat(400))) // 402 + 1 + 64 bytes
    for (const k of ['a', 'b', 'c', 'd']) c.put(big(k))
    assert.equal(c.size, 4)
    assert.ok(c.bytes <= 2048)
    c.put(big('e'))
    assert.equal(c.get('a'), null, 'the oldest went')
    c.put(rec('b', hlc(0), 'P', '"older"'))
    assert.equal(c.get('b')?.hlc, hlc(1), 'an older answer does not replace a newer one')
    c.put(big('f'))
    assert.notEqual(c.get('b'), null, 'b was refreshed: c went instead')
    assert.equal(c.get('c'), null)
    c.put(rec('huge', hlc(1), 'P', JSON.stringify('x'.repeat(5000))))
    assert.equal(c.get('huge'), null, 'larger than the whole budget: not kept')
    const none = cacheOf(null, 0)
    none.put(rec('a', hlc(1)))
    assert.equal(none.size, 0, 'maxCachePages 0: nothing')
  })

  test('saved whole in its backend and loaded back (tombstones too), in pages of pageSize', async () => {
    const backend = new MemoryBackend()
    const c = cacheOf(backend, 10, 256)
    for (let i = 0; i < 20; i++) c.put(rec(`k${i}`, hlc(i + 1), 'P', JSON.stringify({ i })))
    c.put(rec('gone', hlc(5), 'P', null))
    await c.save()
    assert.ok(c.pages >= 5, `${c.pages} pages`)
    c.put(rec('k0', hlc(100), 'P', '"new"'))
    await c.close()
    const back = cacheOf(backend, 10, 256)
    await back.load()
    assert.equal(back.size, 21)
    assert.equal(back.get('k0')?.json, '"new"')
    assert.equal(back.get('gone')?.deleted, true)
    assert.equal(back.get('k19')?.hlc, hlc(20))
  })

  test('a damaged cache is dropped, never trusted', async () => {
    for (const damage of [
      (b) => b.writeBatch({ pages: [], deleted: [], state: new TextEncoder().encode('not json') }),
      (b) => b.writeBatch({ pages: [{ id: 1, bytes: new TextEncoder().encode('[["k","zz","P",0,"1"]]'), record: new Uint8Array(1) }], deleted: [], state: new TextEncoder().encode('{"v":1,"pages":[1]}') }),
      (b) => b.writeBatch({ pages: [{ id: 1, bytes: new TextEncoder().encode('[["k","' + hlc(1) + '","P",0,"{bad"]]'), record: new Uint8Array(1) }], deleted: [], state: new TextEncoder().encode('{"v":1,"pages":[1]}') }),
      (b) => b.writeBatch({ pages: [], deleted: [], state: new TextEncoder().encode('{"v":1,"pages":[7]}') })
    ]) {
      const backend = new MemoryBackend()
      await damage(backend)
      const c = cacheOf(backend)
      await c.load()
      assert.equal(c.size, 0)
      assert.equal(await backend.loadManifest(), null, 'cleared')
    }
  })

  test('a failed save (out of space) gives the space back; the cache goes on in memory', async () => {
    const backend = new MemoryBackend()
    const c = cacheOf(backend)
    c.put(rec('a', hlc(1)))
    await c.save()
    backend.writeBatch = async () => {
      throw new PagingStorageError('QUOTA_EXCEEDED', 'full')
    }
    c.put(rec('b', hlc(1)))
    await c.save()
    assert.equal(await backend.loadManifest(), null)
    assert.equal(c.pages, 0)
    assert.notEqual(c.get('b'), null)
  })
})
