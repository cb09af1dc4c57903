import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'

import { ChangeEvents } from '../../../../js/api/change-events.js'
import { Emitter } from '../../../../js/core/emitter.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { LocalStore } from '../../../../js/store/local-store.js'

/** A fake local store: an Emitter for 'applied', counting subscriptions. */
function fakeStore() {
  const emitter = new Emitter()
  const store = {
    subscribed: 0,
    /** @type {unknown[][]} every list of watch targets given */
    watched: [],
    watch(targets) {
      this.watched.push(targets)
    },
    on(event, fn) {
      assert.equal(event, 'applied')
      this.subscribed++
      const off = emitter.on(event, fn)
      return () => {
        this.subscribed--
        off()
      }
    },
    apply(records) {
      emitter.emit('applied', records.map((record) => ({ record, replicate: true, existed: false })))
    }
  }
  return store
}

const rec = (key, extra = {}) => ({ key, hlc: '0000000000010000', origin: 'peer', deleted: false, json: '{"v":1}', ...extra })

describe("ChangeEvents subscribes to 'applied' only while listened to", () => {
  test('the first listener subscribes, the last one leaving unsubscribes', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    assert.equal(store.subscribed, 0)
    const a = () => {}
    const b = () => {}
    const offA = changes.on(a)
    assert.equal(store.subscribed, 1)
    changes.on(b)
    assert.equal(store.subscribed, 1)
    offA()
    assert.equal(store.subscribed, 1)
    changes.off(b)
    assert.equal(store.subscribed, 0)
    changes.on(a)
    assert.equal(store.subscribed, 1)
  })

  test('watch subscriptions count the same way', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    const off1 = changes.watch('a', () => {})
    const off2 = changes.watch({ key: 'b' }, () => {})
    assert.equal(store.subscribed, 1)
    off1()
    off2()
    assert.equal(store.subscribed, 0)
  })

  test('the watched targets go to the store (to subscribe at the peers), counted: the last unwatch removes one', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    const off1 = changes.watch('doc:', () => {})
    const off2 = changes.watch({ prefix: 'doc:' }, () => {})
    const off3 = changes.watch({ key: 'k' }, () => {})
    assert.deepEqual(store.watched, [[{ prefix: 'doc:' }], [{ prefix: 'doc:' }, { key: 'k' }]])
    off1()
    off1() // twice: once only
    assert.equal(store.watched.length, 2)
    off2()
    assert.deepEqual(store.watched.at(-1), [{ key: 'k' }])
    off3()
    assert.deepEqual(store.watched.at(-1), [])
  })

  test('listeners of other events on the shared emitter do not keep it subscribed', () => {
    const store = fakeStore()
    const events = new Emitter()
    events.on('error', () => {})
    const changes = new ChangeEvents(/** @type {any} */ (store), events)
    const off = changes.on(() => {})
    assert.equal(store.subscribed, 1)
    off()
    assert.equal(store.subscribed, 0)
    assert.equal(events.has('error'), true)
  })

  test('a bad watch target or listener subscribes nothing', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    assert.throws(() => changes.watch(/** @type {any} */ (42), () => {}), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => changes.watch('a', /** @type {any} */ ('not a function')), { code: 'INVALID_ARGUMENT', message: /listener function/ })
    assert.equal(store.subscribed, 0)
  })
})

describe('ChangeEvents payloads', () => {
  test("one 'change' per applied record: key, value, deleted, origin, hlc", () => {
    const store = fakeStore()
    const events = new Emitter()
    const changes = new ChangeEvents(/** @type {any} */ (store), events)
    const seen = []
    changes.on((e) => seen.push(e))
    const parsed = { already: 'parsed' }
    store.apply([rec('a'), rec('b', { deleted: true, json: null }), rec('c', { json: '"ignored"', value: parsed })])
    assert.deepEqual(seen, [
      { key: 'a', value: { v: 1 }, deleted: false, origin: 'peer', hlc: '0000000000010000' },
      { key: 'b', value: undefined, deleted: true, origin: 'peer', hlc: '0000000000010000' },
      { key: 'c', value: parsed, deleted: false, origin: 'peer', hlc: '0000000000010000' }
    ])
    assert.equal(seen[2].value, parsed, 'a value parsed once is not parsed again')
  })

  test('each listener gets the same payload; values decoded from JSON are fresh per event', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    const seen = []
    changes.on((e) => seen.push(e))
    store.apply([rec('a')])
    store.apply([rec('a')])
    assert.notEqual(seen[0].value, seen[1].value)
  })

  test('watch filters by prefix, { prefix } and { key }', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    const got = { str: [], prefix: [], key: [] }
    changes.watch('user:', (e) => got.str.push(e.key))
    changes.watch({ prefix: 'doc:' }, (e) => got.prefix.push(e.key))
    changes.watch({ key: 'doc:1' }, (e) => got.key.push(e.key))
    store.apply(['user:1', 'doc:1', 'doc:10', 'users', 'doc'].map((k) => rec(k)))
    assert.deepEqual(got, { str: ['user:1'], prefix: ['doc:1', 'doc:10'], key: ['doc:1'] })
  })
})

describe('ChangeEvents over a real LocalStore', () => {
  let store
  afterEach(() => store?.close())

  test('local writes, deletes and peer merges arrive as changes; none after unsubscribing', async () => {
    store = new LocalStore(
      { peerId: 'me', pageSize: 4096, splitThreshold: 3276, mergeThreshold: 819, maxMemoryPages: 10, maxKeyBytes: 64, maxValueBytes: 1000, virtualNodes: 8, maxDiskPages: 1e6 },
      new MemoryBackend()
    )
    const changes = new ChangeEvents(store, new Emitter())
    const seen = []
    const off = changes.on((e) => seen.push(e))
    await store.write([{ type: 'put', key: 'a', json: '{"n":1}', replicate: true }])
    await store.write([{ type: 'delete', key: 'a', replicate: true }])
    await store.write([{ type: 'merge', key: 'p', hlc: '0000000000020000', origin: 'peer', deleted: false, json: '2', replicate: false }])
    off()
    await store.write([{ type: 'put', key: 'quiet', json: '1', replicate: true }])
    assert.deepEqual(
      seen.map((e) => [e.key, e.value, e.deleted, e.origin]),
      [
        ['a', { n: 1 }, false, 'me'],
        ['a', undefined, true, 'me'],
        ['p', 2, false, 'peer']
      ]
    )
    assert.equal(seen[2].hlc, '0000000000020000')
    assert.ok(seen[0].hlc < seen[1].hlc)
  })
})

describe('regression: listeners shared one value object (one mutated what the next saw)', () => {
  test('every listener gets its own value', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    const seen = []
    changes.on((e) => {
      e.value.v = 'mutated'
      seen.push(['first', e.value])
    })
    changes.on((e) => seen.push(['second', e.value]))
    store.apply([rec('k', { value: { v: 1 } })])
    assert.deepEqual(seen, [
      ['first', { v: 'mutated' }],
      ['second', { v: 1 }]
    ])
  })

  test('a value already parsed goes to one listener; one that never reads the value parses nothing', () => {
    const store = fakeStore()
    const changes = new ChangeEvents(/** @type {any} */ (store))
    const parsed = { v: 1 }
    const got = []
    changes.on((e) => got.push(e.key)) // never reads e.value
    changes.on((e) => got.push(e.value))
    changes.on((e) => got.push(e.value))
    const parse = JSON.parse
    let parses = 0
    JSON.parse = (...args) => {
      parses++
      return parse(...args)
    }
    try {
      store.apply([rec('k', { value: parsed })])
    } finally {
      JSON.parse = parse
    }
    assert.equal(got[0], 'k')
    assert.equal(got[1], parsed, 'the first reader takes the value parsed once')
    assert.deepEqual(got[2], { v: 1 })
    assert.notEqual(got[2], parsed)
    assert.equal(parses, 1, 'only the third listener parsed')
  })
})
