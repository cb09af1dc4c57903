// LeaderElection over a LockManager: one leader, the next in request order
// after it, a withdrawn wait never leads.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { LeaderElection } from '../../../../js/tabs/election.js'
import { FakeLockManager } from '../../../support/fake-locks.js'

test('the first tab leads; the others wait and lead in request order as each leader lets go', async () => {
  const locks = new FakeLockManager()
  const [a, b, c] = [0, 1, 2].map(() => new LeaderElection(locks, 'store'))
  assert.equal(await a.tryLead(), true)
  assert.equal(await b.tryLead(), false)
  assert.equal(await c.tryLead(), false)
  const order = []
  const waits = [b.waitToLead().then((won) => order.push(['b', won])), c.waitToLead().then((won) => order.push(['c', won]))]
  await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(order, [])
  a.release()
  await waits[0]
  assert.deepEqual(order, [['b', true]])
  assert.equal(b.leading, true)
  b.release()
  await waits[1]
  assert.deepEqual(order, [['b', true], ['c', true]])
  c.release()
  await new Promise((r) => setTimeout(r, 10))
  assert.equal(locks.isHeld('store'), false)
})

test('a wait withdrawn by release() resolves false and never takes the lock', async () => {
  const locks = new FakeLockManager()
  const a = new LeaderElection(locks, 'store')
  const b = new LeaderElection(locks, 'store')
  await a.tryLead()
  const waiting = b.waitToLead()
  b.release()
  assert.equal(await waiting, false)
  a.release()
  await new Promise((r) => setTimeout(r, 10))
  assert.equal(locks.isHeld('store'), false)
  assert.equal(await b.tryLead(), false, 'released for good')
})
