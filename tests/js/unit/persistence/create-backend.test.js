import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'

import { createBackend, createCacheBackend, sharedBackendName } from '../../../../js/persistence/create-backend.js'
import { FileBackend } from '../../../../js/persistence/file.js'
import { IndexedDBBackend } from '../../../../js/persistence/indexeddb.js'
import { LocalStorageBackend } from '../../../../js/persistence/localstorage.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'

const NAMES = ['indexedDB', 'localStorage']
const saved = new Map(NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)]))
afterEach(() => {
  for (const name of NAMES) {
    const d = saved.get(name)
    if (d) Object.defineProperty(globalThis, name, d)
    else delete (/** @type {any} */ (globalThis))[name]
  }
})
const setGlobal = (name, value) => Object.defineProperty(globalThis, name, { value, configurable: true, writable: true })

describe('createBackend', () => {
  test("'memory', and the default without IndexedDB (Node)", () => {
    setGlobal('indexedDB', undefined)
    assert.ok(createBackend({ backend: 'memory', persistenceKey: 'k' }) instanceof MemoryBackend)
    assert.ok(createBackend({ persistenceKey: 'k' }) instanceof MemoryBackend)
    assert.ok(createBackend({ backend: undefined, persistenceKey: 'k' }) instanceof MemoryBackend)
  })

  test("IndexedDB is the default where it exists; named after the persistenceKey", () => {
    setGlobal('indexedDB', { open() {} })
    const b = createBackend({ persistenceKey: 'app' })
    assert.ok(b instanceof IndexedDBBackend)
    assert.equal(b.name, 'paging-storage:app')
    assert.ok(createBackend({ backend: 'indexeddb', persistenceKey: 'x' }) instanceof IndexedDBBackend)
  })

  test("'indexeddb' where there is none: INVALID_ARGUMENT", () => {
    setGlobal('indexedDB', undefined)
    assert.throws(() => createBackend({ backend: 'indexeddb', persistenceKey: 'k' }), { code: 'INVALID_ARGUMENT', message: /IndexedDB is not available/ })
  })

  test("'localstorage', named after the persistenceKey; INVALID_ARGUMENT where there is none", () => {
    setGlobal('localStorage', { getItem: () => null, setItem() {}, removeItem() {} })
    const b = createBackend({ backend: 'localstorage', persistenceKey: 'app' })
    assert.ok(b instanceof LocalStorageBackend)
    assert.equal(b.name, 'paging-storage:app')
    setGlobal('localStorage', undefined)
    assert.throws(() => createBackend({ backend: 'localstorage', persistenceKey: 'k' }), { code: 'INVALID_ARGUMENT', message: /localStorage is not available/ })
  })

  test('a backend object with the whole interface is used as is', () => {
    const custom = { loadManifest() {}, readPages() {}, writeBatch() {}, clear() {}, close() {} }
    assert.equal(createBackend({ backend: custom, persistenceKey: 'k' }), custom)
    const instance = new MemoryBackend()
    assert.equal(createBackend({ backend: instance, persistenceKey: 'k' }), instance)
  })

  test('a backend object lacking methods: INVALID_ARGUMENT naming them', () => {
    assert.throws(() => createBackend({ backend: { loadManifest() {}, readPages() {}, close: 'no' }, persistenceKey: 'k' }), {
      name: 'PagingStorageError',
      code: 'INVALID_ARGUMENT',
      message: 'persistence.backend lacks writeBatch, clear, close'
    })
    assert.throws(() => createBackend({ backend: {}, persistenceKey: 'k' }), { message: /lacks loadManifest, readPages, writeBatch, clear, close/ })
  })

  test("'file' in Node: under persistence.dir, per persistenceKey; its remote cache beside it; no tab sharing (the database's own lock)", async () => {
    const b = createBackend({ backend: 'file', dir: '/tmp/somewhere/', persistenceKey: 'k' })
    assert.ok(b instanceof FileBackend)
    assert.equal(/** @type {FileBackend} */ (b).path, '/tmp/somewhere/k')
    const cache = createCacheBackend({ backend: 'file', dir: '/tmp/somewhere', persistenceKey: 'k' })
    assert.equal(/** @type {FileBackend} */ (cache).path, '/tmp/somewhere/k%3Aremote-cache')
    assert.equal(sharedBackendName({ backend: 'file', persistenceKey: 'k' }), null)
  })

  test("'file' without a dir, or outside Node: INVALID_ARGUMENT", () => {
    assert.throws(() => createBackend({ backend: 'file', persistenceKey: 'k' }), { code: 'INVALID_ARGUMENT', message: /persistence\.dir/ })
    const versions = process.versions
    Object.defineProperty(process, 'versions', { value: {}, configurable: true })
    try {
      assert.throws(() => createBackend({ backend: 'file', dir: '/tmp', persistenceKey: 'k' }), { code: 'INVALID_ARGUMENT', message: /needs Node/ })
    } finally {
      Object.defineProperty(process, 'versions', { value: versions, configurable: true })
    }
  })

  test('anything else: INVALID_ARGUMENT', () => {
    for (const bad of ['IndexedDB', 'disk', 5, true]) {
      assert.throws(() => createBackend({ backend: bad, persistenceKey: 'k' }), { code: 'INVALID_ARGUMENT', message: /unknown persistence\.backend/ })
    }
  })
})
