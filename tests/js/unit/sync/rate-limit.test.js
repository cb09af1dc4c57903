import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RateLimiter } from '../../../../js/sync/rate-limit.js'

function setup(limits) {
  const clock = { now: 1_000_000 }
  return { limiter: new RateLimiter(limits, () => clock.now), clock }
}

/** How many messages of `size` pass in a row now. */
function burst(limiter, peer, size = 1, max = 1000) {
  let n = 0
  while (n < max && limiter.allow(peer, size)) n++
  return n
}

test('a burst of twice the message rate, then nothing', () => {
  const { limiter } = setup({ messages: 5, bytes: 1e9 })
  assert.equal(burst(limiter, 'p'), 10)
  assert.equal(limiter.allow('p', 1), false)
})

test('refills at the rate per second, up to the burst', () => {
  const { limiter, clock } = setup({ messages: 10, bytes: 1e9 })
  assert.equal(burst(limiter, 'p'), 20)
  clock.now += 99
  assert.equal(limiter.allow('p', 1), false)
  clock.now += 1 // 100 ms: one message
  assert.equal(burst(limiter, 'p'), 1)
  clock.now += 500
  assert.equal(burst(limiter, 'p'), 5)
  clock.now += 60_000 // never more than the burst
  assert.equal(burst(limiter, 'p'), 20)
})

test('a clock that goes back refills nothing', () => {
  const { limiter, clock } = setup({ messages: 10, bytes: 1e9 })
  burst(limiter, 'p')
  clock.now -= 10_000
  assert.equal(limiter.allow('p', 1), false)
})

test('a byte budget of twice the byte rate', () => {
  const { limiter, clock } = setup({ messages: 1000, bytes: 100 })
  assert.equal(limiter.allow('p', 150), true)
  assert.equal(limiter.allow('p', 60), false, '50 bytes left')
  assert.equal(limiter.allow('p', 50), true, 'a refused message took nothing')
  assert.equal(limiter.allow('p', 1), false)
  clock.now += 100 // 10 bytes
  assert.equal(limiter.allow('p', 11), false)
  assert.equal(limiter.allow('p', 10), true)
  // A message larger than the burst passes only with the bucket full.
  clock.now += 60_000
  assert.equal(limiter.allow('p', 201), true)
  assert.equal(limiter.allow('p', 1), false, 'in debt')
})

test('each peer has its own bucket', () => {
  const { limiter } = setup({ messages: 1, bytes: 1e9 })
  assert.equal(burst(limiter, 'p'), 2)
  assert.equal(burst(limiter, 'q'), 2)
})

test('forget gives a peer a fresh bucket', () => {
  const { limiter } = setup({ messages: 1, bytes: 100 })
  assert.equal(burst(limiter, 'p'), 2)
  limiter.forget('p')
  assert.equal(burst(limiter, 'p'), 2)
  limiter.forget('p')
  assert.equal(limiter.allow('p', 200), true)
  assert.equal(limiter.allow('p', 1), false)
  limiter.forget('nobody')
})

test('has() says whether a message fits, taking nothing', () => {
  let now = 0
  const r = new RateLimiter({ messages: 1, bytes: 100 }, () => now)
  assert.equal(r.has('p', 200), true)
  assert.equal(r.has('p', 201), true, 'larger than the burst: the bucket is full')
  assert.equal(r.allow('p', 150), true)
  assert.equal(r.has('p', 51), false, 'the bytes are spent')
  now += 1000
  assert.equal(r.has('p', 150), true)
  assert.equal(r.has('p', 151), false)
})

test('regression: a message larger than the burst passes once the bucket is full, and leaves it in debt (a 57 K put never went out on a 25 K/s budget)', () => {
  let now = 0
  const r = new RateLimiter({ messages: 10, bytes: 100 }, () => now)
  assert.equal(r.allow('p', 500), true, 'the bucket is full: 200')
  assert.equal(r.has('p', 1), false, 'in debt: -300')
  now += 4000
  assert.equal(r.has('p', 150), false, '100 after 4 s')
  now += 1000
  assert.equal(r.allow('p', 500), true, 'full again')
})

test('charge takes work done before its cost was known, into debt: nothing passes until the bucket refills', () => {
  const { limiter, clock } = setup({ messages: 1e9, bytes: 100 })
  assert.equal(limiter.has('p', 1), true)
  limiter.charge('p', 500) // 200 in the bucket: 300 in debt
  assert.equal(limiter.has('p', 1), false)
  clock.now += 3000 // +300: back to 0
  assert.equal(limiter.has('p', 1), false)
  clock.now += 100
  assert.equal(limiter.has('p', 1), true)
})
