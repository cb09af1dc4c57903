import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'

import { Interests } from '../../../../js/sync/interests.js'
import { Subscriber } from '../../../../js/sync/subscriber.js'
import { fakeContext, fakeRing, flush, hlc, rec } from './fakes.js'

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

function setup({ held = [] } = {}) {
  const interests = new Interests()
  const cache = new Map()
  const announced = []
  const f = fakeContext({
    ringView: fakeRing(['A', 'B', 'C', 'D'], { k: ['B', 'C'], mine: ['A', 'B'] }),
    lookup: async (keys) => keys.map((k) => held.find((r) => r.key === k) ?? null)
  })
  const s = new Subscriber(f.ctx, {
    interests,
    lease: 3000,
    remote: { cached: (k) => cache.get(k) ?? null, remember: (r) => cache.set(r.key, r), announce: (recs) => announced.push(...recs) }
  })
  const subs = () => f.sent.filter((x) => x.msg.t === 'sub')
  return { s, f, interests, cache, announced, subs }
}

describe('Subscriber', () => {
  test('a key at its replicas, a prefix at every member; renewed a third into the lease', async () => {
    const { s, f, interests, subs } = setup()
    interests.set('self', [{ key: 'k' }, { prefix: 'doc:' }])
    await flush()
    const first = subs()
    assert.deepEqual(first.map((x) => [x.peer, x.msg.keys, x.msg.prefixes]), [
      ['B', ['k'], ['doc:']],
      ['C', ['k'], ['doc:']],
      ['D', [], ['doc:']]
    ])
    assert.ok(first.every((x) => typeof x.msg.since === 'string'), 'a first subscription asks what changed just before')
    for (const x of first) assert.equal(s.onAck(x.peer, x.msg.id), true)
    assert.equal(s.counts.watching, 3)
    s.tick()
    assert.equal(subs().length, 3, 'not due yet')
    mock.timers.tick(1000)
    s.tick()
    const renewals = subs().slice(3)
    assert.equal(renewals.length, 3)
    assert.ok(renewals.every((x) => x.msg.since === undefined), 'confirmed leases ask nothing back')
    assert.equal(f.errors.length, 0)
  })

  test('an unconfirmed sub is sent again; a lapsed one asks what changed since', async () => {
    const { s, interests, subs } = setup()
    interests.set('self', [{ key: 'k' }])
    await flush()
    assert.equal(subs().length, 2)
    mock.timers.tick(1000) // retryInterval
    s.tick()
    assert.equal(subs().length, 4)
    for (const x of subs().slice(2)) s.onAck(x.peer, x.msg.id)
    mock.timers.tick(3500) // past the lease
    s.tick()
    assert.ok(subs().slice(4).every((x) => typeof x.msg.since === 'string'))
  })

  test('no interest any more: every publisher is told; the ring changes: the sub moves', async () => {
    const { s, f, interests, subs } = setup()
    interests.set('self', [{ key: 'k' }])
    await flush()
    f.setRing(fakeRing(['A', 'C', 'D'], { k: ['C', 'D'] }))
    s.refresh()
    await flush()
    assert.deepEqual(subs().slice(2).map((x) => [x.peer, x.msg.keys]), [['B', []], ['D', ['k']]])
    interests.set('self', [])
    await flush()
    assert.deepEqual(subs().slice(4).map((x) => [x.peer, x.msg.keys]), [['C', []], ['D', []]])
  })

  test('a pub: acknowledged; news announced once, held keys and keys replicated here merged, stale ones dropped', async () => {
    const older = rec('held', hlc(1), 'B')
    const { s, f, interests, announced, cache } = setup({ held: [older] })
    interests.set('self', [{ prefix: '' }])
    await flush()
    const k1 = rec('k', hlc(2), 'B')
    await s.onPub('B', { id: 50, records: [k1, rec('held', hlc(3), 'B'), rec('mine', hlc(1), 'B')] })
    assert.deepEqual(f.sent.at(-1), { peer: 'B', msg: { t: 'ack', id: 50 } })
    assert.deepEqual(announced, [k1])
    assert.equal(cache.get('k'), k1)
    assert.deepEqual(f.merged[0].map((r) => r.key), ['held', 'mine'])
    // The same change from another replica, and an older one: nothing new.
    await s.onPub('C', { id: 51, records: [k1, rec('k', hlc(1), 'B'), rec('held', hlc(0), 'B')] })
    assert.equal(announced.length, 1)
    assert.equal(f.merged.length, 1)
  })

  test('a pub for something not watched is dropped', async () => {
    const { s, interests, announced } = setup()
    interests.set('self', [{ key: 'x' }])
    await flush()
    await s.onPub('B', { id: 1, records: [rec('k', hlc(2), 'B')] })
    assert.deepEqual(announced, [])
  })
})
