import assert from 'node:assert/strict'
import { test } from 'node:test'

import { RunCompaction } from '../../../../js/store/run-compaction.js'

/**
 * A RunCompaction over a fake engine whose passes last `passes` pages of
 * one step each; `log` records what ran, in order.
 */
function compaction({ due = true, stall = 0, pages = 2, closed = false, rounds = 1 } = {}) {
  const log = []
  let left = pages
  let stalls = stall
  // Passes a bulk pass takes: each but the last ends with a pass still due
  // (runs written while it ran) and pages to store.
  let roundsLeft = rounds
  const engine = {
    compactionDue: () => due,
    hasDirtyPages: () => roundsLeft > 0,
    writeStall: () => stalls > 0,
    pagesWantedForCompaction: (limit, bulk) => {
      log.push(`wanted ${limit}${bulk ? ' bulk' : ''}`)
      if (left === 0) {
        left = pages
        if (stalls > 0) stalls--
        if (--roundsLeft <= 0) due = false
        return []
      }
      left--
      return [left + 1]
    }
  }
  const run = (op) => {
    // The paging driver: steps until done (loads are not modelled).
    while (op.step(null) !== null) {
      // each step named pages
    }
    return op.result
  }
  const c = new RunCompaction(
    {
      engine: () => /** @type {any} */ (engine),
      isOpen: () => !closed,
      run,
      task: async (fn) => fn(),
      saveSoon: () => log.push('save'),
      reportError: (err) => log.push(`error ${err.message}`)
    },
    50
  )
  return { c, log }
}

test('soon() runs a due pass in tasks of a few steps, then saves', async () => {
  const { c, log } = compaction({ pages: 20 })
  c.soon()
  c.soon() // already queued: one chain
  await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(log.filter((l) => l.startsWith('wanted 12')).length, 21, 'a quarter of the budget per step')
  assert.deepEqual(log.slice(-1), ['save'])
})

test('soon() does nothing when no pass is due or the store is closed', async () => {
  for (const opts of [{ due: false }, { closed: true }]) {
    const { c, log } = compaction(opts)
    c.soon()
    await new Promise((resolve) => setTimeout(resolve, 5))
    assert.deepEqual(log, [])
  }
})

test('beforeWrites() runs whole passes, each stored, while writes would stall', async () => {
  const { c, log } = compaction({ stall: 2, pages: 1 })
  let stored = 0
  await c.beforeWrites(async () => stored++)
  assert.equal(stored, 2)
  assert.equal(log.length, 4, 'two passes of one page: two steps and two ends')
})

test('bulkPass() asks for a pass after a bulk load', async () => {
  const { c, log } = compaction({ pages: 1 })
  let stored = 0
  await c.bulkPass(async () => stored++)
  assert.deepEqual(log, ['wanted 12 bulk', 'wanted 12 bulk'])
  assert.equal(stored, 0, "the save after the pass is the caller's")
})

test('bulkPass() saves and passes again while a pass is still due (runs written during a pass under way)', async () => {
  const { c, log } = compaction({ pages: 1, rounds: 3 })
  await c.bulkPass(async () => log.push('store'))
  assert.deepEqual(log, ['wanted 12 bulk', 'wanted 12 bulk', 'store', 'wanted 12 bulk', 'wanted 12 bulk', 'store', 'wanted 12 bulk', 'wanted 12 bulk'])
})

test('bulkPass() stops when a round neither loaded a page nor left one to store', async () => {
  const { c, log } = compaction({ pages: 0, rounds: 0 })
  await c.bulkPass(async () => log.push('store'))
  assert.deepEqual(log, ['wanted 12 bulk'])
})
