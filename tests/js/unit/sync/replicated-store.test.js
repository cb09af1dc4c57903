// ReplicatedStore wiring only (tests/sim covers the behaviour end to end):
// a fake local store and a fake transport, real parts in between.
import assert from 'node:assert/strict'
import { afterEach, before, beforeEach, describe, mock, test } from 'node:test'
import { Emitter } from '../../../../js/core/emitter.js'
import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { RingView } from '../../../../js/engine/ring.js'
import { proofOf } from '../../../../js/sync/audit-proofs.js'
import { protocolLimits } from '../../../../js/sync/protocol.js'
import { ReplicatedStore } from '../../../../js/sync/replicated-store.js'
import { flush, state } from './fakes.js'

const NOW = 1_700_000_000_000
const HB = 500
const OPTS = {
  replicationFactor: 2,
  readTimeout: 1000,
  tombstoneGracePeriod: 7 * 86_400_000,
  limits: protocolLimits({ maxKeyBytes: 1024, maxValueBytes: 1 << 20 }),
  sync: {
    heartbeatInterval: HB,
    peerTimeout: 2000,
    retryInterval: 1000,
    antiEntropyInterval: 0,
    maxClockDrift: 60_000,
    rateLimit: { messages: 1000, bytes: 1e9 }
  }
}

let module
/** @type {RingView[]} rings made by fake stores, released after each test */
const rings = []
before(async () => {
  module = await loadModule()
})

function fakeLocal(peerId = 'A') {
  const events = new Emitter()
  /** @type {Array<() => void> | null} */
  let onOpen = []
  const stored = new Map()
  const local = {
    peerId,
    ready: Promise.resolve(),
    writes: [],
    reads: [],
    errors: [],
    closed: false,
    stored,
    onOpen(fn) {
      if (onOpen === null) fn()
      else onOpen.push(fn)
    },
    open() {
      const fns = onOpen ?? []
      onOpen = null
      for (const fn of fns) fn()
    },
    on: (event, fn) => events.on(event, fn),
    emit: (event, payload) => events.emit(event, payload),
    async write(ops) {
      local.writes.push(ops)
      return ops.map(() => ({ code: 0, applied: true, existed: false }))
    },
    async lookup(keys) {
      local.reads.push(keys)
      return keys.map((k) => (stored.has(k) ? { code: 0, json: stored.get(k).json, record: stored.get(k) } : { code: 1 }))
    },
    async scan() {},
    async syncScan(_ring, _rf, queries) {
      return queries.map((q) => (q.entries ? { entries: [] } : { counts: new Array(16).fill(0), digests: new Array(16).fill('0'.repeat(16)) }))
    },
    flush: async () => {},
    clearCache: async () => 0,
    async close() {
      local.closed = true
    },
    clock: () => hlcAtWallMs(NOW),
    engineStats: () => ({ liveKeys: 3 }),
    userData: () => local.userDataText,
    setUserFields(fields) {
      local.userDataText = JSON.stringify({ ...(local.userDataText ? JSON.parse(local.userDataText) : {}), ...fields })
    },
    userDataText: '',
    isOpen: true,
    saveSoon() {},
    async compact() {
      return 0
    },
    ring(members) {
      const r = new RingView(module, members, 32)
      rings.push(r.retain()) // keep it usable for assertions after the store lets go
      return r
    },
    reportError: (err) => local.errors.push(err)
  }
  return local
}

function fakeTransport(peerId = 'A', peers = []) {
  const events = new Emitter()
  const t = {
    peerId,
    sent: [],
    broadcasts: [],
    connected: peers,
    peers: () => t.connected,
    send: (peer, data) => t.sent.push({ peer, msg: JSON.parse(data) }),
    broadcast: (data) => t.broadcasts.push(JSON.parse(data)),
    on: (event, fn) => events.on(event, fn),
    has: (event) => events.has(event),
    emit: (event, payload) => events.emit(event, payload),
    deliver: (from, msg) => events.emit('message', { from, data: JSON.stringify({ v: 1, ...msg }) }),
    close() {}
  }
  return t
}

function setup({ peers = [] } = {}) {
  const local = fakeLocal()
  const transport = fakeTransport('A', peers)
  const store = new ReplicatedStore(/** @type {any} */ (local), transport, OPTS)
  const sentTo = (peer, t) => transport.sent.filter((s) => s.peer === peer && s.msg.t === t).map((s) => s.msg)
  return { local, transport, store, sentTo }
}

const H = hlcAtWallMs(NOW - 1000)

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: NOW }))
afterEach(() => {
  mock.timers.reset()
  for (const r of rings.splice(0)) r.release()
})

describe('before the local store opens', () => {
  test('self alone; reads and writes go to the local store', async () => {
    const { store, local, transport } = setup()
    assert.deepEqual(store.replicasFor(['a', 'b']), [['A'], ['A']])
    assert.deepEqual(store.distribution(), [{ peerId: 'A', self: true, connected: true, share: 1, weight: 1, durable: false }])
    assert.equal(store.stats.members, 1)
    assert.deepEqual(store.stats.shares, [1])
    assert.equal(transport.has('message'), false, 'not listening yet')
    assert.deepEqual(await store.read(['a']), [{ code: 1 }])
    assert.deepEqual(local.reads, [['a']])
    await store.write([{ type: 'put', key: 'a', json: '1', replicate: true }])
    assert.equal(local.writes.length, 1)
  })
})

describe('once open', () => {
  test('says hello, counts the live keys as owned, meets the peers already connected', () => {
    const { store, local, transport, sentTo } = setup({ peers: ['B'] })
    local.open()
    assert.deepEqual(transport.broadcasts, [{ v: 1, t: 'hb' }])
    assert.equal(store.stats.ownedKeys, 3)
    assert.equal(store.stats.members, 2)
    assert.equal(sentTo('B', 'since').length, 1, 'a first contact asks for a delta')
    assert.equal(store.replicasFor(['k'])[0].length, 2)
  })

  test('a peer joining is greeted and enters the ring; one leaving drops out', () => {
    const { store, local, transport, sentTo } = setup()
    local.open()
    transport.emit('peer-joined', { peerId: 'B' })
    transport.emit('peer-joined', { peerId: 'A' }) // self: ignored
    transport.emit('peer-joined', { peerId: 7 })
    assert.deepEqual(sentTo('B', 'hb'), [{ v: 1, t: 'hb' }])
    assert.equal(transport.sent.filter((s) => s.peer !== 'B').length, 0)
    assert.equal(store.stats.members, 2)
    assert.deepEqual(store.replicasFor(['x', 'y']).map((r) => [...r].sort()), [['A', 'B'], ['A', 'B']])
    transport.connected = ['B']
    const dist = store.distribution()
    assert.deepEqual(dist.map((d) => [d.peerId, d.self, d.connected]), [['A', true, true], ['B', false, true]])
    assert.ok(Math.abs(dist[0].share + dist[1].share - 2) < 1e-9, 'shares sum to min(rf, members)')
    transport.emit('peer-left', { peerId: 'B' })
    assert.equal(store.stats.members, 1)
    assert.deepEqual(store.replicasFor(['x']), [['A']])
  })

  test('heartbeats every heartbeatInterval carry the clock', () => {
    const { local, transport } = setup()
    local.open()
    mock.timers.tick(HB)
    assert.deepEqual(transport.broadcasts.at(-1), { v: 1, t: 'hb', h: hlcAtWallMs(NOW) })
  })

  test('any valid message makes its sender a member', () => {
    const { store, local, transport } = setup()
    local.open()
    transport.deliver('C', { t: 'hb', h: H })
    assert.equal(store.stats.members, 2)
    assert.equal(store.stats.messagesIn, 1)
  })
})

describe('writes and replication', () => {
  test("applied writes that replicate are pushed to the keys' other replicas; replicated() waits for the ack, and the replica's proof", async () => {
    const { store, local, transport, sentTo } = setup({ peers: ['B'] })
    local.open()
    const record = { key: 'k', hlc: H, origin: 'A', deleted: false, json: '1' }
    local.emit('applied', [
      { record, replicate: true, existed: false },
      { record: { ...record, key: 'quiet' }, replicate: false, existed: false }
    ])
    assert.equal(store.stats.ownedKeys + store.stats.replicaKeys, 5, 'both count for ownership')
    assert.equal(store.stats.pendingReplications, 1)
    mock.timers.tick(0)
    const [put] = sentTo('B', 'put')
    assert.deepEqual(put.r, [['k', H, 'A', 0, '1']])
    const done = store.replicated(10_000)
    assert.equal(await state(done), 'pending')
    transport.deliver('B', { t: 'ack', id: put.id })
    assert.equal(await state(done), 'pending', 'acknowledged, not proven yet')
    const [audit] = sentTo('B', 'audit')
    assert.deepEqual(audit.e, [['k', H, 'A', 0]])
    transport.deliver('B', { t: 'proof', id: audit.id, a: [proofOf(audit.n, record)] })
    assert.equal(await state(done), 'resolved')
    assert.equal(store.stats.pendingReplications, 0)
    assert.deepEqual(store.stats.audits, { sent: 1, passed: 1, failed: 0, answered: 0 })
  })

  test("a peer's put is merged (value parsed once, passed on) and acknowledged", async () => {
    const { local, transport, sentTo } = setup({ peers: ['B'] })
    local.open()
    transport.deliver('B', { t: 'put', id: 41, r: [['k', H, 'B', 0, '{"a":1}'], ['d', H, 'B', 1, null]] })
    await flush()
    assert.deepEqual(local.writes, [
      [
        { type: 'merge', key: 'k', hlc: H, origin: 'B', deleted: false, json: '{"a":1}', replicate: false, value: { a: 1 } },
        { type: 'merge', key: 'd', hlc: H, origin: 'B', deleted: true, json: null, replicate: false }
      ]
    ])
    assert.deepEqual(sentTo('B', 'ack'), [{ v: 1, t: 'ack', id: 41 }])
  })

  test('a put with a version from the future is rejected, not merged', async () => {
    const { store, local, transport, sentTo } = setup({ peers: ['B'] })
    local.open()
    const future = hlcAtWallMs(NOW + OPTS.sync.maxClockDrift + 1)
    transport.deliver('B', { t: 'put', id: 1, r: [['k', future, 'B', 0, '1']] })
    await flush()
    assert.deepEqual(local.writes, [])
    assert.deepEqual(sentTo('B', 'ack'), [])
    assert.deepEqual(store.stats.rejectedWhy, { 'version from the future': 1 })
  })

  test("a failed merge is reported as a background error, and not acknowledged", async () => {
    const { local, transport, sentTo } = setup({ peers: ['B'] })
    local.write = async (ops) => ops.map(() => ({ code: 2, message: 'page corrupt', applied: false, existed: false }))
    local.open()
    transport.deliver('B', { t: 'put', id: 1, r: [['k', H, 'B', 0, '1']] })
    await flush()
    assert.equal(local.errors.length, 1)
    assert.match(local.errors[0].message, /page corrupt/)
    assert.deepEqual(sentTo('B', 'ack'), [])
  })

  test("a 'get' is answered with the records stored here", async () => {
    const { local, transport, sentTo } = setup({ peers: ['B'] })
    local.stored.set('k', { key: 'k', hlc: H, origin: 'A', deleted: false, json: '"v"' })
    local.open()
    transport.deliver('B', { t: 'get', id: 9, k: ['k', 'missing'] })
    await flush()
    assert.deepEqual(sentTo('B', 'got'), [{ v: 1, t: 'got', id: 9, r: [['k', H, 'A', 0, '"v"']] }])
  })

  test('reads go through the routed reads once open', async () => {
    const { store, local, transport, sentTo } = setup({ peers: ['B'] })
    local.open()
    // rf 2 of 2 members: this peer replicates every key; a key it lacks is asked of B.
    const p = store.read(['k'])
    await flush()
    const [get] = sentTo('B', 'get')
    assert.deepEqual(get.k, ['k'])
    transport.deliver('B', { t: 'got', id: get.id, r: [['k', H, 'B', 0, '"remote"']] })
    assert.deepEqual(await p, [{ code: 0, json: '"remote"' }])
    assert.deepEqual(local.reads, [['k']], 'one local lookup, then the replica')
  })
})

describe('close', () => {
  test('stops sync, then closes the local store', async () => {
    const { store, local, transport } = setup({ peers: ['B'] })
    local.open()
    await store.close()
    assert.equal(local.closed, true)
    assert.equal(transport.has('message'), false)
    assert.equal(transport.has('peer-joined'), false)
    assert.deepEqual(store.replicasFor(['k']), [['A']])
    const n = transport.broadcasts.length + transport.sent.length
    mock.timers.tick(10 * HB)
    local.emit('applied', [{ record: { key: 'k', hlc: H, origin: 'A', deleted: false, json: '1' }, replicate: true, existed: false }])
    mock.timers.tick(0)
    assert.equal(transport.broadcasts.length + transport.sent.length, n, 'nothing sent after close')
    assert.deepEqual(await store.read(['k']), [{ code: 1 }])
    assert.deepEqual(local.reads, [['k']], 'reads are local again')
    assert.deepEqual(transport.sent.filter((x) => x.msg.t === 'get'), [], 'and ask nobody')
  })
})
