// The persisted peer identity: one id per profile and persistenceKey.
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { persistedPeerId, randomPeerId } from '../../../../js/api/identity.js'
import { normalizeOptions } from '../../../../js/api/options.js'

/** A Storage stand-in (Node has no localStorage). */
function fakeStorage() {
  const m = new Map()
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    map: m
  }
}

afterEach(() => {
  delete globalThis.localStorage
})

test('randomPeerId: 40 lowercase hex digits (the form PeerPigeon accepts), different each time', () => {
  const a = randomPeerId()
  assert.match(a, /^[0-9a-f]{40}$/)
  assert.notEqual(a, randomPeerId())
})

test('persistedPeerId: created once per persistenceKey, then the same', () => {
  globalThis.localStorage = fakeStorage()
  const a = persistedPeerId('app')
  assert.match(a, /^[0-9a-f]{40}$/)
  assert.equal(persistedPeerId('app'), a)
  assert.notEqual(persistedPeerId('other'), a)
})

test('persistedPeerId: a damaged entry is replaced; no localStorage, or one that throws, gives null', () => {
  const s = fakeStorage()
  globalThis.localStorage = s
  s.setItem('paging-storage:peer-id:app', 'not an id')
  assert.match(persistedPeerId('app'), /^[0-9a-f]{40}$/)
  delete globalThis.localStorage
  assert.equal(persistedPeerId('app'), null)
  globalThis.localStorage = { getItem: () => { throw new Error('denied') } }
  assert.equal(persistedPeerId('app'), null)
})

test('a store with a browser backend and no peerId takes the kept id; memory backends and given ids do not', () => {
  globalThis.localStorage = fakeStorage()
  const kept = persistedPeerId('k')
  assert.equal(normalizeOptions({ persistence: { persistenceKey: 'k', backend: 'localstorage' } }).peerId, kept)
  assert.equal(normalizeOptions({ persistence: { persistenceKey: 'k', backend: 'indexeddb' } }).peerId, kept)
  assert.notEqual(normalizeOptions({ persistence: { persistenceKey: 'k', backend: 'memory' } }).peerId, kept)
  assert.equal(normalizeOptions({ peerId: 'mine', persistence: { persistenceKey: 'k', backend: 'localstorage' } }).peerId, 'mine')
})

test("regression: the store's data keeps its peer id, which a default id gives way to (localStorage lost the id in a crash: a new, empty peer)", async () => {
  const { PagingStorage, MemoryBackend } = await import('../../../../js/index.js')
  const backend = new MemoryBackend()
  const first = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  await first.ready
  const id = first.peerId
  await first.set('k', 1)
  await first.shutdown()
  const again = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
  await again.ready
  assert.equal(again.peerId, id)
  assert.equal(again.getStats().peerId, id)
  await again.shutdown()
  const given = new PagingStorage({ peerId: 'chosen', persistence: { backend, autoSaveInterval: 0 } })
  await given.ready
  assert.equal(given.peerId, 'chosen', 'a given id stays')
  await given.shutdown()
})
