import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Ownership } from '../../../../js/sync/ownership.js'

const live = (existed) => ({ record: { deleted: false }, existed })
const del = (existed) => ({ record: { deleted: true }, existed })

test('starts owning every live key (the ring is this peer alone)', () => {
  const o = new Ownership('A', 12)
  assert.equal(o.owned, 12)
  assert.equal(o.replica, 0)
})

test('onApplied: a new live key counts +1 in its role', () => {
  const o = new Ownership('A', 0)
  o.onApplied([live(false), live(false), live(false), live(false)], [['A', 'B'], ['B', 'A'], ['B', 'C'], ['A']])
  assert.equal(o.owned, 2)
  assert.equal(o.replica, 1)
})

test('onApplied: deleting a live key counts -1; deleting nothing counts nothing', () => {
  const o = new Ownership('A', 5)
  o.replica = 5
  o.onApplied([del(true), del(true), del(false), del(false), del(true)], [['A'], ['B', 'A'], ['A'], ['B', 'A'], ['B', 'C']])
  assert.equal(o.owned, 4)
  assert.equal(o.replica, 4)
})

test('onApplied: an overwrite of a live key changes nothing', () => {
  const o = new Ownership('A', 5)
  o.onApplied([live(true), live(true)], [['A'], ['B', 'A']])
  assert.equal(o.owned, 5)
  assert.equal(o.replica, 0)
})

test('recount: live keys by role, tombstones left out', () => {
  const o = new Ownership('A', 99)
  o.recount(
    [{ deleted: false }, { deleted: false }, { deleted: true }, { deleted: false }, { deleted: false }, { deleted: true }],
    [['A', 'B'], ['B', 'A'], ['A'], ['C', 'B'], ['A'], ['B', 'A']]
  )
  assert.equal(o.owned, 2)
  assert.equal(o.replica, 1)
})

test('onApplied: a buffered put (existed unknown) changes nothing until the next recount', () => {
  const o = new Ownership('A', 5)
  o.onApplied([{ ...live(false), buffered: true }], [['A']])
  assert.equal(o.owned, 5)
})
