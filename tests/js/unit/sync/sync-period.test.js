// SyncPeriod: since when the store has been in sync, saved in the engine's
// user data, and when meeting peers makes it stale.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { SyncPeriod } from '../../../../js/sync/sync-period.js'

const GRACE = 10_000

function fakeLocal(text = '') {
  return {
    text,
    saves: 0,
    isOpen: true,
    userData() {
      return this.text
    },
    setUserFields(fields) {
      this.text = JSON.stringify({ ...(this.text ? JSON.parse(this.text) : {}), ...fields })
    },
    saveSoon() {
      this.saves++
    }
  }
}

test('a new store was never in sync and is never stale', () => {
  const p = new SyncPeriod(fakeLocal(), GRACE)
  assert.deepEqual([p.since, p.last, p.stale, p.inSyncSince], [0, 0, false, 0])
  assert.equal(p.contact(1e12), false)
})

test('inSync starts a period and saves `last` at most every grace/4 (and at most every minute)', () => {
  const local = fakeLocal()
  const p = new SyncPeriod(local, GRACE)
  p.inSync(1000)
  assert.deepEqual([p.since, p.last, local.saves], [1000, 1000, 1])
  p.inSync(3000)
  assert.deepEqual([p.last, local.saves], [1000, 1], 'within grace/4: not saved again')
  p.inSync(3500)
  assert.deepEqual([p.since, p.last, local.saves], [1000, 3500, 2])
  assert.deepEqual(JSON.parse(local.text), { v: 1, since: 1000, last: 3500 })
  assert.equal(p.inSyncSince, 1000)
})

test('saved periods are restored; meeting peers after longer than the grace period makes the store stale', () => {
  const local = fakeLocal(JSON.stringify({ v: 1, since: 1000, last: 5000 }))
  const p = new SyncPeriod(local, GRACE)
  assert.deepEqual([p.since, p.last], [1000, 5000])
  assert.equal(p.contact(5000 + GRACE), false, 'exactly the grace period: not stale')
  assert.equal(p.contact(5001 + GRACE), true)
  assert.equal(p.inSyncSince, 0, 'a stale store vouches for nothing')
  assert.equal(p.suspectBefore, hlcAtWallMs(5000))
  p.inSync(20_000)
  assert.equal(p.last, 5000, 'no longer in sync until checked')
  p.checked(30_000)
  assert.deepEqual([p.stale, p.since, p.last, p.inSyncSince], [false, 30_000, 30_000, 30_000])
  assert.deepEqual(JSON.parse(local.text), { v: 1, since: 30_000, last: 30_000 })
})

test('unreadable or foreign user data counts as never in sync', () => {
  for (const text of ['', 'nope', '{"v":2,"since":1,"last":2}', '{"v":1,"since":-1,"last":2}', '{"v":1,"since":5,"last":2}', 'null']) {
    const p = new SyncPeriod(fakeLocal(text), GRACE)
    assert.deepEqual([p.since, p.last], [0, 0], text)
  }
})

test('nothing is saved once the store is closed', () => {
  const local = fakeLocal()
  local.isOpen = false
  new SyncPeriod(local, GRACE).inSync(1000)
  assert.equal(local.text, '')
})
