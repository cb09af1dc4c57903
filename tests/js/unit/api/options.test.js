import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingStorageError } from '../../../../js/core/errors.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'
import { normalizeOptions, storeConfig } from '../../../../js/api/options.js'

function invalid(options, pattern) {
  assert.throws(
    () => normalizeOptions(options),
    (err) => {
      assert.ok(err instanceof PagingStorageError)
      assert.equal(err.code, 'INVALID_ARGUMENT')
      if (pattern) assert.match(err.message, pattern)
      return true
    }
  )
}

describe('normalizeOptions defaults (README "Options")', () => {
  test('every default filled in, thresholds in bytes', () => {
    const o = normalizeOptions()
    assert.match(o.peerId, /^[0-9a-f]{40}$/)
    assert.deepEqual(
      { ...o, peerId: 'x' },
      {
        peerId: 'x',
        peerIdDefaulted: true,
        pigeon: null,
        transport: null,
        servers: [],
        ringWeight: 1,
        durableAcks: false,
        replicationFactor: 3,
        virtualNodes: 128,
        readTimeout: 3000,
        tombstoneGracePeriod: 604800000,
        sync: {
          heartbeatInterval: 2000,
          peerTimeout: 7000,
          retryInterval: 2000,
          antiEntropyInterval: 30000,
          maxClockDrift: 300000,
          rateLimit: { messages: 2000, bytes: 32 * 1024 * 1024 }
        },
        pageSize: 4096,
        maxCachePages: 100,
        splitThreshold: 3276,
        mergeThreshold: 819,
        maxKeyBytes: 1024,
        maxValueBytes: 1048576,
        persistence: {
          maxMemoryPages: 50,
          maxDiskPages: Infinity,
          persistenceKey: 'paging_storage',
          autoSaveInterval: 30000,
          durability: 'strict',
          writeBufferPages: 25,
          backend: undefined,
          dir: undefined,
          shareTabs: true
        }
      }
    )
  })

  test('persistence.dir: a non-empty string when given', () => {
    assert.equal(normalizeOptions({ persistence: { backend: 'file', dir: '/data' } }).persistence.dir, '/data')
    for (const dir of ['', 5, null]) {
      assert.throws(() => normalizeOptions({ persistence: { dir } }), { code: 'INVALID_ARGUMENT', message: /persistence\.dir/ })
    }
  })

  test('servers: ws:// or wss:// addresses, one or a list, duplicates dropped; a networked store', () => {
    assert.deepEqual(normalizeOptions({}).servers, [])
    assert.deepEqual(normalizeOptions({ servers: 'ws://a:1' }).servers, ['ws://a:1'])
    const o = normalizeOptions({ servers: ['wss://b/x', 'ws://a:1', 'wss://b/x'] })
    assert.deepEqual(o.servers, ['wss://b/x', 'ws://a:1'])
    assert.equal(storeConfig(o).purgeWhenFull, false)
    for (const servers of ['http://a', ['ws://ok', 5], ['ws://has space'], {}, Array(65).fill('ws://x')]) {
      assert.throws(() => normalizeOptions({ servers }), { code: 'INVALID_ARGUMENT', message: /option servers/ })
    }
  })

  test("persistence.durability: 'strict' or 'relaxed', nothing else", () => {
    assert.equal(normalizeOptions({ persistence: { durability: 'relaxed' } }).persistence.durability, 'relaxed')
    for (const durability of ['default', null, 1]) {
      assert.throws(() => normalizeOptions({ persistence: { durability } }), { code: 'INVALID_ARGUMENT', message: /durability/ })
    }
  })

  test('each store gets its own random peer id', () => {
    assert.notEqual(normalizeOptions().peerId, normalizeOptions().peerId)
  })

  test('partial nested options keep the other defaults', () => {
    const o = normalizeOptions({ sync: { retryInterval: 5, rateLimit: { messages: 10 } }, persistence: { maxMemoryPages: 4 } })
    assert.equal(o.sync.retryInterval, 5)
    assert.equal(o.sync.heartbeatInterval, 2000)
    assert.deepEqual(o.sync.rateLimit, { messages: 10, bytes: 32 << 20 })
    assert.equal(o.persistence.maxMemoryPages, 4)
    assert.equal(o.persistence.maxDiskPages, Infinity)
  })

  test('regression: no disk budget by default (writes were refused at ~11,500 small records: 2 MB); Infinity or a whole number', () => {
    assert.equal(normalizeOptions().persistence.maxDiskPages, Infinity)
    assert.equal(normalizeOptions({ persistence: { maxDiskPages: Infinity } }).persistence.maxDiskPages, Infinity)
    assert.equal(normalizeOptions({ persistence: { maxDiskPages: 500 } }).persistence.maxDiskPages, 500)
    assert.equal(normalizeOptions({ persistence: { maxDiskPages: 1e12 } }).persistence.maxDiskPages, 1e12)
    for (const bad of [0, -1, 2.5, NaN, '500', 1e12 + 1, -Infinity]) {
      assert.throws(() => normalizeOptions({ persistence: { maxDiskPages: bad } }), { code: 'INVALID_ARGUMENT' })
    }
  })

  test('given values are kept', () => {
    const backend = { custom: true }
    const o = normalizeOptions({ peerId: 'me', pageSize: 512, persistence: { backend, persistenceKey: 'k' }, pigeon: 'p' })
    assert.equal(o.peerId, 'me')
    assert.equal(o.pageSize, 512)
    assert.equal(o.persistence.backend, backend)
    assert.equal(o.persistence.persistenceKey, 'k')
    assert.equal(o.pigeon, 'p')
  })
})

describe('normalizeOptions checks', () => {
  test('options must be an object', () => {
    invalid(null, /options must be an object/)
    invalid(5)
    invalid('x')
  })

  const ranges = [
    ['pageSize', 256, 16 << 20, (v) => ({ pageSize: v, splitThreshold: 0.8, mergeThreshold: 0.2 })],
    ['replicationFactor', 1, 64, (v) => ({ replicationFactor: v })],
    ['virtualNodes', 1, 4096, (v) => ({ virtualNodes: v })],
    ['readTimeout', 1, 600000, (v) => ({ readTimeout: v })],
    ['tombstoneGracePeriod', 0, 10 * 365 * 86400000, (v) => ({ tombstoneGracePeriod: v })],
    ['maxCachePages', 0, 1e9, (v) => ({ maxCachePages: v })],
    ['maxKeyBytes', 1, 64 * 1024, (v) => ({ maxKeyBytes: v })],
    ['maxValueBytes', 1, 64 << 20, (v) => ({ maxValueBytes: v })],
    ['sync.retryInterval', 1, 3600000, (v) => ({ sync: { retryInterval: v } })],
    ['sync.antiEntropyInterval', 0, 2 ** 31 - 1, (v) => ({ sync: { antiEntropyInterval: v } })],
    ['sync.maxClockDrift', 0, 365 * 86400000, (v) => ({ sync: { maxClockDrift: v } })],
    ['sync.rateLimit.messages', 1, 1e9, (v) => ({ sync: { rateLimit: { messages: v } } })],
    ['sync.rateLimit.bytes', 1024, 1e12, (v) => ({ sync: { rateLimit: { bytes: v } } })],
    ['persistence.maxMemoryPages', 1, 1e9, (v) => ({ persistence: { maxMemoryPages: v } })],
    // persistence.maxDiskPages also takes Infinity: its own test below.
    ['persistence.autoSaveInterval', 0, 2 ** 31 - 1, (v) => ({ persistence: { autoSaveInterval: v } })]
  ]
  for (const [name, min, max, make] of ranges) {
    test(`${name}: whole numbers from ${min} to ${max}`, () => {
      assert.doesNotThrow(() => normalizeOptions(make(min)))
      assert.doesNotThrow(() => normalizeOptions(make(max)))
      const message = new RegExp(`option ${name.replace(/\./g, '\\.')} must be a whole number from ${min} to ${max}`)
      for (const bad of [min - 1, max + 1, min + 0.5, '10', NaN, Infinity]) invalid(make(bad), message)
    })
  }

  test('sync.peerTimeout must be longer than sync.heartbeatInterval', () => {
    invalid({ sync: { heartbeatInterval: 1000, peerTimeout: 1000 } }, /peerTimeout must be longer/)
    assert.doesNotThrow(() => normalizeOptions({ sync: { heartbeatInterval: 1000, peerTimeout: 1001 } }))
    invalid({ sync: { heartbeatInterval: 9000 } }, /peerTimeout/)
  })

  test('peerId: a well-formed string', () => {
    invalid({ peerId: '' }, /peerId/)
    invalid({ peerId: 5 }, /peerId/)
    invalid({ peerId: 'a\ud800' }, /peerId/)
    assert.doesNotThrow(() => normalizeOptions({ peerId: 'x'.repeat(255) }))
    invalid({ peerId: 'x'.repeat(256) }, /peerId/)
  })

  test('regression: peerId length is counted in UTF-8 bytes, the engine refuses more', async () => {
    assert.doesNotThrow(() => normalizeOptions({ peerId: 'é'.repeat(127) }))
    invalid({ peerId: 'é'.repeat(128) }, /peerId must be a string of 1 to 255 bytes/)
    // What normalizeOptions accepts, the engine opens with.
    const module = await loadModule()
    for (const peerId of ['x'.repeat(255), 'é'.repeat(127) + 'x', '😀'.repeat(63) + 'abc']) {
      const engine = new WasmEngine(module, storeConfig(normalizeOptions({ peerId })), null)
      engine.close()
    }
  })

  test('persistenceKey: a non-empty string', () => {
    invalid({ persistence: { persistenceKey: '' } }, /persistenceKey/)
    invalid({ persistence: { persistenceKey: 7 } }, /persistenceKey/)
  })
})

describe('normalizeOptions thresholds', () => {
  test('a fraction of pageSize, floored', () => {
    const o = normalizeOptions({ pageSize: 1000, splitThreshold: 0.75, mergeThreshold: 0.333 })
    assert.equal(o.splitThreshold, 750)
    assert.equal(o.mergeThreshold, 333)
  })

  test('a byte count, as given', () => {
    const o = normalizeOptions({ splitThreshold: 3276, mergeThreshold: 819 })
    assert.equal(o.splitThreshold, 3276)
    assert.equal(o.mergeThreshold, 819)
  })

  test('1 is the whole page; byte counts up to pageSize', () => {
    assert.equal(normalizeOptions({ splitThreshold: 1 }).splitThreshold, 4096)
    assert.equal(normalizeOptions({ splitThreshold: 4096 }).splitThreshold, 4096)
    invalid({ splitThreshold: 4097 }, /splitThreshold must be a whole number from 1 to 4096/)
  })

  test('not a positive number', () => {
    for (const bad of [0, -0.5, NaN, '0.8']) invalid({ splitThreshold: bad }, /splitThreshold must be a positive number/)
    invalid({ mergeThreshold: -1 }, /mergeThreshold must be a positive number/)
  })

  test('a fraction that rounds to no bytes, or a fractional byte count', () => {
    invalid({ pageSize: 256, mergeThreshold: 0.001 }, /mergeThreshold/)
    invalid({ splitThreshold: 100.5 }, /splitThreshold/)
  })

  test('mergeThreshold must be below splitThreshold', () => {
    invalid({ splitThreshold: 0.5, mergeThreshold: 0.5 }, /mergeThreshold must be below splitThreshold/)
    invalid({ splitThreshold: 1000, mergeThreshold: 2000 }, /below/)
  })
})

describe('storeConfig', () => {
  test('the local store takes its fields from the options', () => {
    const o = normalizeOptions({ peerId: 'me', pageSize: 512, virtualNodes: 7, persistence: { maxMemoryPages: 3, maxDiskPages: 9 } })
    assert.deepEqual(storeConfig(o), {
      peerId: 'me',
      adoptPeerId: false,
      pageSize: 512,
      splitThreshold: 409,
      mergeThreshold: 102,
      maxMemoryPages: 3,
      writeBufferPages: 0,
      maxKeyBytes: 1024,
      maxValueBytes: 1048576,
      maxClockDrift: 300000,
      virtualNodes: 7,
      maxDiskPages: 9,
      purgeWhenFull: true
    })
    assert.equal(storeConfig(normalizeOptions({ transport: /** @type {any} */ ({ peerId: 'me' }) })).purgeWhenFull, false, 'not with peers')
    assert.equal(storeConfig(normalizeOptions({})).adoptPeerId, true, "a default id gives way to the one the store's data keeps")
    assert.equal(storeConfig(normalizeOptions({ transport: /** @type {any} */ ({ peerId: 'me' }) })).adoptPeerId, false, "a network's id stays")
  })

  test('every configuration normalizeOptions accepts opens an engine', async () => {
    const module = await loadModule()
    for (const options of [{}, { pageSize: 256 }, { pageSize: 256, splitThreshold: 1, mergeThreshold: 255 }, { maxKeyBytes: 1, maxValueBytes: 1 }, { sync: { maxClockDrift: 365 * 86400000 } }, { sync: { maxClockDrift: 0 } }]) {
      const engine = new WasmEngine(module, storeConfig(normalizeOptions(options)), null)
      engine.close()
    }
  })
})

test('persistence.writeBufferPages: half the budget by default from 8 pages on; at most half the budget and the budget less 2 pages', () => {
  const byDefault = (maxMemoryPages) => normalizeOptions({ persistence: { maxMemoryPages } }).persistence.writeBufferPages
  assert.equal(normalizeOptions({}).persistence.writeBufferPages, 25)
  assert.deepEqual([byDefault(1), byDefault(7), byDefault(8), byDefault(9), byDefault(1000)], [0, 0, 4, 4, 500])
  assert.equal(normalizeOptions({ persistence: { writeBufferPages: 0 } }).persistence.writeBufferPages, 0)
  const most = (maxMemoryPages) => {
    let n = 0
    while (n < 100) {
      try {
        normalizeOptions({ persistence: { maxMemoryPages, writeBufferPages: n + 1 } })
      } catch {
        break
      }
      n++
    }
    return n
  }
  assert.deepEqual([most(2), most(3), most(4), most(8), most(50)], [0, 1, 2, 4, 25])
})

test('persistence.writeBufferPages: a whole number up to half of maxMemoryPages', () => {
  assert.equal(normalizeOptions({ persistence: { maxMemoryPages: 50, writeBufferPages: 25 } }).persistence.writeBufferPages, 25)
  for (const bad of [26, -1, 1.5, '4']) {
    assert.throws(() => normalizeOptions({ persistence: { maxMemoryPages: 50, writeBufferPages: bad } }), { code: 'INVALID_ARGUMENT' })
  }
})
