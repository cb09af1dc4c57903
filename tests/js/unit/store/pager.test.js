import assert from 'node:assert/strict'
import { describe, mock, test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import { Pager } from '../../../../js/store/pager.js'

/** A fake engine that records what the pager does to it. */
function fakeEngine({ over = false, dirty = false, failLoad = new Set() } = {}) {
  const log = []
  const batch = { state: Uint8Array.of(1), pages: [{ id: 1, bytes: Uint8Array.of(2), record: Uint8Array.of(3) }], deleted: [4] }
  return {
    log,
    batch,
    over,
    dirty,
    overBudget() {
      return this.over
    },
    hasDirtyPages() {
      return this.dirty
    },
    loadPage(id, bytes) {
      log.push(['loadPage', id, [...bytes]])
      return failLoad.has(id) ? { code: StatusCode.CORRUPTION, message: 'bad checksum' } : { code: 0, message: '' }
    },
    collectFlush() {
      log.push(['collectFlush'])
      return batch
    },
    commitFlush() {
      log.push(['commitFlush'])
      this.dirty = false
    }
  }
}

function fakeBackend({ pages = new Map(), writeError = null } = {}) {
  const log = []
  return {
    log,
    async readPages(ids) {
      log.push(['readPages', [...ids]])
      return new Map([...pages].filter(([id]) => ids.includes(id)))
    },
    async writeBatch(batch) {
      log.push(['writeBatch', batch])
      if (writeError) throw writeError
    }
  }
}

function pagerWith(engine, backend) {
  const errors = []
  let saved = 0
  const pager = new Pager(/** @type {any} */ (engine), /** @type {any} */ (backend), {
    onError: (e) => errors.push(e),
    onSaved: () => saved++
  })
  return { pager, errors, saved: () => saved }
}

describe('Pager.loadMany', () => {
  test('one backend read for all ids; each page handed to the engine; missing pages as empty bytes', async () => {
    const engine = fakeEngine()
    const backend = fakeBackend({ pages: new Map([[1, Uint8Array.of(11)], [3, Uint8Array.of(33)]]) })
    const { pager, errors } = pagerWith(engine, backend)
    await pager.loadMany([3, 2, 1])
    assert.deepEqual(backend.log, [['readPages', [3, 2, 1]]])
    assert.deepEqual(engine.log, [
      ['loadPage', 3, [33]],
      ['loadPage', 2, []],
      ['loadPage', 1, [11]]
    ])
    assert.equal(pager.pageLoads, 3)
    assert.deepEqual(errors, [])
  })

  test('a page that fails to load is reported as CORRUPT, not thrown; the others load', async () => {
    const engine = fakeEngine({ failLoad: new Set([2]) })
    const { pager, errors } = pagerWith(engine, fakeBackend())
    await pager.loadMany([1, 2, 3])
    assert.equal(engine.log.length, 3)
    assert.equal(errors.length, 1)
    assert.equal(errors[0].code, 'CORRUPT')
    assert.match(errors[0].message, /page 2: bad checksum/)
    assert.equal(pager.pageLoads, 3)
  })

  test('makeRoom over budget with dirty pages: flushes (before reading)', async () => {
    const engine = fakeEngine({ over: true, dirty: true })
    const backend = fakeBackend()
    const { pager } = pagerWith(engine, backend)
    await pager.makeRoom()
    await pager.loadMany([5])
    assert.deepEqual(
      backend.log.map(([what]) => what),
      ['writeBatch', 'readPages']
    )
    assert.equal(pager.flushes, 1)
  })

  test('makeRoom over budget with only clean pages: no flush', async () => {
    const engine = fakeEngine({ over: true, dirty: false })
    const backend = fakeBackend()
    const { pager } = pagerWith(engine, backend)
    await pager.makeRoom()
    await pager.loadMany([5])
    assert.deepEqual(
      backend.log.map(([what]) => what),
      ['readPages']
    )
  })

  test('a flush that fails in makeRoom rejects (the load cannot go on)', async () => {
    const boom = Object.assign(new Error('full'), { code: 'QUOTA_EXCEEDED' })
    const engine = fakeEngine({ over: true, dirty: true })
    const { pager, errors } = pagerWith(engine, fakeBackend({ writeError: boom }))
    await assert.rejects(pager.makeRoom(), (err) => err.code === 'IO_ERROR' && err.cause === boom)
    assert.equal(errors[0].cause, boom)
  })

  test('a backend read that fails rejects', async () => {
    const backend = fakeBackend()
    backend.readPages = async () => {
      throw new Error('read failed')
    }
    const { pager } = pagerWith(fakeEngine(), backend)
    await assert.rejects(pager.loadMany([1]), (err) => err.code === 'IO_ERROR' && /read failed/.test(err.message))
    assert.equal(pager.pageLoads, 0)
  })
})

describe('Pager.flush', () => {
  test('nothing dirty: false, no backend call', async () => {
    const engine = fakeEngine({ dirty: false })
    const backend = fakeBackend()
    const { pager, saved } = pagerWith(engine, backend)
    assert.equal(await pager.flush(), false)
    assert.deepEqual(backend.log, [])
    assert.deepEqual(engine.log, [])
    assert.equal(saved(), 0)
  })

  test('writes the collected batch in one backend call, then commits', async () => {
    mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 })
    try {
      const engine = fakeEngine({ dirty: true })
      const backend = fakeBackend()
      const { pager, saved } = pagerWith(engine, backend)
      assert.equal(pager.lastSave, null)
      assert.equal(await pager.flush(), true)
      assert.deepEqual(backend.log, [['writeBatch', engine.batch]])
      assert.deepEqual(engine.log, [['collectFlush'], ['commitFlush']])
      assert.equal(pager.flushes, 1)
      assert.equal(pager.lastSave, 1_700_000_000_000)
      assert.equal(saved(), 1)
    } finally {
      mock.timers.reset()
    }
  })

  test('regression: a backend that throws: reported and rethrown as IO_ERROR with the cause (it was a raw Error), nothing committed', async () => {
    const boom = new Error('disk')
    const engine = fakeEngine({ dirty: true })
    const { pager, errors, saved } = pagerWith(engine, fakeBackend({ writeError: boom }))
    await assert.rejects(pager.flush(), (err) => err.name === 'PagingStorageError' && err.code === 'IO_ERROR' && err.cause === boom)
    assert.equal(errors.length, 1)
    assert.equal(errors[0].cause, boom)
    assert.deepEqual(engine.log, [['collectFlush']])
    assert.equal(engine.dirty, true)
    assert.equal(pager.flushes, 0)
    assert.equal(pager.lastSave, null)
    assert.equal(saved(), 0)
  })
})

describe('Pager.flush out of space', () => {
  // Families 1..4 of 10, 20, 30 and 40 dirty bytes over a backend whose free
  // room grows by what a stored family gave back: family 1 shrank by 30
  // bytes, family 2 by 30, family 3 grew by 5, family 4 grew by 60.
  function outOfSpace(free) {
    const change = { 1: -30, 2: -30, 3: 5, 4: 60 }
    const stored = []
    let collected = []
    const engine = {
      dirty: true,
      hasDirtyPages() {
        return this.dirty
      },
      collectFlush() {
        collected = [1, 2, 3, 4].filter((f) => !stored.includes(f))
        return { state: Uint8Array.of(0), pages: [], deleted: [] }
      },
      flushFamilies() {
        return [1, 2, 3, 4].filter((f) => !stored.includes(f))
      },
      collectFlushOf(families) {
        collected = families
        return { state: Uint8Array.of(0), pages: [], deleted: [] }
      },
      commitFlush() {
        stored.push(...collected)
        this.dirty = stored.length < 4
      }
    }
    const writes = []
    const backend = {
      async writeBatch() {
        // Copy-on-write: a batch needs room for the new bytes of what grew
        // and of what shrank alike, before the old bytes go.
        const need = collected.reduce((n, f) => n + Math.max(change[f], 0) + 10, 0)
        writes.push([...collected])
        if (need > free) throw Object.assign(new Error('full'), { name: 'QuotaExceededError' })
        for (const f of collected) free -= change[f]
      }
    }
    return { engine, backend, stored, writes }
  }

  test('what shrinks is stored first, then what grows fits in the room it gave back', async () => {
    const { engine, backend, stored, writes } = outOfSpace(40)
    const { pager, errors, saved } = pagerWith(engine, backend)
    assert.equal(await pager.flush(), true)
    assert.deepEqual(stored.sort(), [1, 2, 3, 4])
    assert.deepEqual(errors, [])
    assert.equal(saved(), 1, 'a flush that stored everything counts as saved')
    assert.deepEqual(writes[0], [1, 2, 3, 4], 'the whole batch first')
  })

  test('not enough room for what grows: QUOTA_EXCEEDED, reported once; what fitted stays stored', async () => {
    const { engine, backend, stored } = outOfSpace(12)
    const { pager, errors, saved } = pagerWith(engine, backend)
    await assert.rejects(pager.flush(), { code: 'QUOTA_EXCEEDED' })
    assert.equal(errors.length, 1)
    assert.equal(saved(), 0)
    assert.ok(stored.includes(1) && stored.includes(2) && !stored.includes(4), JSON.stringify(stored))
  })

  test('another failure while storing by family: rethrown as IO_ERROR', async () => {
    const { engine, backend } = outOfSpace(0)
    let first = true
    const write = backend.writeBatch
    backend.writeBatch = async () => {
      if (first) {
        first = false
        return write()
      }
      throw new Error('disk gone')
    }
    const { pager, errors } = pagerWith(engine, backend)
    await assert.rejects(pager.flush(), (err) => err.code === 'IO_ERROR' && /disk gone/.test(err.message))
    assert.equal(errors.length, 1)
  })
})

describe('Pager.afterOp', () => {
  test('within budget: nothing', async () => {
    const engine = fakeEngine({ over: false, dirty: true })
    const backend = fakeBackend()
    const { pager } = pagerWith(engine, backend)
    await pager.afterOp()
    assert.deepEqual(backend.log, [])
  })

  test('over budget: flushes', async () => {
    const engine = fakeEngine({ over: true, dirty: true })
    const backend = fakeBackend()
    const { pager } = pagerWith(engine, backend)
    await pager.afterOp()
    assert.equal(backend.log.length, 1)
    assert.equal(engine.dirty, false)
  })

  test('a failed flush is reported, not thrown', async () => {
    const boom = new Error('disk')
    const engine = fakeEngine({ over: true, dirty: true })
    const { pager, errors } = pagerWith(engine, fakeBackend({ writeError: boom }))
    await assert.doesNotReject(pager.afterOp())
    assert.equal(errors[0].cause, boom)
    assert.equal(engine.dirty, true)
  })
})
