import assert from 'node:assert/strict'
import { test } from 'node:test'

import { PagingStorageError } from '../../../../js/core/errors.js'
import { Admission } from '../../../../js/store/admission.js'
import { Room } from '../../../../js/store/room.js'

/** A Room over fakes; `calls` records what make() did, in order. */
function room({ tombstones = 0, purgeWhenFull = false, flushFails = false } = {}) {
  const calls = []
  const admission = new Admission(1000, 1, () => false)
  const engine = { stats: () => ({ tombstones, pages: 7 }) }
  const pager = {
    flush: async () => {
      calls.push('flush')
      if (flushFails) throw new PagingStorageError('QUOTA_EXCEEDED', 'still full')
      admission.noteSaved()
    }
  }
  const r = new Room({
    engine: /** @type {any} */ (engine),
    pager: /** @type {any} */ (pager),
    admission,
    purgeAll: async () => calls.push('purge'),
    purgeWhenFull
  })
  return { r, calls, admission }
}

test('nothing to try while no delete was taken since the quota filled', () => {
  const { r, admission } = room()
  assert.equal(r.worthTrying(), false)
  r.noteAdmitted([{ type: 'delete' }]) // not blocked: nothing to note
  assert.equal(r.worthTrying(), false)
  admission.noteSaveFailed(new PagingStorageError('QUOTA_EXCEEDED', 'full'))
  r.noteAdmitted([])
  assert.equal(r.worthTrying(), false)
})

test('deletes taken while the quota is full: make() saves them once, and lifts the block', async () => {
  const { r, calls, admission } = room()
  admission.noteSaveFailed(new PagingStorageError('QUOTA_EXCEEDED', 'full'))
  r.noteAdmitted([{ type: 'delete' }])
  assert.equal(r.worthTrying(), true)
  await r.make()
  assert.deepEqual(calls, ['flush'])
  assert.equal(admission.quotaBlocked, false)
  assert.equal(r.worthTrying(), false, 'until more deletes come')
})

test('a save that still fails is swallowed (the pager reported it); the next try waits for more deletes', async () => {
  const { r, calls, admission } = room({ flushFails: true })
  admission.noteSaveFailed(new PagingStorageError('QUOTA_EXCEEDED', 'full'))
  r.noteAdmitted([{ type: 'delete' }])
  await r.make()
  assert.deepEqual(calls, ['flush'])
  assert.equal(r.worthTrying(), false)
})

test('a store without peers purges its tombstones before saving', async () => {
  const { r, calls } = room({ tombstones: 3, purgeWhenFull: true })
  assert.equal(r.worthTrying(), true)
  await r.make()
  assert.deepEqual(calls, ['purge', 'flush'])
  assert.equal(room({ tombstones: 3 }).r.worthTrying(), false, 'with peers: never purges unasked')
})
