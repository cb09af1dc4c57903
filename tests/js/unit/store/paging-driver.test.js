// PagingDriver with a fake engine, a fake pager and scripted operations.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingDriver } from '../../../../js/store/paging-driver.js'

/** A fake engine: over budget or not; pagesAhead answers from a script. */
function fakeEngine({ overBudget = false, ahead = (first, n) => Array.from({ length: n }, (_, i) => first + i) } = {}) {
  const calls = []
  return {
    calls,
    over: overBudget,
    overBudget() {
      return this.over
    },
    pagesAhead(first, limit, descending) {
      calls.push({ first, limit, descending })
      return ahead(first, limit, descending)
    }
  }
}

/** A fake pager recording what it is asked, in order. */
function fakePager({ loadError = null } = {}) {
  const log = []
  return {
    log,
    async loadMany(ids) {
      log.push(['load', [...ids]])
      if (loadError) throw loadError
      // A driver that loops instead of failing fails here, not by hanging.
      if (log.length > 1000) throw new Error('the driver keeps loading')
    },
    async afterOp() {
      log.push(['afterOp'])
    },
    async makeRoom() {}
  }
}

/**
 * An operation that answers each step from `needs` (one per step; null:
 * done) and counts progress with `progress` (per step, default 1).
 */
function scripted(needs, { progress = () => 1, result = 'the result' } = {}) {
  const steps = []
  let i = 0
  return {
    steps,
    done: 0,
    result,
    step(loaded) {
      steps.push(loaded === null ? null : [...loaded])
      const need = typeof needs === 'function' ? needs(i) : needs[i]
      if (i > 0) this.done += progress(i)
      i++
      return need ?? null
    }
  }
}

describe('PagingDriver.run', () => {
  test('nothing needed and within budget: the result, synchronously, no I/O', () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted([null])
    const out = driver.run(/** @type {any} */ (op))
    assert.equal(out, 'the result')
    assert.deepEqual(op.steps, [null])
    assert.deepEqual(pager.log, [])
  })

  test('nothing needed but over budget: afterOp, then the result', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine({ overBudget: true }), /** @type {any} */ (pager), 8)
    const out = driver.run(/** @type {any} */ (scripted([null])))
    assert.ok(out instanceof Promise)
    assert.equal(await out, 'the result')
    assert.deepEqual(pager.log, [['afterOp']])
  })

  test('the page needed first is loaded last; the step is told what was loaded', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted([{ pages: [5, 6, 7] }, null])
    assert.equal(await driver.run(/** @type {any} */ (op)), 'the result')
    assert.deepEqual(pager.log, [['load', [7, 6, 5]], ['afterOp']])
    assert.deepEqual(op.steps, [null, [7, 6, 5]])
  })

  for (const [budget, chunk] of [
    [8, 4],
    [9, 4],
    [3, 1],
    [2, 1],
    [1, 1],
    [100, 50]
  ]) {
    test(`reads load at most half the budget per step (budget ${budget}: ${chunk})`, async () => {
      const pager = fakePager()
      const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), budget)
      const pages = Array.from({ length: 200 }, (_, i) => 100 + i)
      await driver.run(/** @type {any} */ (scripted([{ pages }, null])))
      const expected = pages.slice(0, chunk).reverse()
      assert.deepEqual(pager.log[0], ['load', expected])
      assert.equal(pager.log[0][1].at(-1), 100, 'the first needed, last')
    })
  }

  test('a scan prefetches through pagesAhead, capped at a quarter of the budget', async () => {
    const engine = fakeEngine()
    const pager = fakePager()
    const driver = new PagingDriver(engine, /** @type {any} */ (pager), 16)
    await driver.run(/** @type {any} */ (scripted([{ pages: [40], ahead: { descending: false, most: Infinity } }, null])))
    assert.deepEqual(engine.calls, [{ first: 40, limit: 4, descending: false }])
    assert.deepEqual(pager.log[0], ['load', [43, 42, 41, 40]])
  })

  test('the prefetch is capped by ahead.most, and descends for a reverse scan', async () => {
    const engine = fakeEngine({ ahead: (first, n, desc) => Array.from({ length: n }, (_, i) => (desc ? first - i : first + i)) })
    const pager = fakePager()
    const driver = new PagingDriver(engine, /** @type {any} */ (pager), 400)
    await driver.run(
      /** @type {any} */ (scripted([
        { pages: [40], ahead: { descending: true, most: 3 } },
        { pages: [30], ahead: { descending: true, most: 1 } },
        { pages: [20], ahead: { descending: false, most: 0 } },
        null
      ]))
    )
    assert.deepEqual(engine.calls, [
      { first: 40, limit: 3, descending: true },
      { first: 30, limit: 1, descending: true },
      { first: 20, limit: 1, descending: false }
    ])
    assert.deepEqual(pager.log.slice(0, 3), [
      ['load', [38, 39, 40]],
      ['load', [30]],
      ['load', [20]]
    ])
  })

  test('a budget below 4 still prefetches one page', async () => {
    const engine = fakeEngine()
    const driver = new PagingDriver(engine, /** @type {any} */ (fakePager()), 2)
    await driver.run(/** @type {any} */ (scripted([{ pages: [9], ahead: { descending: false, most: Infinity } }, null])))
    assert.equal(engine.calls[0].limit, 1)
  })

  test('pagesAhead answering nothing: the needed page alone', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine({ ahead: () => [] }), /** @type {any} */ (pager), 16)
    await driver.run(/** @type {any} */ (scripted([{ pages: [7], ahead: { descending: false, most: Infinity } }, null])))
    assert.deepEqual(pager.log[0], ['load', [7]])
  })

  test('{ flush: true } calls pager.afterOp, then steps again from null', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted([{ flush: true }, { flush: true }, null])
    await driver.run(/** @type {any} */ (op))
    assert.deepEqual(pager.log, [['afterOp'], ['afterOp'], ['afterOp']])
    assert.deepEqual(op.steps, [null, null, null])
  })

  test('afterOp runs once at the end, after the last load', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    await driver.run(/** @type {any} */ (scripted([{ pages: [1] }, { pages: [2] }, { pages: [3] }, null])))
    assert.deepEqual(pager.log, [['load', [1]], ['load', [2]], ['load', [3]], ['afterOp']])
  })

  test('an operation that never progresses fails with INTERNAL after one retry with the page alone', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted(() => ({ pages: [5, 6, 7] }), { progress: () => 0 })
    await assert.rejects(Promise.resolve(driver.run(/** @type {any} */ (op))), {
      name: 'PagingStorageError',
      code: 'INTERNAL',
      message: 'page 5 would not stay resident'
    })
    assert.deepEqual(pager.log, [
      ['load', [7, 6, 5]],
      ['load', [5]]
    ])
    assert.equal(op.steps.length, 3)
  })

  test('regression: an operation whose first page changes at every step without progress (a base page and its run page evicting each other) goes one page at a time, then fails', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted((i) => ({ pages: [10 + 3 * i, 11 + 3 * i, 12 + 3 * i] }), { progress: () => 0 })
    await assert.rejects(Promise.resolve(driver.run(/** @type {any} */ (op))), { code: 'INTERNAL' })
    // Before, it loaded three pages per step until the pager gave up.
    assert.deepEqual(pager.log.slice(0, 4), [
      ['load', [12, 11, 10]],
      ['load', [15, 14, 13]],
      ['load', [16]],
      ['load', [19]]
    ])
    assert.ok(pager.log.length > 100 && pager.log.length < 1000, String(pager.log.length))
  })

  test('loading one page at a time ends once the operation progresses again', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted((i) => (i < 6 ? { pages: [10 + 3 * i, 11 + 3 * i] } : null), { progress: (i) => (i >= 3 ? 1 : 0) })
    assert.equal(await driver.run(/** @type {any} */ (op)), 'the result')
    assert.deepEqual(pager.log, [
      ['load', [11, 10]],
      ['load', [14, 13]],
      ['load', [16]],
      ['load', [20, 19]],
      ['load', [23, 22]],
      ['load', [26, 25]],
      ['afterOp']
    ])
  })

  test('a stalled scan retries without prefetch, then fails', async () => {
    const engine = fakeEngine()
    const pager = fakePager()
    const driver = new PagingDriver(engine, /** @type {any} */ (pager), 16)
    const op = scripted(() => ({ pages: [3], ahead: { descending: false, most: Infinity } }), { progress: () => 0 })
    await assert.rejects(Promise.resolve(driver.run(/** @type {any} */ (op))), { code: 'INTERNAL' })
    assert.deepEqual(pager.log, [
      ['load', [6, 5, 4, 3]],
      ['load', [3]]
    ])
  })

  test('a page loaded alone that never stays: one load, then INTERNAL', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted(() => ({ pages: [5] }), { progress: () => 0 })
    await assert.rejects(Promise.resolve(driver.run(/** @type {any} */ (op))), { code: 'INTERNAL' })
    assert.deepEqual(pager.log, [['load', [5]]])
  })

  test('the retry alone that lets the operation progress lets it go on', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    // Step 1 (after the first load) makes no progress; step 2 (after the
    // page alone) does, and then it needs the same page once more.
    const op = scripted([{ pages: [5, 6] }, { pages: [5, 6] }, { pages: [5, 6] }, null], { progress: (i) => (i === 1 ? 0 : 1) })
    assert.equal(await driver.run(/** @type {any} */ (op)), 'the result')
    assert.deepEqual(pager.log, [['load', [6, 5]], ['load', [5]], ['load', [6, 5]], ['afterOp']])
  })

  test('the same first page with progress each time is not a stall', async () => {
    const pager = fakePager()
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    const op = scripted((i) => (i < 50 ? { pages: [9] } : null))
    assert.equal(await driver.run(/** @type {any} */ (op)), 'the result')
    assert.equal(pager.log.filter(([what]) => what === 'load').length, 50)
  })

  test('a load that fails rejects the run', async () => {
    const boom = new Error('disk gone')
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (fakePager({ loadError: boom })), 8)
    await assert.rejects(Promise.resolve(driver.run(/** @type {any} */ (scripted([{ pages: [1] }, null])))), (err) => err === boom)
  })

  test('a step that throws rejects the run', async () => {
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (fakePager()), 8)
    const op = {
      done: 0,
      result: null,
      calls: 0,
      step() {
        if (this.calls++ === 0) return { pages: [1] }
        throw new Error('engine refused')
      }
    }
    await assert.rejects(Promise.resolve(driver.run(/** @type {any} */ (op))), /engine refused/)
  })
})

describe('PagingDriver makes room', () => {
  test('before every load (a flush when over budget with dirty pages), not before none', async () => {
    const order = []
    const pager = {
      async makeRoom() {
        order.push('makeRoom')
      },
      async loadMany(ids) {
        order.push(`load ${ids.join(',')}`)
      },
      async afterOp() {
        order.push('afterOp')
      }
    }
    const driver = new PagingDriver(fakeEngine(), /** @type {any} */ (pager), 8)
    await driver.run(/** @type {any} */ (scripted([{ pages: [1] }, { pages: [2] }, null])))
    assert.deepEqual(order, ['makeRoom', 'load 1', 'makeRoom', 'load 2', 'afterOp'])
  })
})
