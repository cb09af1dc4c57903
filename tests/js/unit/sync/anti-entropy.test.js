import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { loadModule } from '../../../../js/engine/load-module.js'
import { RingView } from '../../../../js/engine/ring.js'
import { AntiEntropy } from '../../../../js/sync/anti-entropy.js'
import { fakeContext, hlc } from './fakes.js'

let module
before(async () => {
  module = await loadModule()
})

const D0 = '0'.repeat(16)
/** 16 children: counts and digests from a list of [child, count, digest] changes. */
function digest(changes = []) {
  const counts = new Array(16).fill(7)
  const digests = new Array(16).fill('00000000000000aa')
  for (const [i, c, d] of changes) {
    counts[i] = c
    digests[i] = d
  }
  return { counts, digests }
}
const entry = (key, h, origin = 'P') => ({ key, hlc: h, origin, deleted: false })

/**
 * Anti-entropy for self over a real ring of members; syncScan answers from
 * `answer(query)`.
 */
function setup({ self = 'B', members = ['A', 'B', 'C', 'D'], catchingUp = [], pushingTo = [], answer = () => digest(), member = () => true } = {}) {
  const ring = new RingView(module, members, 16)
  const rings = []
  const f = fakeContext({
    selfId: self,
    ringView: ring,
    isMember: member,
    isPushingTo: (p) => pushingTo.includes(p),
    syncScan: async (r, queries) => {
      rings.push(r)
      f.scans.push(queries)
      return queries.map(answer)
    }
  })
  const catchUp = { isCatchingUp: (p) => catchingUp.includes(p) }
  const ae = new AntiEntropy(f.ctx, /** @type {any} */ (catchUp))
  return { ...f, ring, rings, ae }
}

/** Releases the test's reference: the ring must be gone (no reference leaked). */
function assertReleased(ring) {
  ring.release()
  assert.throws(() => ring.replicasFor(['k'], 1), /after its release/)
}

describe('round', () => {
  test('root digests to each peer this one leads (its id sorts first)', async () => {
    const root = digest([[3, 1, hlc(3)]])
    const f = setup({ answer: () => root })
    await f.ae.round(true)
    assert.deepEqual(f.scans, [[{ peer: 'C', bits: 0, prefix: 0, entries: false }, { peer: 'D', bits: 0, prefix: 0, entries: false }]])
    assert.equal(f.rings[0], f.ring)
    assert.deepEqual(f.sent, [
      { peer: 'C', msg: { t: 'sum', buckets: [{ bits: 0, prefix: 0, ...root }] } },
      { peer: 'D', msg: { t: 'sum', buckets: [{ bits: 0, prefix: 0, ...root }] } }
    ])
    assert.equal(f.ae.roundsRun, 1)
    assertReleased(f.ring)
  })

  test('membership rounds leave out peers being caught up; periodic ones do not', async () => {
    const f = setup({ catchingUp: ['D'] })
    await f.ae.round(false)
    assert.deepEqual(f.sent.map((s) => s.peer), ['C'])
    await f.ae.round(true)
    assert.deepEqual(f.sent.map((s) => s.peer), ['C', 'C', 'D'])
    assert.equal(f.ae.roundsRun, 2)
  })

  test('no round of either kind with a peer this one is pushing records to (a catch-up, a hand-off): it would find them missing and send them again', async () => {
    const f = setup({ pushingTo: ['D'] })
    await f.ae.round(false)
    await f.ae.round(true)
    assert.deepEqual(f.sent.map((s) => s.peer), ['C', 'C'])
    assert.deepEqual(
      f.scans.map((q) => q.map((x) => x.peer)),
      [['C'], ['C']],
      'no page of it read for D'
    )
  })

  test('the peer whose id sorts last starts nothing', async () => {
    const f = setup({ self: 'D' })
    await f.ae.round(true)
    assert.deepEqual(f.scans, [])
    assert.deepEqual(f.sent, [])
    assert.equal(f.ae.roundsRun, 0)
    assertReleased(f.ring)
  })

  test('a ring that moves during the scan sends nothing', async () => {
    const f = setup()
    const next = new RingView(module, ['A', 'B', 'C'], 16)
    f.ctx.syncScan = async (_r, queries) => {
      f.setRing(next)
      return queries.map(() => digest())
    }
    await f.ae.round(true)
    assert.deepEqual(f.sent, [])
    assertReleased(f.ring)
    next.release()
  })
})

describe('onSum', () => {
  test('a sum from a peer this one is pushing records to, or whose delta is catching this one up, is not answered (its next round asks again)', async () => {
    const theirs = digest([[1, 3, hlc(1)]])
    for (const opts of [{ pushingTo: ['A'] }, { catchingUp: ['A'] }]) {
      const f = setup(opts)
      await f.ae.onSum('A', [{ bits: 0, prefix: 0, ...theirs }])
      assert.deepEqual(f.scans, [], JSON.stringify(opts))
      assert.deepEqual(f.sent, [])
    }
    const f = setup({ pushingTo: ['C'], catchingUp: ['D'] })
    await f.ae.onSum('A', [{ bits: 0, prefix: 0, ...theirs }])
    assert.equal(f.scans.length > 0, true, 'other peers are answered')
  })

  test('per differing child: pull, push, ent or a deeper sum', async () => {
    const theirs = digest([
      [1, 3, hlc(1)], // nothing here: pull
      [2, 0, D0], // nothing there: push
      [3, 10, hlc(3)], // both small (20 <= 32): entries
      [4, 20, hlc(4)], // both large: one level deeper
      [5, 16, hlc(5)], // 32 together: still entries
      [6, 7, hlc(6)] // same count, other digest: entries
    ])
    const mine = digest([
      [1, 0, D0],
      [2, 3, hlc(2)],
      [3, 10, hlc(30)],
      [4, 20, hlc(40)],
      [5, 16, hlc(50)],
      [6, 7, hlc(60)]
    ])
    const child4 = digest([[0, 1, hlc(9)]])
    const answer = (q) => {
      if (!q.entries) return q.bits === 0 ? mine : child4
      return { entries: [entry(`e${q.prefix}`, hlc(1))] }
    }
    const f = setup({ answer })
    await f.ae.onSum('A', [{ bits: 0, prefix: 0, ...theirs }])
    assert.deepEqual(f.scans, [
      [{ peer: 'A', bits: 0, prefix: 0, entries: false }],
      [{ peer: 'A', bits: 4, prefix: 2, entries: true }],
      [
        { peer: 'A', bits: 4, prefix: 4, entries: false },
        { peer: 'A', bits: 4, prefix: 3, entries: true },
        { peer: 'A', bits: 4, prefix: 5, entries: true },
        { peer: 'A', bits: 4, prefix: 6, entries: true }
      ]
    ])
    assert.ok(f.rings.every((r) => r === f.ring))
    assert.deepEqual(f.pushed, [{ peer: 'A', keys: ['e2'] }])
    assert.deepEqual(f.sent, [
      { peer: 'A', msg: { t: 'pull', keys: [], buckets: [{ bits: 4, prefix: 1 }] } },
      { peer: 'A', msg: { t: 'sum', buckets: [{ bits: 4, prefix: 4, ...child4 }] } },
      {
        peer: 'A',
        msg: {
          t: 'ent',
          buckets: [
            { bits: 4, prefix: 3, entries: [entry('e3', hlc(1))] },
            { bits: 4, prefix: 5, entries: [entry('e5', hlc(1))] },
            { bits: 4, prefix: 6, entries: [entry('e6', hlc(1))] }
          ]
        }
      }
    ])
    assertReleased(f.ring)
  })

  test('identical digests: nothing sent', async () => {
    const f = setup({ answer: () => digest() })
    await f.ae.onSum('A', [{ bits: 0, prefix: 0, ...digest() }])
    assert.deepEqual(f.sent, [])
    assert.deepEqual(f.pushed, [])
    assert.equal(f.scans.length, 1)
  })

  test('child buckets of deeper buckets, and entries at the deepest level', async () => {
    const big = (d) => digest([[5, 100, d]])
    const f = setup({ answer: (q) => (q.entries ? { entries: [] } : big(hlc(2))) })
    await f.ae.onSum('A', [
      { bits: 4, prefix: 3, ...big(hlc(1)) },
      { bits: 20, prefix: 7, ...big(hlc(1)) }
    ])
    assert.deepEqual(
      f.sent.map((s) => [s.msg.t, s.msg.buckets.map((b) => [b.bits, b.prefix])]),
      [
        ['sum', [[8, 3 * 16 + 5]]],
        ['ent', [[24, 7 * 16 + 5]]]
      ]
    )
  })

  test('a sum from a non-member is ignored', async () => {
    const f = setup({ member: () => false })
    await f.ae.onSum('Z', [{ bits: 0, prefix: 0, ...digest([[1, 0, D0]]) }])
    assert.deepEqual(f.scans, [])
    assert.deepEqual(f.sent, [])
  })
})

describe('onEntries', () => {
  test('pulls what is newer there, pushes what is newer here', async () => {
    const mine = [
      entry('theirsNewer', hlc(1)),
      entry('mineNewer', hlc(5)),
      entry('same', hlc(3)),
      entry('onlyMine', hlc(1)),
      entry('tieMineWins', hlc(4), 'Z'),
      entry('tieTheirsWin', hlc(4), 'M')
    ]
    const theirs = [
      entry('theirsNewer', hlc(2)),
      entry('mineNewer', hlc(4)),
      entry('same', hlc(3)),
      entry('onlyTheirs', hlc(1)),
      entry('tieMineWins', hlc(4), 'Y'),
      entry('tieTheirsWin', hlc(4), 'N')
    ]
    const f = setup({ answer: () => ({ entries: mine }) })
    await f.ae.onEntries('A', [{ bits: 4, prefix: 9, entries: theirs }])
    assert.deepEqual(f.scans, [[{ peer: 'A', bits: 4, prefix: 9, entries: true }]])
    assert.deepEqual(f.sent, [{ peer: 'A', msg: { t: 'pull', keys: ['theirsNewer', 'onlyTheirs', 'tieTheirsWin'], buckets: [] } }])
    assert.deepEqual(f.pushed, [{ peer: 'A', keys: ['mineNewer', 'tieMineWins', 'onlyMine'] }])
    assertReleased(f.ring)
  })

  test('several buckets compare each against its own', async () => {
    const f = setup({ answer: (q) => ({ entries: q.prefix === 1 ? [entry('x', hlc(2))] : [] }) })
    await f.ae.onEntries('A', [
      { bits: 4, prefix: 1, entries: [entry('x', hlc(1))] },
      { bits: 4, prefix: 2, entries: [entry('x', hlc(1))] }
    ])
    assert.deepEqual(f.pushed, [{ peer: 'A', keys: ['x'] }])
    assert.deepEqual(f.sent.map((s) => s.msg.keys), [['x']])
  })

  test('equal sides: nothing sent; a non-member: nothing scanned', async () => {
    const same = [entry('a', hlc(1))]
    const f = setup({ answer: () => ({ entries: same }) })
    await f.ae.onEntries('A', [{ bits: 4, prefix: 1, entries: same }])
    assert.deepEqual(f.sent, [])
    assert.deepEqual(f.pushed, [])
    const g = setup({ member: () => false })
    await g.ae.onEntries('A', [{ bits: 4, prefix: 1, entries: same }])
    assert.deepEqual(g.scans, [])
  })
})

describe('onPull and pushBuckets', () => {
  test('keys are pushed; buckets are pushed whole', async () => {
    const f = setup({ answer: (q) => ({ entries: [entry(`k${q.prefix}a`, hlc(1)), entry(`k${q.prefix}b`, hlc(1))] }) })
    // Regression: keys the asker does not replicate are not pushed (a pull
    // was a way to read any key of the store).
    const keys = Array.from({ length: 20 }, (_, i) => `x${i}`)
    const replicas = f.ctx.ring().replicasFor(keys, f.ctx.rf)
    const theirs = keys.filter((_, i) => replicas[i].includes('A'))
    assert.ok(theirs.length > 0 && theirs.length < keys.length)
    await f.ae.onPull('A', keys, [{ bits: 4, prefix: 1 }, { bits: 8, prefix: 2 }])
    assert.deepEqual(f.scans, [[{ peer: 'A', bits: 4, prefix: 1, entries: true }, { peer: 'A', bits: 8, prefix: 2, entries: true }]])
    assert.deepEqual(f.pushed, [
      { peer: 'A', keys: theirs },
      { peer: 'A', keys: ['k1a', 'k1b', 'k2a', 'k2b'] }
    ])
    assertReleased(f.ring)
  })

  test('empty buckets push nothing; a non-member gets nothing', async () => {
    const f = setup({ answer: () => ({ entries: [] }) })
    await f.ae.onPull('A', [], [{ bits: 4, prefix: 1 }])
    assert.deepEqual(f.pushed, [])
    const g = setup({ member: () => false })
    await g.ae.onPull('Z', ['x0'], [{ bits: 4, prefix: 1 }])
    assert.deepEqual(g.scans, [])
    assert.deepEqual(g.pushed, [], 'nor keys')
  })
})
