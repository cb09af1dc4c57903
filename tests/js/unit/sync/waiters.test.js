// waiters.js: promises that resolve when a condition holds, or reject with TIMEOUT.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, mock, test } from 'node:test'

import { Waiters } from '../../../../js/sync/waiters.js'
import { state } from './fakes.js'

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }))
afterEach(() => mock.timers.reset())

test('resolves at once when the condition holds, else at the settle() after it does', async () => {
  const w = new Waiters()
  let ready = true
  assert.equal(await state(w.wait(() => ready, 1000, () => 'x')), 'resolved')
  ready = false
  const p = w.wait(() => ready, 1000, () => 'x')
  w.settle()
  assert.equal(await state(p), 'pending')
  ready = true
  assert.equal(await state(p), 'pending', 'only settle() looks')
  w.settle()
  assert.equal(await state(p), 'resolved')
})

test('each waiter has its own condition', async () => {
  const w = new Waiters()
  let n = 0
  const two = w.wait(() => n >= 2, Infinity, () => 'x')
  const one = w.wait(() => n >= 1, Infinity, () => 'x')
  n = 1
  w.settle()
  assert.equal(await state(one), 'resolved')
  assert.equal(await state(two), 'pending')
})

test('rejects with code TIMEOUT and the message of the moment; Infinity or more than 2^31 - 1 ms waits', async () => {
  const w = new Waiters()
  let left = 3
  const p = w.wait(() => false, 500, () => `${left} left`)
  left = 2
  mock.timers.tick(500)
  await assert.rejects(p, { code: 'TIMEOUT', message: '2 left' })
  const forever = w.wait(() => false, Infinity, () => 'x')
  const long = w.wait(() => false, 2 ** 31, () => 'x')
  mock.timers.tick(10)
  assert.equal(await state(forever), 'pending')
  assert.equal(await state(long), 'pending')
  w.close()
  assert.equal(await state(forever), 'resolved')
  assert.equal(await state(long), 'resolved')
})
