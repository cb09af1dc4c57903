import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareKeys } from '../../../../js/core/keys.js'
import { Membership } from '../../../../js/sync/membership.js'

/** A membership with an injected clock, recording every callback. */
function setup(selfId = 'm', peerTimeout = 1000) {
  const clock = { now: 5000 }
  const changes = []
  const returns = []
  const firsts = []
  const m = new Membership(selfId, {
    peerTimeout,
    now: () => clock.now,
    onChange: (members) => changes.push([...members]),
    onReturn: (peer, lastSeen) => returns.push([peer, lastSeen]),
    onFirstContact: (peer) => firsts.push(peer)
  })
  return { m, clock, changes, returns, firsts }
}

test('starts with self alone', () => {
  const { m, changes } = setup()
  assert.deepEqual(m.members, ['m'])
  assert.equal(m.has('m'), true)
  assert.equal(m.has('x'), false)
  assert.deepEqual(changes, [])
})

test('heard adds a peer, members sorted with self included', () => {
  const { m, changes, firsts } = setup()
  m.heard('z')
  m.heard('a')
  assert.deepEqual(changes, [['m', 'z'], ['a', 'm', 'z']])
  assert.deepEqual(m.members, ['a', 'm', 'z'])
  assert.deepEqual(firsts, ['z', 'a'])
  assert.equal(m.has('a'), true)
})

test('members sort in UTF-8 byte order, not UTF-16 order', () => {
  // U+FF01 is below U+1F600 in code points (and UTF-8 bytes), but its
  // UTF-16 unit is above the emoji's high surrogate.
  const { m } = setup('\uff01')
  m.heard('😀')
  m.heard('a')
  assert.deepEqual(m.members, ['a', '\uff01', '😀'])
  assert.notDeepEqual([...m.members].sort(), m.members, 'the default sort would differ')
  for (let i = 1; i < m.members.length; i++) assert.ok(compareKeys(m.members[i - 1], m.members[i]) < 0)
})

test('a repeat heard renews but does not change the membership', () => {
  const { m, clock, changes, firsts, returns } = setup()
  m.heard('p')
  clock.now += 10
  m.heard('p')
  m.heard('p')
  assert.equal(changes.length, 1)
  assert.deepEqual(firsts, ['p'])
  assert.deepEqual(returns, [])
})

test('heard(self) is ignored', () => {
  const { m, changes, firsts } = setup()
  m.heard('m')
  assert.deepEqual(changes, [])
  assert.deepEqual(firsts, [])
  assert.deepEqual(m.members, ['m'])
})

test('left removes at once; leaving twice or an unknown peer changes nothing', () => {
  const { m, changes } = setup()
  m.heard('p')
  m.heard('q')
  m.left('p')
  assert.deepEqual(m.members, ['m', 'q'])
  assert.equal(m.has('p'), false)
  m.left('p')
  m.left('nobody')
  m.left('m')
  assert.equal(changes.length, 3)
  assert.deepEqual(m.members, ['m', 'q'])
})

test('expire drops peers not heard from within peerTimeout', () => {
  const { m, clock, changes } = setup('m', 1000)
  m.heard('p')
  clock.now += 500
  m.heard('q')
  clock.now += 500 // p heard exactly peerTimeout ago: still live
  m.expire()
  assert.deepEqual(m.members, ['m', 'p', 'q'])
  clock.now += 1
  m.expire()
  assert.deepEqual(m.members, ['m', 'q'])
  assert.equal(changes.length, 3)
  m.expire() // nothing more to drop: no change
  assert.equal(changes.length, 3)
  clock.now += 500
  m.expire()
  assert.deepEqual(m.members, ['m'])
  assert.equal(changes.length, 4)
})

test('a heard renews the timeout', () => {
  const { m, clock } = setup('m', 1000)
  m.heard('p')
  clock.now += 900
  m.heard('p')
  clock.now += 900
  m.expire()
  assert.deepEqual(m.members, ['m', 'p'])
})

test('onFirstContact for a peer never seen, onReturn with when it was last heard', () => {
  const { m, clock, firsts, returns, changes } = setup('m', 1000)
  m.heard('p')
  clock.now = 6000
  m.heard('p') // last heard at 6000
  clock.now = 6500
  m.left('p')
  clock.now = 9000
  m.heard('p')
  assert.deepEqual(firsts, ['p'])
  assert.deepEqual(returns, [['p', 6000]])
  // The change is announced before onReturn runs: the ring includes it.
  assert.deepEqual(changes.at(-1), ['m', 'p'])
  // Back after an expiry too.
  clock.now = 20000
  m.expire()
  assert.deepEqual(m.members, ['m'])
  clock.now = 21000
  m.heard('p')
  assert.deepEqual(returns, [['p', 6000], ['p', 9000]])
  assert.deepEqual(firsts, ['p'])
})

test('onChange runs before onFirstContact (the ring already holds the peer)', () => {
  const order = []
  const m = new Membership('m', {
    peerTimeout: 1000,
    now: () => 0,
    onChange: () => order.push('change'),
    onFirstContact: () => order.push('first')
  })
  m.heard('p')
  assert.deepEqual(order, ['change', 'first'])
})

test('regression: an id that is no peer id never becomes a member (two lone surrogates broke the ring)', () => {
  const { m, changes, firsts } = setup()
  for (const id of ['', '\ud800x', '\udc00x', 'é'.repeat(200), /** @type {any} */ (42)]) m.heard(id)
  assert.deepEqual(m.members, ['m'])
  assert.deepEqual(changes, [])
  assert.deepEqual(firsts, [])
})

test('an excluded peer leaves at once and is not heard until its exclusion ends', () => {
  const { m, clock, changes } = setup()
  m.heard('p')
  m.exclude('p', 3000)
  assert.deepEqual(m.members, ['m'])
  assert.equal(m.excluded, 1)
  assert.equal(m.exclusions, 1)
  m.heard('p') // its heartbeats do not bring it back
  clock.now += 2999
  m.heard('p')
  assert.deepEqual(m.members, ['m'])
  clock.now += 1
  assert.equal(m.excluded, 0)
  m.heard('p')
  assert.deepEqual(m.members, ['m', 'p'])
  assert.deepEqual(changes, [['m', 'p'], ['m'], ['m', 'p']])
  m.exclude('m', 1000) // never self
  assert.deepEqual(m.members, ['m', 'p'])
})

test('roles: a member announces its ring weight and durability; a weight change changes the ring, the rest does not', () => {
  const { m, changes } = setup('m')
  m.setRole('s', 0, true) // not a member yet: ignored
  assert.equal(m.weightOf('s'), 1)
  m.heard('s')
  const before = changes.length
  m.setRole('s', 0, true)
  assert.equal(m.weightOf('s'), 0)
  assert.equal(m.isDurable('s'), true)
  assert.equal(changes.length, before + 1, 'the ring sees the new weight')
  m.setRole('s', 0, true)
  m.setRole('s', 0, false)
  assert.equal(m.isDurable('s'), false)
  assert.equal(changes.length, before + 1, 'same weight: no change')
  // A peer that leaves forgets its role: coming back it is weight 1 until it says otherwise.
  m.left('s')
  m.heard('s')
  assert.equal(m.weightOf('s'), 1)
  // Its own role is the one it was made with.
  const own = new Membership('me', { peerTimeout: 1000, onChange: () => {}, role: { weight: 4, durable: true } })
  own.setRole('me', 1, false)
  assert.equal(own.weightOf('me'), 4)
  assert.equal(own.isDurable('me'), true)
})

test('regression: a peer whose first message is a heartbeat joins the ring with the role it announced (one change, not one at weight 1 and another)', () => {
  const weights = []
  const m2 = new Membership('m', {
    peerTimeout: 1000,
    now: () => 5000,
    onChange: () => weights.push(m2.weightOf('s')),
    onReturn: () => {},
    onFirstContact: () => {}
  })
  m2.heard('s', { weight: 0, durable: true })
  assert.deepEqual(weights, [0], 'the only ring change has its weight')
  assert.equal(m2.isDurable('s'), true)
  m2.heard('s', { weight: 0, durable: true })
  assert.deepEqual(weights, [0], 'the same role again changes nothing')
  m2.heard('s', { weight: 4, durable: false })
  assert.deepEqual(weights, [0, 4], 'a new weight changes the ring')
  m2.heard('s')
  assert.equal(m2.weightOf('s'), 4, 'a message without a role keeps it')
})
