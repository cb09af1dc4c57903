import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { loadModule } from '../../../../js/engine/load-module.js'
import { RingView } from '../../../../js/engine/ring.js'
import { Ownership } from '../../../../js/sync/ownership.js'
import { Rebalancer } from '../../../../js/sync/rebalance.js'
import { fakeContext, hlc, rec } from './fakes.js'

let module
/** @type {RingView[]} */
const rings = []
before(async () => {
  module = await loadModule()
})
after(() => {
  for (const r of rings) r.release()
})

const RF = 2
/** A ring view the test holds one reference to (released after the suite). */
function ring(members) {
  const r = new RingView(module, members, 32)
  rings.push(r)
  return r
}

const KEYS = Array.from({ length: 300 }, (_, i) => `k${i}`)
/** Every fifth key is a tombstone. */
const RECORDS = KEYS.map((k, i) => rec(k, hlc(i + 1), 'P', i % 5 === 0 ? null : String(i)))

function setup({ self = 'A', members = [self], records = RECORDS, missing = [] } = {}) {
  let scans = 0
  const f = fakeContext({
    selfId: self,
    rf: RF,
    ringView: ring(members),
    scanAll: async (onRecord) => {
      scans++
      for (const r of records) onRecord(r)
    },
    lookup: async (keys) => keys.map((k) => (missing.includes(k) ? null : records.find((r) => r.key === k) ?? null))
  })
  const ownership = new Ownership(self, 0)
  const rebalancer = new Rebalancer(f.ctx, ownership)
  return { ...f, ownership, rebalancer, scans: () => scans }
}

/**
 * The hand-offs from self between two rings: for each key self replicated
 * before and does not now, to each new replica.
 */
function expectedMoves(self, beforeRing, afterRing, keys = KEYS) {
  const old = beforeRing ? beforeRing.replicasFor(keys, RF) : keys.map(() => [self])
  const now = afterRing.replicasFor(keys, RF)
  const moves = []
  keys.forEach((k, i) => {
    if (!old[i].includes(self) || now[i].includes(self)) return
    for (const p of now[i]) if (!old[i].includes(p)) moves.push(`${p} ${k}`)
  })
  return moves.sort()
}

const moved = (queued) => queued.map((q) => `${q.peer} ${q.rec.key}`).sort()

describe('run', () => {
  test('a ring of self alone, as before: nothing to do', async () => {
    const f = setup()
    await f.rebalancer.run()
    assert.equal(f.scans(), 0)
    assert.deepEqual(f.queued, [])
  })

  test('the first ring with peers: keys self no longer replicates go to their replicas', async () => {
    const f = setup()
    const r1 = ring(['A', 'B', 'C'])
    f.setRing(r1)
    await f.rebalancer.run()
    const want = expectedMoves('A', null, r1)
    assert.ok(want.length > 20, 'some keys moved (test setup)')
    assert.deepEqual(moved(f.queued), want)
    // Each handed key goes to both of its new replicas, tombstones included.
    const now = r1.replicasFor(KEYS, RF)
    for (const q of f.queued) {
      const i = KEYS.indexOf(q.rec.key)
      assert.ok(!now[i].includes('A') && now[i].includes(q.peer))
      assert.equal(q.rec, RECORDS[i], 'the record looked up is queued')
    }
    assert.ok(f.queued.some((q) => q.rec.deleted))
  })

  test('a later change: only peers dropping out of a key hand it, to the new replicas only', async () => {
    const f = setup()
    const r1 = ring(['A', 'B', 'C'])
    f.setRing(r1)
    await f.rebalancer.run()
    f.queued.length = 0
    const r2 = ring(['A', 'B', 'C', 'D'])
    f.setRing(r2)
    await f.rebalancer.run()
    const want = expectedMoves('A', r1, r2)
    assert.ok(want.length > 0, 'some keys moved (test setup)')
    assert.deepEqual(moved(f.queued), want)
    const old = r1.replicasFor(KEYS, RF)
    const now = r2.replicasFor(KEYS, RF)
    for (const q of f.queued) {
      const i = KEYS.indexOf(q.rec.key)
      assert.ok(old[i].includes('A'), 'self was a replica')
      assert.ok(!now[i].includes('A'), 'self is not one any more')
      assert.ok(!old[i].includes(q.peer), 'the receiver is a new replica')
    }
    // With four members every newcomer replica here is D.
    assert.ok(f.queued.every((q) => q.peer === 'D'))
  })

  test('a replica that stays hands nothing (anti-entropy covers the newcomers)', async () => {
    // Two members, rf 2: A replicates everything before and after a join
    // only where it stays; where it stays, nothing is queued.
    const f = setup({ members: ['A', 'B'] })
    await f.rebalancer.run() // hands off for [A, B]: A stays a replica of every key
    assert.deepEqual(f.queued, [])
    const r2 = ring(['A', 'B', 'C'])
    f.setRing(r2)
    await f.rebalancer.run()
    const now = r2.replicasFor(KEYS, RF)
    const stays = KEYS.filter((_, i) => now[i].includes('A'))
    assert.ok(stays.length > 0)
    for (const q of f.queued) assert.ok(!stays.includes(q.rec.key))
    assert.deepEqual(moved(f.queued), expectedMoves('A', ring(['A', 'B']), r2))
  })

  test('remembers the ring it handed off for: the same members again do nothing', async () => {
    const f = setup()
    f.setRing(ring(['A', 'B', 'C']))
    await f.rebalancer.run()
    const n = f.queued.length
    f.setRing(ring(['A', 'B', 'C'])) // a new view, the same members
    await f.rebalancer.run()
    assert.equal(f.scans(), 1)
    assert.equal(f.queued.length, n)
  })

  test('several changes between runs: moves from the ring handed off for to the current one', async () => {
    const f = setup()
    const r1 = ring(['A', 'B', 'C'])
    f.setRing(r1)
    await f.rebalancer.run()
    f.queued.length = 0
    f.setRing(ring(['A', 'B', 'C', 'D']))
    const r3 = ring(['A', 'C', 'D', 'E'])
    f.setRing(r3)
    await f.rebalancer.run()
    assert.deepEqual(moved(f.queued), expectedMoves('A', r1, r3))
  })

  test('a ring that moves during the scan: nothing handed, nothing recorded', async () => {
    const f = setup()
    const r1 = ring(['A', 'B', 'C'])
    const r2 = ring(['A', 'B', 'C', 'D'])
    f.setRing(r1)
    const scanAll = f.ctx.scanAll
    f.ctx.scanAll = async (onRecord) => {
      await scanAll(onRecord)
      f.setRing(r2)
    }
    await f.rebalancer.run()
    assert.deepEqual(f.queued, [])
    f.ctx.scanAll = scanAll
    await f.rebalancer.run()
    assert.deepEqual(moved(f.queued), expectedMoves('A', null, r2), 'the next run starts from the last ring handed off for')
  })

  test('keys whose record is gone by the lookup are skipped', async () => {
    const r1 = ring(['A', 'B', 'C'])
    const want = expectedMoves('A', null, r1)
    const gone = want[0].split(' ')[1]
    const f = setup({ missing: [gone] })
    f.setRing(r1)
    await f.rebalancer.run()
    assert.deepEqual(moved(f.queued), want.filter((m) => !m.endsWith(` ${gone}`)))
  })

  test('recounts ownership under the new ring', async () => {
    const f = setup()
    f.ownership.owned = 12345
    const r1 = ring(['A', 'B', 'C'])
    f.setRing(r1)
    await f.rebalancer.run()
    const now = r1.replicasFor(KEYS, RF)
    let owned = 0
    let replica = 0
    RECORDS.forEach((r, i) => {
      if (r.deleted) return
      if (now[i][0] === 'A') owned++
      else if (now[i].includes('A')) replica++
    })
    assert.ok(owned > 0 && replica > 0)
    assert.equal(f.ownership.owned, owned)
    assert.equal(f.ownership.replica, replica)
  })

  test('holds one reference to the ring handed off for until close()', async () => {
    const f = setup()
    const r1 = new RingView(module, ['A', 'B', 'C'], 32)
    f.setRing(r1)
    await f.rebalancer.run()
    r1.release() // the test's reference
    assert.equal(r1.replicasFor(['k'], RF).length, 1, 'still held by the rebalancer')
    f.rebalancer.close()
    assert.throws(() => r1.replicasFor(['k'], RF), /after its release/)
  })
})
