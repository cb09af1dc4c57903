import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'

import { Incoming } from '../../../../js/sync/incoming.js'

beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

describe('Incoming', () => {
  test('announced records counted down as puts come; a since acknowledged completes; the count starts over when nothing is owed', () => {
    const seen = []
    const inc = new Incoming({ stallMs: 4000, onProgress: (p) => seen.push(p) })
    inc.onDelta('B', 100)
    inc.onDelta('C', 50)
    inc.onDelta('B', 0)
    inc.onRecords('B', 60)
    inc.onRecords('D', 10) // announced nothing: not counted
    inc.onRecords('B', 60) // more than owed: capped
    assert.deepEqual(seen.at(-1), { task: 'catch-up', done: 100, total: 150 })
    inc.complete('C')
    assert.deepEqual(seen.at(-1), { task: 'catch-up', done: 150, total: 150 })
    inc.onDelta('B', 10)
    assert.deepEqual(seen.at(-1), { task: 'catch-up', done: 0, total: 10 })
  })

  test('a peer that sends nothing for stallMs is settled (a lying or departed peer holds the bar that long at most)', () => {
    const seen = []
    const inc = new Incoming({ stallMs: 4000, onProgress: (p) => seen.push(p) })
    inc.onDelta('B', 1e6)
    inc.onDelta('C', 10)
    inc.onRecords('C', 10)
    mock.timers.tick(3000)
    inc.tick()
    assert.deepEqual(seen.at(-1), { task: 'catch-up', done: 10, total: 1000010 })
    mock.timers.tick(1001)
    inc.tick()
    assert.deepEqual(seen.at(-1), { task: 'catch-up', done: 1000010, total: 1000010 })
  })
})
