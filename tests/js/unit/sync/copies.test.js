import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { Copies } from '../../../../js/sync/copies.js'
import { hlc, rec, state } from './fakes.js'

describe('Copies', () => {
  test('a write is short until replicationFactor peers (this one counted) acknowledged its version', async () => {
    const c = new Copies('A', 3)
    const v1 = rec('k', hlc(1), 'A')
    c.wrote(v1)
    assert.equal(c.short, 1)
    assert.equal(c.least, 1)
    const two = c.whenAtLeast(2, Infinity)
    const three = c.whenAtLeast(5, Infinity) // capped at replicationFactor
    c.held('B', rec('k', hlc(0), 'A')) // another version: not this write's copy
    assert.equal(c.least, 1)
    c.held('B', v1)
    assert.equal(await state(two), 'pending', 'waiters settle when the write leaves the short list')
    c.held('C', v1)
    assert.equal(c.short, 0)
    assert.equal(c.least, 3)
    assert.equal(await state(two), 'resolved')
    assert.equal(await state(three), 'resolved')
  })

  test('a newer write of the key starts over; an older one is ignored', () => {
    const c = new Copies('A', 2)
    c.wrote(rec('k', hlc(2), 'A'))
    c.wrote(rec('k', hlc(1), 'A'))
    c.held('B', rec('k', hlc(1), 'A'))
    assert.equal(c.short, 1)
    c.held('B', rec('k', hlc(2), 'A'))
    assert.equal(c.short, 0)
    assert.deepEqual(c.keys(), [])
  })

  test('TIMEOUT when the copies do not come; RF 1 never waits', async () => {
    const c = new Copies('A', 3)
    c.wrote(rec('k', hlc(1), 'A'))
    await assert.rejects(c.whenAtLeast(2, 10), { code: 'TIMEOUT' })
    assert.equal(await state(c.whenAtLeast(1, 10)), 'resolved')
    const one = new Copies('A', 1)
    one.wrote(rec('k', hlc(1), 'A'))
    assert.equal(one.short, 0)
    const pending = c.whenAtLeast(3, Infinity)
    c.close()
    assert.equal(await state(pending), 'resolved')
  })
})

test('holds: whether a peer acknowledged the short write of a key', () => {
  const c = new Copies('me', 3)
  const r = { key: 'k', hlc: '0000000000010000', origin: 'me', deleted: false, json: '1' }
  c.wrote(r)
  assert.equal(c.holds('k', 'me'), true)
  assert.equal(c.holds('k', 'B'), false)
  c.held('B', r)
  assert.equal(c.holds('k', 'B'), true)
  assert.equal(c.holds('other', 'B'), false)
})

test('whenDurable: every write made here acknowledged by a durable peer (any number of others meanwhile)', async () => {
  const durable = new Set(['S'])
  const c = new Copies('A', 2, (peer) => durable.has(peer))
  const v1 = rec('k', hlc(1), 'A')
  const v2 = rec('j', hlc(2), 'A')
  c.wrote(v1)
  c.wrote(v2)
  assert.equal(c.notDurable, 2)
  const waiting = c.whenDurable(Infinity)
  c.held('B', v1)
  c.held('C', v2)
  assert.equal(c.short, 0, 'enough copies')
  assert.equal(await state(waiting), 'pending', 'none of them on a durable peer')
  c.held('S', rec('k', hlc(0), 'A')) // another version
  c.held('S', v1)
  assert.equal(await state(waiting), 'pending')
  // A newer write of j replaces the one the server has not acknowledged yet.
  const v3 = rec('j', hlc(3), 'A')
  c.wrote(v3)
  c.held('S', v2)
  assert.equal(c.notDurable, 1)
  assert.deepEqual(c.notDurableKeys(), ['j'], 'what retries push to durable peers again')
  assert.deepEqual([c.isDurable('S'), c.isDurable('B')], [true, false])
  c.held('S', v3)
  assert.equal(c.notDurable, 0)
  assert.equal(await state(waiting), 'resolved')
  c.wrote(rec('x', hlc(4), 'A'))
  await assert.rejects(c.whenDurable(10), { code: 'TIMEOUT', message: /on no server peer's disk/ })
})
