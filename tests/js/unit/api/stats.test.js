import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'

import { normalizeOptions, storeConfig } from '../../../../js/api/options.js'
import { diagnosis, pageList, storageStats } from '../../../../js/api/stats.js'
import { StatusCode } from '../../../../js/core/errors.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { LocalStore } from '../../../../js/store/local-store.js'

const opts = normalizeOptions({ peerId: 'me', pageSize: 256, persistence: { maxMemoryPages: 2, maxDiskPages: 200 }, maxCachePages: 7 })

const ENGINE = {
  pages: 50,
  liveKeys: 400,
  tombstones: 3,
  bytes: 12345,
  residentPages: 2,
  dirtyPages: 1,
  corruptPages: 0,
  bufferedWrites: 9,
  runPages: 6,
  runMerges: 3,
  memoryPressure: 1,
  hlc: '0000000000010000'
}
const COUNTERS = { queue: 4, pageLoads: 17, flushes: 5, lastSave: 1234, quotaBlocked: false }

function fakeLocal({ engine = ENGINE, counters = COUNTERS, pages = [], invariants = { code: 0, message: '' }, isOpen = true } = {}) {
  return {
    engineCalls: 0,
    isOpen,
    engineStats() {
      this.engineCalls++
      return engine
    },
    counters,
    listPages: () => pages,
    checkInvariants: () => invariants
  }
}

describe('storageStats', () => {
  test('a local store: engine figures, counters, options; the DHT disabled', () => {
    const s = storageStats({ state: 'open', peerId: 'me', opts, local: /** @type {any} */ (fakeLocal()), replicated: null })
    assert.deepEqual(s, {
      ready: true,
      peerId: 'me',
      totalPages: 50,
      totalKeys: 400,
      tombstones: 3,
      bytes: 12345,
      connectedPeers: 0,
      cache: {
        residentPages: 2,
        maxMemoryPages: 2,
        memoryPressure: 1,
        dirtyPages: 1,
        corruptPages: 0,
        bufferedWrites: 9,
        runPages: 6,
        runMerges: 3,
        pageLoads: 17,
        flushes: 5,
        lastSave: 1234,
        maxCachePages: 7,
        remoteRecords: 0,
        remoteBytes: 0,
        remotePages: 0,
        maxDiskPages: 200,
        diskPressure: 0.25,
        quotaBlocked: false
      },
      dht: { enabled: false, virtualNodes: 128, replicationFactor: 3, peers: 0, ownedKeys: 400, replicaKeys: 0, loadStdDev: 0, isLoadBalanced: true },
      sync: {
        pendingReplications: 0,
        underReplicated: 0,
        messagesIn: 0,
        messagesOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        rejected: 0,
        rejectedWhy: {},
        refusedWhy: {},
        excludedPeers: 0,
        partialChars: 0,
        throttled: 0,
        restamped: 0,
        audits: { sent: 0, passed: 0, failed: 0, answered: 0 },
        subscriptions: { watching: 0, keys: 0, prefixes: 0, subscribers: 0, pubsIn: 0, pubsOut: 0 }
      },
      queue: 4
    })
  })

  test('ready only when open', () => {
    for (const state of ['opening', 'closing', 'failed']) {
      assert.equal(storageStats({ state, peerId: 'me', opts, local: /** @type {any} */ (fakeLocal()), replicated: null }).ready, false)
    }
  })

  test('closed: the engine is not asked; zeros', () => {
    const local = fakeLocal()
    const s = storageStats({ state: 'closed', peerId: 'me', opts, local: /** @type {any} */ (local), replicated: null })
    assert.equal(local.engineCalls, 0)
    assert.equal(s.totalPages, 0)
    assert.equal(s.totalKeys, 0)
    assert.equal(s.cache.residentPages, 0)
    assert.equal(s.cache.diskPressure, 0)
    assert.equal(s.cache.pageLoads, 17, 'counters stay')
  })

  test('before open (no engine stats): zeros', () => {
    const s = storageStats({ state: 'opening', peerId: 'me', opts, local: /** @type {any} */ (fakeLocal({ engine: /** @type {any} */ (null) })), replicated: null })
    assert.equal(s.totalKeys, 0)
    assert.equal(s.dht.ownedKeys, 0)
  })

  test('replicated: sync counters and the load spread of the shares', () => {
    const sync = {
      connectedPeers: 2,
      members: 3,
      shares: [1, 1, 1],
      ownedKeys: 120,
      replicaKeys: 280,
      pendingReplications: 6,
      messagesIn: 10,
      messagesOut: 11,
      bytesIn: 100,
      bytesOut: 110,
      rejected: 1,
      rejectedWhy: { rate: 1 },
      refusedWhy: { x: 2 },
      excludedPeers: 1,
      partialChars: 7,
      throttled: 3,
      restamped: 4,
      audits: { sent: 9, passed: 7, failed: 1, answered: 2 },
      underReplicated: 2,
      remoteRecords: 5,
      subscriptions: { watching: 3, keys: 1, prefixes: 1, subscribers: 2, pubsIn: 4, pubsOut: 5 }
    }
    const s = storageStats({ state: 'open', peerId: 'me', opts, local: /** @type {any} */ (fakeLocal()), replicated: /** @type {any} */ ({ stats: sync }) })
    assert.equal(s.connectedPeers, 2)
    assert.deepEqual(s.dht, { enabled: true, virtualNodes: 128, replicationFactor: 3, peers: 3, ownedKeys: 120, replicaKeys: 280, loadStdDev: 0, isLoadBalanced: true })
    assert.deepEqual(s.sync, {
      pendingReplications: 6,
      underReplicated: 2,
      messagesIn: 10,
      messagesOut: 11,
      bytesIn: 100,
      bytesOut: 110,
      rejected: 1,
      rejectedWhy: { rate: 1 },
      refusedWhy: { x: 2 },
      excludedPeers: 1,
      partialChars: 7,
      throttled: 3,
      restamped: 4,
      audits: { sent: 9, passed: 7, failed: 1, answered: 2 },
      subscriptions: { watching: 3, keys: 1, prefixes: 1, subscribers: 2, pubsIn: 4, pubsOut: 5 }
    })
    assert.equal(s.cache.remoteRecords, 5)

    // Coefficient of variation: shares 0.5 and 1.5 -> sd 0.5 / mean 1.
    const skewed = storageStats({ state: 'open', peerId: 'me', opts, local: /** @type {any} */ (fakeLocal()), replicated: /** @type {any} */ ({ stats: { ...sync, shares: [0.5, 1.5] } }) })
    assert.ok(Math.abs(skewed.dht.loadStdDev - 0.5) < 1e-12)
    assert.equal(skewed.dht.isLoadBalanced, false)
    const slight = storageStats({ state: 'open', peerId: 'me', opts, local: /** @type {any} */ (fakeLocal()), replicated: /** @type {any} */ ({ stats: { ...sync, shares: [0.95, 1.05] } }) })
    assert.equal(slight.dht.isLoadBalanced, true)
  })
})

describe('pageList', () => {
  test('the engine directory as PageSummary', () => {
    const pages = [
      { id: 1, lowerKey: '', keyCount: 3, bytes: 90, resident: true, dirty: false, corrupt: false, lastModifiedMs: 0, entryCount: 4 },
      { id: 7, lowerKey: 'm', keyCount: 1, bytes: 30, resident: false, dirty: true, corrupt: true, lastModifiedMs: 1700000000000 }
    ]
    assert.deepEqual(pageList(/** @type {any} */ (fakeLocal({ pages }))), [
      { id: 1, firstKey: '', keyCount: 3, bytes: 90, resident: true, dirty: false, corrupt: false, lastModified: null },
      { id: 7, firstKey: 'm', keyCount: 1, bytes: 30, resident: false, dirty: true, corrupt: true, lastModified: 1700000000000 }
    ])
  })
})

describe('diagnosis', () => {
  test('healthy', () => {
    const d = diagnosis({ state: 'open', peerId: 'me', opts, local: /** @type {any} */ (fakeLocal({ pages: [{ id: 1, lowerKey: '', lastModifiedMs: 0 }] })), replicated: null })
    assert.equal(d.ok, true)
    assert.deepEqual(d.issues, [])
    assert.equal(d.pages, 1)
    assert.equal(d.state, 'open')
    assert.equal(d.stats.totalKeys, 400)
  })

  test('a broken invariant and corrupt pages are issues', () => {
    const local = fakeLocal({
      invariants: { code: StatusCode.CORRUPTION, message: 'keys out of order' },
      pages: [
        { id: 1, lowerKey: '', corrupt: false, lastModifiedMs: 0 },
        { id: 4, lowerKey: 'k9', corrupt: true, lastModifiedMs: 0 }
      ]
    })
    const d = diagnosis({ state: 'open', peerId: 'me', opts, local: /** @type {any} */ (local), replicated: null })
    assert.equal(d.ok, false)
    assert.deepEqual(d.issues, ['invariant broken: keys out of order', "page 4 is corrupt (keys from 'k9')"])
  })

  test('closed or not open: not ok, the state named', () => {
    for (const [state, isOpen] of [
      ['closed', true],
      ['opening', false],
      ['failed', false]
    ]) {
      const d = diagnosis({ state, peerId: 'me', opts, local: /** @type {any} */ (fakeLocal({ isOpen: /** @type {boolean} */ (isOpen) })), replicated: null })
      assert.equal(d.ok, false)
      assert.deepEqual(d.issues, [`store is ${state}`])
    }
  })
})

describe('no I/O on a real paged-out store', () => {
  let store
  afterEach(() => store?.close())

  test('getStats, listPages and diagnose read no page and change no counter', async () => {
    const backend = new MemoryBackend()
    let reads = 0
    const readPages = backend.readPages.bind(backend)
    backend.readPages = async (ids) => {
      reads++
      return readPages(ids)
    }
    store = new LocalStore(storeConfig(opts), backend)
    await store.write(Array.from({ length: 500 }, (_, i) => ({ type: 'put', key: `k${i}`, json: String(i), replicate: true })))
    await store.flush()
    await store.clearCache()
    const before = { ...store.counters }
    const readsBefore = reads
    const sources = { state: 'open', peerId: 'me', opts, local: store, replicated: null }
    const s = storageStats(sources)
    const pages = pageList(store)
    const d = diagnosis(sources)
    assert.equal(reads, readsBefore)
    assert.deepEqual(store.counters, before)
    assert.equal(s.cache.residentPages, 0)
    assert.equal(s.totalKeys, 500)
    assert.equal(s.cache.pageLoads, before.pageLoads)
    assert.equal(pages.length, s.totalPages)
    assert.ok(pages.every((p) => !p.resident))
    assert.equal(pages.reduce((n, p) => n + p.keyCount, 0), 500)
    assert.equal(d.ok, true)
    assert.equal(store.engineStats().residentPages, 0)
  })
})
