import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { compareKeys } from '../../../../js/core/keys.js'
import { MAX_VIRTUAL_NODES } from '../../../../js/core/limits.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { RingView } from '../../../../js/engine/ring.js'

let module
before(async () => {
  module = await loadModule()
})

const MEMBERS = ['peer-a', 'peer-b', 'peer-c', 'peer-d', 'peer-e']
const KEYS = Array.from({ length: 2000 }, (_, i) => `key:${i}`)

/** Runs fn with a fresh view, released after. */
function withRing(members, vnodes, fn) {
  const ring = new RingView(module, members, vnodes)
  try {
    return fn(ring)
  } finally {
    ring.release()
  }
}

describe('RingView members', () => {
  test('keeps the members, frozen, with their indices', () => {
    withRing(MEMBERS, 16, (ring) => {
      assert.deepEqual(ring.members, MEMBERS)
      assert.ok(Object.isFrozen(ring.members))
      MEMBERS.forEach((m, i) => {
        assert.equal(ring.indexOf(m), i)
        assert.equal(ring.has(m), true)
      })
      assert.equal(ring.indexOf('nobody'), -1)
      assert.equal(ring.has('nobody'), false)
    })
  })

  test('the view does not follow later changes to the array it was given', () => {
    const members = ['a', 'b']
    withRing(members, 4, (ring) => {
      members.push('c')
      assert.deepEqual(ring.members, ['a', 'b'])
      assert.equal(ring.has('c'), false)
    })
  })

  const invalid = {
    unsorted: ['b', 'a'],
    duplicate: ['a', 'a'],
    'an empty id': ['', 'a'],
    'UTF-16 order, not byte order': ['\u{10000}', '\uffff']
  }
  for (const [name, members] of Object.entries(invalid)) {
    test(`${name} -> INVALID_ARGUMENT`, () => {
      assert.throws(() => new RingView(module, members, 8), { name: 'PagingStorageError', code: 'INVALID_ARGUMENT' })
    })
  }

  test('byte order accepts what compareKeys sorts', () => {
    const members = ['\u{10000}', '\uffff', 'é', 'z'].sort(compareKeys)
    withRing(members, 8, (ring) => assert.deepEqual(ring.members, members))
  })

  for (const vnodes of [0, -1, 1.5, MAX_VIRTUAL_NODES + 1, NaN]) {
    test(`virtualNodes ${vnodes} -> INVALID_ARGUMENT`, () => {
      assert.throws(() => new RingView(module, ['a'], vnodes), { code: 'INVALID_ARGUMENT' })
    })
  }

  test('virtualNodes 1 and MAX_VIRTUAL_NODES are accepted', () => {
    withRing(['a', 'b'], 1, (ring) => assert.equal(ring.replicasFor(['k'], 1).length, 1))
    withRing(['a', 'b'], MAX_VIRTUAL_NODES, (ring) => assert.equal(ring.replicasFor(['k'], 1).length, 1))
  })
})

describe('RingView.replicasFor', () => {
  test('one list per key, of min(rf, members) distinct members', () => {
    withRing(MEMBERS, 32, (ring) => {
      for (const rf of [1, 2, 3, 5, 6, 64]) {
        const lists = ring.replicasFor(KEYS.slice(0, 300), rf)
        assert.equal(lists.length, 300)
        for (const list of lists) {
          assert.equal(list.length, Math.min(rf, MEMBERS.length))
          assert.equal(new Set(list).size, list.length)
          for (const p of list) assert.ok(MEMBERS.includes(p))
        }
      }
    })
  })

  test('rf is capped at the members: one member, rf 3', () => {
    withRing(['solo'], 8, (ring) => assert.deepEqual(ring.replicasFor(['a', 'b'], 3), [['solo'], ['solo']]))
  })

  test('a smaller rf is a prefix of a larger one (ring order)', () => {
    withRing(MEMBERS, 32, (ring) => {
      const three = ring.replicasFor(KEYS.slice(0, 200), 3)
      const two = ring.replicasFor(KEYS.slice(0, 200), 2)
      two.forEach((list, i) => assert.deepEqual(list, three[i].slice(0, 2)))
    })
  })

  test('deterministic across two views with the same members', () => {
    const a = withRing(MEMBERS, 32, (ring) => ring.replicasFor(KEYS, 3))
    const b = withRing([...MEMBERS], 32, (ring) => ring.replicasFor(KEYS, 3))
    assert.deepEqual(a, b)
  })

  test('no keys: no lists', () => {
    withRing(MEMBERS, 8, (ring) => assert.deepEqual(ring.replicasFor([], 3), []))
  })

  test('every member replicates some keys', () => {
    withRing(MEMBERS, 64, (ring) => {
      const seen = new Set(ring.replicasFor(KEYS, 1).flat())
      assert.equal(seen.size, MEMBERS.length)
    })
  })

  test('multi-byte keys are hashed like any other', () => {
    withRing(MEMBERS, 16, (ring) => {
      const lists = ring.replicasFor(['é', '😀', 'x'.repeat(1000)], 2)
      for (const list of lists) assert.equal(list.length, 2)
    })
  })
})

describe('RingView.shares', () => {
  test('per member, in [0, 1], summing to min(rf, n)', () => {
    withRing(MEMBERS, 32, (ring) => {
      for (const rf of [1, 2, 3, 5, 8]) {
        const shares = ring.shares(rf)
        assert.equal(shares.length, MEMBERS.length)
        for (const s of shares) assert.ok(s >= 0 && s <= 1 + 1e-12, String(s))
        const sum = shares.reduce((a, b) => a + b, 0)
        assert.ok(Math.abs(sum - Math.min(rf, MEMBERS.length)) < 1e-9, `rf ${rf}: ${sum}`)
      }
    })
  })

  test('agree with replicasFor over many keys', () => {
    withRing(MEMBERS, 32, (ring) => {
      const keys = Array.from({ length: 20000 }, (_, i) => `sample/${i}`)
      const lists = ring.replicasFor(keys, 2)
      const shares = ring.shares(2)
      MEMBERS.forEach((m, i) => {
        const fraction = lists.filter((l) => l.includes(m)).length / keys.length
        assert.ok(Math.abs(fraction - shares[i]) < 0.03, `${m}: ${fraction} vs ${shares[i]}`)
      })
    })
  })

  test('a single member holds everything', () => {
    withRing(['solo'], 4, (ring) => assert.deepEqual(ring.shares(3), [1]))
  })

  test('the same answer every time', () => {
    withRing(MEMBERS, 16, (ring) => assert.deepEqual(ring.shares(3), ring.shares(3)))
  })
})

describe('RingView retain / release', () => {
  test('the last release deletes the handle: use after it throws INTERNAL', () => {
    const ring = new RingView(module, MEMBERS, 8)
    assert.equal(ring.retain(), ring)
    ring.release()
    // One reference left: still usable.
    assert.equal(ring.replicasFor(['k'], 1).length, 1)
    assert.ok(ring.handle())
    ring.release()
    for (const use of [() => ring.replicasFor(['k'], 1), () => ring.shares(2), () => ring.handle(), () => ring.retain()]) {
      assert.throws(use, { name: 'PagingStorageError', code: 'INTERNAL', message: /after its release/ })
    }
  })

  test('regression: shares and replicasFor answered from the cache after the last release', () => {
    const ring = new RingView(module, MEMBERS, 8)
    ring.shares(3) // cached
    ring.release()
    assert.throws(() => ring.shares(3), { code: 'INTERNAL' })
    assert.throws(() => ring.replicasFor([], 3), { code: 'INTERNAL' })
  })

  test('release after the last is a no-op', () => {
    const ring = new RingView(module, MEMBERS, 8)
    ring.release()
    assert.doesNotThrow(() => ring.release())
  })

  test('members stay readable after release (plain data)', () => {
    const ring = new RingView(module, MEMBERS, 8)
    ring.release()
    assert.deepEqual(ring.members, MEMBERS)
    assert.equal(ring.indexOf('peer-b'), 1)
  })

  test('many retains need as many releases', () => {
    const ring = new RingView(module, MEMBERS, 8)
    for (let i = 0; i < 5; i++) ring.retain()
    for (let i = 0; i < 5; i++) ring.release()
    assert.doesNotThrow(() => ring.shares(1))
    ring.release()
    assert.throws(() => ring.shares(1), { code: 'INTERNAL' })
  })
})

test('weights: a full replica (0) is in every replica set after the circle; a weight-4 member takes about 4 shares', () => {
  const weights = [1, 1, 0, 4, 1]
  const ring = new RingView(module, MEMBERS, 64, weights)
  try {
    assert.deepEqual(ring.weights, weights)
    const sets = ring.replicasFor(KEYS, 3)
    for (const peers of sets) {
      assert.equal(peers.length, 4)
      assert.equal(peers[3], 'peer-c', 'the full replica comes last')
    }
    assert.equal(ring.shares(3)[2], 1)
    // One replica per key: 4 of 7 weights' worth of the circle.
    const shares = ring.shares(1)
    assert.ok(shares[3] > 0.45 && shares[3] < 0.7, `weight 4 of 7: ${shares}`)
  } finally {
    ring.release()
  }
  // All weights 1 is the ring without weights.
  withRing(MEMBERS, 64, (plain) => {
    const ones = new RingView(module, MEMBERS, 64, [1, 1, 1, 1, 1])
    try {
      assert.deepEqual(ones.replicasFor(KEYS, 3), plain.replicasFor(KEYS, 3))
    } finally {
      ones.release()
    }
  })
  assert.throws(() => new RingView(module, MEMBERS, 64, [1, 1, 17, 1, 1]), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new RingView(module, MEMBERS, 64, [1, 0]), { code: 'INVALID_ARGUMENT' })
})
