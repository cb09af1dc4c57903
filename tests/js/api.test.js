// Every public method of PagingStorage and every error it promises.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend, PagingStorage, PagingStorageError } from 'paging-storage'

import { key, tinyStore } from './helpers.js'

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof PagingStorageError, `expected PagingStorageError, got ${err}`)
    assert.equal(err.code, code, err.message)
    return true
  })
}

test('constructor is synchronous; ready resolves; defaults follow the seed', async () => {
  const s = new PagingStorage()
  assert.equal(typeof s.peerId, 'string')
  assert.equal(s.peerId.length, 40)
  assert.equal(s.getStats().ready, false)
  await s.ready
  const stats = s.getStats()
  assert.equal(stats.ready, true)
  assert.equal(stats.cache.maxMemoryPages, 50)
  assert.equal(stats.cache.maxCachePages, 100)
  assert.equal(stats.totalKeys, 0)
  assert.equal(stats.connectedPeers, 0)
  await s.shutdown()
})

test('options are validated synchronously', () => {
  const bad = [
    { pageSize: 10 },
    { pageSize: 4096.5 },
    { splitThreshold: 0.1, mergeThreshold: 0.2 },
    { persistence: { maxMemoryPages: 0 } },
    { persistence: { backend: 'floppy' } },
    { persistence: { backend: { readPages() {} } } },
    { peerId: '' }
  ]
  for (const options of bad) {
    assert.throws(() => new PagingStorage(options), (e) => e.code === 'INVALID_ARGUMENT', JSON.stringify(options))
  }
  // The seed's byte thresholds are accepted as well as fractions.
  const s = new PagingStorage({ splitThreshold: 3276, mergeThreshold: 819 })
  return s.shutdown()
})

test('values of every JSON type round-trip deeply equal', async () => {
  const s = tinyStore()
  const values = {
    object: { name: 'Alice', email: 'alice@example.com', nested: { a: [1, 2, { b: null }] } },
    array: [1, 'two', true, null, { three: 3 }],
    string: 'héllo \u{1F600} "quoted" \\ \n',
    empty: '',
    number: -12.5e-7,
    zero: 0,
    bool: false,
    null: null,
    lone: 'a\uD800b' // a lone surrogate inside a value survives (escaped JSON)
  }
  for (const [k, v] of Object.entries(values)) await s.set(k, v)
  for (const [k, v] of Object.entries(values)) assert.deepEqual(await s.get(k), v, k)
  await s.shutdown()
})

test('bad values are rejected before anything is stored', async () => {
  const s = tinyStore()
  const cyclic = { a: 1 }
  cyclic.self = cyclic
  const bad = [
    undefined,
    () => 1,
    Symbol('x'),
    10n,
    NaN,
    Infinity,
    cyclic,
    { nested: { bad: undefined } },
    [1, , 3], // eslint-disable-line no-sparse-arrays
    new Date(),
    new Map()
  ]
  for (const v of bad) await rejectsWith(s.set('k', v), 'INVALID_VALUE')
  assert.equal(await s.has('k'), false)
  assert.equal(s.getStats().totalKeys, 0)
  await s.shutdown()
})

test('keys: strings, numbers as strings, limits, prototype names', async () => {
  const s = tinyStore()
  await s.set(42, 'number key')
  assert.equal(await s.get('42'), 'number key')
  for (const k of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    await s.set(k, k)
    assert.equal(await s.get(k), k)
  }
  assert.equal(await s.get('__proto__'), '__proto__')
  await rejectsWith(s.set('', 1), 'INVALID_KEY')
  await rejectsWith(s.set(null, 1), 'INVALID_KEY')
  await rejectsWith(s.set({}, 1), 'INVALID_KEY')
  await rejectsWith(s.set(NaN, 1), 'INVALID_KEY')
  await rejectsWith(s.set('a\uD800', 1), 'INVALID_KEY')
  await rejectsWith(s.set('x'.repeat(1025), 1), 'INVALID_KEY')
  await rejectsWith(s.set('é'.repeat(513), 1), 'INVALID_KEY') // 1026 UTF-8 bytes
  await s.set('x'.repeat(1024), 'max')
  assert.equal(await s.get('x'.repeat(1024)), 'max')
  await rejectsWith(s.get(''), 'INVALID_KEY')
  await s.shutdown()
})

test('value size limit (default 1 MiB, configurable)', async () => {
  const s = new PagingStorage({ maxValueBytes: 1000 })
  await s.set('ok', 'x'.repeat(998)) // 1000 bytes as JSON
  await rejectsWith(s.set('big', 'x'.repeat(999)), 'INVALID_VALUE')
  await rejectsWith(s.set('big', 'é'.repeat(500)), 'INVALID_VALUE')
  assert.equal(await s.has('big'), false)
  const d = new PagingStorage()
  await d.set('mib', 'x'.repeat(1024 * 1024 - 2))
  assert.equal((await d.get('mib')).length, 1024 * 1024 - 2)
  await rejectsWith(d.set('mib2', 'x'.repeat(1024 * 1024 - 1)), 'INVALID_VALUE')
  await Promise.all([s.shutdown(), d.shutdown()])
})

test('get, has, delete semantics', async () => {
  const s = tinyStore()
  assert.equal(await s.get('missing'), undefined)
  assert.equal(await s.has('missing'), false)
  assert.equal(await s.delete('missing'), false)
  await s.set('k', { v: 1 })
  assert.equal(await s.has('k'), true)
  assert.equal(await s.delete('k'), true)
  assert.equal(await s.delete('k'), false)
  assert.equal(await s.has('k'), false)
  assert.equal(await s.get('k'), undefined)
  await s.set('k', null) // null is a value, not absence
  assert.equal(await s.has('k'), true)
  assert.equal(await s.get('k'), null)
  await s.shutdown()
})

test('local variants behave like the routed ones without peers', async () => {
  const s = tinyStore()
  await s.setLocal('a', 1)
  assert.equal(await s.getLocal('a'), 1)
  assert.equal(await s.get('a'), 1)
  assert.equal(await s.deleteLocal('a'), true)
  assert.equal(await s.getLocal('a'), undefined)
  await s.shutdown()
})

test('setMany: per-entry results, invalid entries fail alone', async () => {
  const s = tinyStore()
  const results = await s.setMany([
    ['key1', 'value1'],
    ['', 'bad key'],
    ['key2', undefined],
    ['key3', { three: 3 }]
  ])
  assert.deepEqual(
    results.map((r) => [r.key, r.success, r.error?.code]),
    [
      ['key1', true, undefined],
      ['', false, 'INVALID_KEY'],
      ['key2', false, 'INVALID_VALUE'],
      ['key3', true, undefined]
    ]
  )
  assert.deepEqual(await s.get('key3'), { three: 3 })
  const fromMap = await s.setMany(new Map([['m', 1]]))
  assert.equal(fromMap[0].success, true)
  await rejectsWith(s.setMany(5), 'INVALID_ARGUMENT')
  await rejectsWith(s.setMany('ab'), 'INVALID_ARGUMENT')
  // A malformed entry fails alone (it used to reject the whole call).
  const mixed = await s.setMany([['only-key'], [1, 2, 3], 'xy', ['fine', 1]])
  assert.deepEqual(
    mixed.map((r) => [r.key, r.success, r.error?.code]),
    [
      ['only-key', false, 'INVALID_ARGUMENT'],
      ['1', false, 'INVALID_ARGUMENT'],
      ['undefined', false, 'INVALID_ARGUMENT'],
      ['fine', true, undefined]
    ]
  )
  await s.shutdown()
})

test('getMany returns a Map with every requested key', async () => {
  const s = tinyStore()
  await s.setMany([
    ['key1', 'value1'],
    ['key2', 'value2']
  ])
  const m = await s.getMany(['key1', 'key2', 'missing', 7])
  assert.ok(m instanceof Map)
  assert.deepEqual([...m], [
    ['key1', 'value1'],
    ['key2', 'value2'],
    ['missing', undefined],
    ['7', undefined]
  ])
  await rejectsWith(s.getMany('not-a-list-of-keys'.length), 'INVALID_ARGUMENT')
  await s.shutdown()
})

test('range and keys follow key order across evicted pages', async () => {
  const s = tinyStore()
  const entries = []
  for (let i = 0; i < 2000; i++) entries.push([key(i), i])
  await s.setMany(entries)
  await s.delete(key(5))
  await s.flush() // clearCache keeps dirty pages
  await s.clearCache()
  assert.equal(s.getStats().cache.residentPages, 0)
  const all = await s.range()
  assert.equal(all.length, 1999)
  assert.deepEqual(all.slice(0, 5).map(([k]) => k), [key(0), key(1), key(2), key(3), key(4)].slice(0, 5))
  assert.deepEqual(all[5], [key(6), 6])
  assert.deepEqual(await s.range({ gte: key(10), lt: key(13) }), [
    [key(10), 10],
    [key(11), 11],
    [key(12), 12]
  ])
  assert.deepEqual((await s.range({ gt: key(10), lte: key(12) })).map(([k]) => k), [key(11), key(12)])
  assert.deepEqual((await s.range({ reverse: true, limit: 2 })).map(([k]) => k), [key(1999), key(1998)])
  assert.deepEqual((await s.range({ prefix: 'k00010', reverse: true })).map(([, v]) => v), [
    109, 108, 107, 106, 105, 104, 103, 102, 101, 100
  ])
  assert.deepEqual(await s.range({ gte: 'z' }), [])
  assert.deepEqual(await s.range({ gte: key(5), lt: key(5) }), [])
  assert.equal((await s.keys()).length, 1999)
  assert.deepEqual(await s.keys('k00199'), [
    'k001990', 'k001991', 'k001992', 'k001993', 'k001994',
    'k001995', 'k001996', 'k001997', 'k001998', 'k001999'
  ])
  await rejectsWith(s.range({ limit: -1 }), 'INVALID_ARGUMENT')
  await rejectsWith(s.range({ gte: 5 }), 'INVALID_ARGUMENT')
  assert.ok(s.getStats().cache.residentPages <= 2)
  await s.shutdown()
})

test('keys order by code point (UTF-8 bytes), not UTF-16 units', async () => {
  const s = tinyStore()
  // U+FF5E (BMP) sorts before U+1F600 by code point; UTF-16 says otherwise.
  await s.set('\u{1F600}', 'emoji')
  await s.set('\uFF5E', 'fullwidth tilde')
  assert.deepEqual(await s.keys(), ['\uFF5E', '\u{1F600}'])
  await s.shutdown()
})

test('paging is real: evicted pages leave memory and come back', async () => {
  const backend = new MemoryBackend()
  const s = tinyStore({ persistence: { backend } })
  for (let i = 0; i < 3000; i++) await s.set(key(i), { name: 'user' + i, age: i })
  const stats = s.getStats()
  assert.ok(stats.totalPages > 100, `pages ${stats.totalPages}`)
  assert.ok(stats.cache.residentPages <= 2)
  assert.ok(backend.pageCount > 100)
  assert.ok(stats.cache.flushes > 0)
  assert.equal(typeof stats.cache.lastSave, 'number')
  assert.ok(stats.cache.memoryPressure <= 1)
  for (let i = 0; i < 3000; i += 97) assert.deepEqual(await s.get(key(i)), { name: 'user' + i, age: i })
  assert.ok(s.getStats().cache.pageLoads > 0)
  assert.ok(s.getStats().cache.residentPages <= 2)
  await s.shutdown()
})

test('a big batch stays within the page budget while it runs', async () => {
  const s = tinyStore()
  const entries = Array.from({ length: 20000 }, (_, i) => [key(i), i])
  const done = s.setMany(entries)
  await done
  const maxResident = s.getStats().cache.residentPages
  assert.ok(maxResident <= 2)
  assert.equal(s.getStats().totalKeys, 20000)
  await s.shutdown()
})

test('exportData / importData round trip, versions kept, never older over newer', async () => {
  const a = tinyStore({ peerId: 'peer-a' })
  await a.setMany([
    ['user:1', { name: 'Ann' }],
    ['user:2', { name: 'Bob' }],
    ['__proto__', 'still a key']
  ])
  await a.delete('user:2')
  const backup = await a.exportData()
  assert.equal(backup.peerId, 'peer-a')
  assert.equal(backup.totalKeys, 2)
  assert.ok(!Number.isNaN(Date.parse(backup.exportedAt)))
  const viaJson = JSON.parse(JSON.stringify(backup)) // a backup file

  const b = tinyStore({ peerId: 'peer-b' })
  await b.set('user:1', 'older local value') // written before the backup? no: after a's write
  const results = await b.importData(viaJson)
  // Two live keys and user:2's tombstone (exports carry deletes: issue 12).
  assert.equal(results.length, 3)
  const byKey = Object.fromEntries(results.map((r) => [r.key, r]))
  // b's own write is newer than a's (its clock ran later): it is kept.
  assert.equal(byKey['user:1'].imported, false)
  assert.equal(byKey['user:1'].reason, 'a newer version is stored')
  assert.equal(byKey['__proto__'].imported, true)
  assert.equal(await b.get('__proto__'), 'still a key')
  assert.equal(await b.get('user:1'), 'older local value')

  const c = tinyStore()
  const fresh = await c.importData(viaJson)
  assert.equal(fresh.filter((r) => r.imported).length, 3)
  assert.equal(await c.has('user:2'), false)
  assert.deepEqual(await c.get('user:1'), { name: 'Ann' })
  // Unversioned entries are plain writes; bad entries fail alone.
  const mixed = await c.importData({ data: [{ key: 'plain', value: [1] }, { key: '', value: 1 }, { nope: 1 },
    { key: 'v', value: 1, hlc: 'xyz', origin: 'p' }] })
  assert.deepEqual(mixed.map((r) => [r.imported, r.error?.code]), [
    [true, undefined], [false, 'INVALID_KEY'], [false, 'INVALID_ARGUMENT'], [false, 'INVALID_ARGUMENT']
  ])
  await rejectsWith(c.importData(null), 'INVALID_ARGUMENT')
  await rejectsWith(c.importData({ data: 'x' }), 'INVALID_ARGUMENT')
  await Promise.all([a.shutdown(), b.shutdown(), c.shutdown()])
})

test('listPages, diagnose, clearCache', async () => {
  const s = tinyStore()
  for (let i = 0; i < 500; i++) await s.set(key(i), i)
  const pages = s.listPages()
  assert.ok(pages.length > 10)
  assert.equal(pages[0].firstKey, '')
  for (const p of pages) {
    for (const f of ['id', 'firstKey', 'keyCount', 'bytes', 'resident', 'dirty', 'lastModified']) {
      assert.ok(f in p, f)
    }
  }
  assert.equal(pages.reduce((n, p) => n + p.keyCount, 0), 500)
  assert.ok(pages.every((p) => typeof p.lastModified === 'number' && p.lastModified > 1.7e12))
  const report = s.diagnose()
  assert.equal(report.ok, true, report.issues.join('; '))
  await s.flush()
  const dropped = await s.clearCache()
  assert.ok(dropped >= 1)
  assert.equal(s.getStats().cache.residentPages, 0)
  assert.equal(await s.get(key(250)), 250)
  await s.shutdown()
})

test('flush writes dirty pages and sets lastSave', async () => {
  const s = new PagingStorage({ persistence: { autoSaveInterval: 0 } })
  await s.set('a', 1)
  assert.equal(s.getStats().cache.dirtyPages, 1)
  assert.equal(s.getStats().cache.lastSave, null)
  await s.flush()
  assert.equal(s.getStats().cache.dirtyPages, 0)
  assert.ok(s.getStats().cache.lastSave <= Date.now())
  await s.shutdown()
})

test('autoSaveInterval saves dirty pages on its own', async () => {
  const s = new PagingStorage({ persistence: { autoSaveInterval: 20 } })
  await s.set('a', 1)
  const deadline = Date.now() + 2000
  while (s.getStats().cache.dirtyPages > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10))
  }
  assert.equal(s.getStats().cache.dirtyPages, 0)
  await s.shutdown()
})

test('a store reopened on the same backend has every key', async () => {
  const backend = new MemoryBackend()
  const s = tinyStore({ persistence: { backend } })
  for (let i = 0; i < 1000; i++) await s.set(key(i), i)
  await s.shutdown()
  const again = tinyStore({ persistence: { backend } })
  assert.equal(again.getStats().totalKeys, 0) // not ready yet
  await again.ready
  assert.equal(again.getStats().totalKeys, 1000)
  assert.equal(again.getStats().cache.residentPages, 0)
  for (let i = 0; i < 1000; i += 37) assert.equal(await again.get(key(i)), i)
  await again.shutdown()
})

test('shutdown: earlier calls complete, later calls reject CLOSED', async () => {
  const s = tinyStore()
  const pending = [s.set('a', 1), s.set('b', 2), s.get('a')]
  const closing = s.shutdown()
  await rejectsWith(s.set('c', 3), 'CLOSED')
  await rejectsWith(s.get('a'), 'CLOSED')
  const [, , a] = await Promise.all(pending)
  assert.equal(a, 1)
  await closing
  await s.shutdown() // idempotent
  await rejectsWith(s.flush(), 'CLOSED')
  assert.deepEqual(s.listPages(), [])
  assert.equal(s.diagnose().ok, false)
})

test('concurrent calls keep their order', async () => {
  const s = tinyStore()
  const ops = []
  for (let i = 0; i < 300; i++) {
    ops.push(s.set('counter', i))
    ops.push(s.get('counter').then((v) => assert.equal(v, i)))
    if (i % 50 === 0) ops.push(s.delete('counter').then((d) => assert.equal(d, true)))
    if (i % 50 === 0) ops.push(s.has('counter').then((h) => assert.equal(h, false)))
  }
  await Promise.all(ops)
  assert.equal(await s.get('counter'), 299)
  assert.equal(s.diagnose().ok, true)
  await s.shutdown()
})

test('a backend that fails to open rejects every call with OPEN_FAILED', async () => {
  const backend = new MemoryBackend()
  backend.loadManifest = async () => {
    throw new Error('disk on fire')
  }
  const s = new PagingStorage({ persistence: { backend } })
  await rejectsWith(s.ready, 'OPEN_FAILED')
  await rejectsWith(s.get('a'), 'OPEN_FAILED')
  await s.shutdown()
})

test('a failed flush keeps pages dirty, emits error, and succeeds later', async () => {
  const backend = new MemoryBackend()
  const write = backend.writeBatch.bind(backend)
  let fail = true
  backend.writeBatch = async (batch) => {
    if (fail) throw new Error('quota')
    return write(batch)
  }
  const s = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  const errors = []
  s.on('error', (e) => errors.push(e))
  await s.set('a', 1)
  await assert.rejects(s.flush(), /quota/)
  assert.equal(s.getStats().cache.dirtyPages, 1)
  fail = false
  await s.flush()
  assert.equal(s.getStats().cache.dirtyPages, 0)
  assert.equal(await s.get('a'), 1)
  await s.shutdown()
})

test('maxDiskPages: a full budget refuses new values, keeps data, allows deletes', async () => {
  const s = new PagingStorage({ pageSize: 512, persistence: { maxDiskPages: 5, autoSaveInterval: 0 } })
  let refused = null
  let stored = 0
  for (let i = 0; i < 500 && !refused; i++) {
    try {
      await s.set(key(i), 'v'.repeat(40))
      stored++
    } catch (err) {
      refused = err
    }
  }
  assert.equal(refused?.code, 'QUOTA_EXCEEDED', String(refused))
  assert.match(refused.message, /maxDiskPages/)
  const stats = s.getStats()
  assert.ok(stats.cache.diskPressure >= 1, String(stats.cache.diskPressure))
  for (let i = 0; i < stored; i++) assert.equal(await s.get(key(i)), 'v'.repeat(40))
  await rejectsWith(s.set('another', 1), 'QUOTA_EXCEEDED')
  const many = await s.setMany([['x', 1]])
  assert.equal(many[0].error?.code, 'QUOTA_EXCEEDED')
  assert.equal(await s.delete(key(0)), true) // deletes still work
  await s.shutdown()
})

test('a save refused for lack of space blocks new values until a save succeeds', async () => {
  const backend = new MemoryBackend()
  const write = backend.writeBatch.bind(backend)
  let full = true
  backend.writeBatch = async (batch) => {
    if (full) {
      const err = new Error('quota')
      err.name = 'QuotaExceededError'
      const { PagingStorageError: E } = await import('paging-storage')
      throw new E('QUOTA_EXCEEDED', 'the browser storage quota is full', { cause: err })
    }
    return write(batch)
  }
  const s = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  const errors = []
  s.on('error', (e) => errors.push(e.code))
  await s.set('a', 1)
  await rejectsWith(s.flush(), 'QUOTA_EXCEEDED')
  assert.deepEqual(errors, ['QUOTA_EXCEEDED'])
  assert.equal(s.getStats().cache.quotaBlocked, true)
  await rejectsWith(s.set('b', 2), 'QUOTA_EXCEEDED')
  assert.equal(await s.get('a'), 1) // acknowledged data still served
  assert.equal(s.getStats().cache.dirtyPages, 1) // kept for the retry
  full = false
  await s.flush()
  assert.equal(s.getStats().cache.quotaBlocked, false)
  await s.set('b', 2)
  assert.equal(await s.get('b'), 2)
  await s.shutdown()
})

test('regression: every method checks its arguments (getMany("abc") read keys a, b, c; range({limit: 0}) returned everything)', async () => {
  const s = tinyStore()
  await s.setMany([['a', 1], ['b', 2], ['c', 3]])
  await rejectsWith(s.getMany('abc'), 'INVALID_ARGUMENT')
  await rejectsWith(s.getMany(null), 'INVALID_ARGUMENT')
  assert.deepEqual(await s.range({ limit: 0 }), [])
  assert.deepEqual(await s.range({ limit: 2 }), [['a', 1], ['b', 2]])
  assert.equal((await s.range({})).length, 3)
  await rejectsWith(s.range({ prefix: '\ud800' }), 'INVALID_ARGUMENT')
  await rejectsWith(s.range({ limit: -1 }), 'INVALID_ARGUMENT')
  await rejectsWith(s.range(null), 'INVALID_ARGUMENT')
  await rejectsWith(s.keys(5), 'INVALID_ARGUMENT')
  await rejectsWith(s.keys('\udc00'), 'INVALID_ARGUMENT')
  for (const [event, listener] of [['bogus', () => {}], ['change', 5], [undefined, () => {}]]) {
    assert.throws(() => s.on(event, listener), (e) => e.code === 'INVALID_ARGUMENT')
    assert.throws(() => s.off(event, listener), (e) => e.code === 'INVALID_ARGUMENT')
  }
  assert.throws(() => s.watch(5, () => {}), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => s.watch('a', 'not a function'), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => s.replicasFor(''), (e) => e.code === 'INVALID_KEY')
  await rejectsWith(s.delete(null), 'INVALID_KEY')
  await rejectsWith(s.has({}), 'INVALID_KEY')
  await rejectsWith(s.importData('x'), 'INVALID_ARGUMENT')
  await rejectsWith(s.replicated({ timeout: -5 }), 'INVALID_ARGUMENT')
  await s.shutdown()
})

test('regression: a failing backend gives IO_ERROR with the cause and the page budget holds (532 pages were resident with a budget of 4)', async () => {
  const backend = new MemoryBackend()
  let broken = true
  const write = backend.writeBatch.bind(backend)
  backend.writeBatch = async (batch) => {
    if (broken) throw new Error('disk on fire')
    return write(batch)
  }
  const s = new PagingStorage({ pageSize: 512, persistence: { backend, maxMemoryPages: 4, autoSaveInterval: 0, maxDiskPages: 1e6 } })
  const errors = []
  s.on('error', (e) => errors.push(e))
  await rejectsWith(s.flush(), 'IO_ERROR')
  assert.ok(errors.length > 0)
  assert.ok(errors.every((e) => e instanceof PagingStorageError && e.code === 'IO_ERROR' && e.cause?.message === 'disk on fire'))
  let refused = null
  for (let i = 0; i < 3000 && refused === null; i++) {
    try {
      await s.set(key(i), { i, pad: 'x'.repeat(40) })
    } catch (err) {
      refused = err
    }
  }
  assert.equal(refused?.code, 'IO_ERROR', 'writes are refused with the save failure, not QUOTA_EXCEEDED')
  assert.ok(s.getStats().cache.residentPages <= 4 + 2, `${s.getStats().cache.residentPages} resident pages`)
  // The backend heals: a save goes through and writes resume.
  broken = false
  await s.flush()
  await s.set('after', 1)
  assert.equal(await s.get('after'), 1)
  await s.shutdown()
})

test('regression: two stores on one backend object: the second is LOCKED (both used to open, and the data was lost)', async () => {
  const backend = new MemoryBackend()
  const a = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  await a.set('kept', 1)
  const b = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  await rejectsWith(b.ready, 'LOCKED')
  await rejectsWith(b.get('kept'), 'LOCKED')
  await b.shutdown()
  await a.shutdown()
  const c = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  assert.equal(await c.get('kept'), 1)
  await c.shutdown()
})

test('regression: default options take more than the old 2 MB budget (writes were refused at ~11,500 records)', async () => {
  const s = new PagingStorage({ persistence: { autoSaveInterval: 0 } })
  for (let i = 0; i < 20000; i += 1000) {
    const results = await s.setMany(Array.from({ length: 1000 }, (_, j) => [`user:${i + j}`, { name: `user ${i + j}`, age: (i + j) % 90, email: `user${i + j}@example.com` }]))
    assert.ok(results.every((r) => r.success), results.find((r) => !r.success)?.error?.message)
  }
  const stats = s.getStats()
  assert.equal(stats.totalKeys, 20000)
  assert.ok(stats.totalPages > 500, `${stats.totalPages} pages, more than the old default budget of 500`)
  assert.equal(stats.cache.maxDiskPages, Infinity)
  assert.equal(stats.cache.diskPressure, 0)
  await s.shutdown()
})

test('regression: exports carry deletes, so an older backup imported after a newer one brings no deleted key back', async () => {
  const a = tinyStore({ peerId: 'peer-a' })
  await a.setMany([['doc:1', 'v1'], ['doc:2', 'v1']])
  const older = JSON.parse(JSON.stringify(await a.exportData()))
  await a.delete('doc:1')
  await a.set('doc:2', 'v2')
  const newer = JSON.parse(JSON.stringify(await a.exportData()))
  assert.equal(newer.totalKeys, 1, 'live keys only')
  assert.deepEqual(
    newer.data.map((e) => [e.key, e.deleted ?? false, 'value' in e]),
    [['doc:1', true, false], ['doc:2', false, true]]
  )
  const b = tinyStore({ peerId: 'peer-b' })
  await b.importData(older)
  await b.importData(newer)
  assert.equal(await b.has('doc:1'), false, 'the newer backup deleted it')
  assert.equal(await b.get('doc:2'), 'v2')
  // The other order too: the older backup never undoes the newer's delete.
  const c = tinyStore({ peerId: 'peer-c' })
  await c.importData(newer)
  const again = await c.importData(older)
  assert.equal(await c.has('doc:1'), false)
  assert.equal(again.find((r) => r.key === 'doc:1').reason, 'a newer version is stored')
  // Unversioned deletes are plain deletes; a deleted entry with a value is refused.
  const plain = await c.importData({ data: [{ key: 'doc:2', deleted: true }, { key: 'x', deleted: true, value: 1 }, { key: 'y', deleted: 'yes' }] })
  assert.deepEqual(plain.map((r) => [r.imported, r.error?.code]), [[true, undefined], [false, 'INVALID_ARGUMENT'], [false, 'INVALID_ARGUMENT']])
  assert.equal(await c.has('doc:2'), false)
  await Promise.all([a.shutdown(), b.shutdown(), c.shutdown()])
})
