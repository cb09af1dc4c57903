// WaitList: items set aside by page, pages named fresh-first.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { WaitList } from '../../../../js/store/wait-list.js'

test('items wait by page, in the order they came; take() hands them back once', () => {
  const w = new WaitList()
  w.add(7, 0)
  w.add(3, 1)
  w.add(7, 2)
  assert.equal(w.size, 2)
  assert.deepEqual(w.take(7), [0, 2])
  assert.equal(w.take(7), undefined)
  assert.equal(w.size, 1)
})

test('need(): pages first waited on since the last call come first, then the others in first-wait order', () => {
  const w = new WaitList()
  for (const [page, i] of [[1, 0], [2, 1], [3, 2], [4, 3]]) w.add(page, i)
  assert.deepEqual(w.need(), [1, 2, 3, 4])
  // Page 1 loaded: its item now waits on page 9 (a run page page 1 needs).
  w.take(1)
  w.add(9, 0)
  w.add(2, 4) // an older page: not fresh
  assert.deepEqual(w.need(), [9, 2, 3, 4])
  assert.deepEqual(w.need(), [2, 3, 4, 9])
})

test('need(): a fresh page taken before the call is not named', () => {
  const w = new WaitList()
  w.add(1, 0)
  w.add(2, 1)
  w.take(2)
  assert.deepEqual(w.need(), [1])
  assert.equal(w.size, 1)
})
