// StoreRuns with a fake host: what a run of writes and a run of reads do
// around their operation (backpressure, admission, announcements, the pass
// after a bulk load).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Emitter } from '../../../../js/core/emitter.js'
import { StatusCode } from '../../../../js/core/errors.js'
import { StoreRuns } from '../../../../js/store/store-runs.js'

/** A fake host; `log` records what the runs asked for, in order. */
function fakeHost({ stall = 0, bulkDue = false, refuse = 0, loads = false } = {}) {
  const log = []
  let stalls = stall
  const engine = {
    writeStall: () => stalls-- > 0,
    compactionDue: (bulk) => bulk && bulkDue,
    encodeOps: (ops) => ({ count: ops.length }),
    applyOps: (_ops, from, _wall, withVersions) => {
      log.push(['applyOps', from, withVersions])
      return { results: [{ code: StatusCode.OK, applied: true, existed: false, hlc: '0000000000000001', origin: 'me' }], pages: 1, overBudget: false }
    },
    getMany: (keys) => {
      log.push(['getMany', keys.length])
      return { overBudget: false, answers: keys.map(() => ({ code: StatusCode.NOT_FOUND })) }
    }
  }
  const host = {
    log,
    engine: () => engine,
    pager: () => ({ flush: async (how) => log.push(['flush', how ?? null]) }),
    admission: () => ({
      admit: (ops) => ({ admitted: ops.slice(refuse), refused: refuse > 0 ? ops.slice(0, refuse) : null }),
      notePages: () => {},
      withRefusals: (results) => results
    }),
    room: () => ({
      worthTrying: () => true,
      make: async () => {
        log.push(['room'])
        refuse = 0
      },
      noteAdmitted: () => {}
    }),
    compaction: {
      beforeWrites: async (store) => {
        log.push(['beforeWrites'])
        await store()
      },
      bulkPass: async () => log.push(['pass']),
      soon: (bulk) => log.push(['soon', bulk])
    },
    run: (op) => {
      const need = op.step(null)
      assert.equal(need, null)
      return loads ? Promise.resolve(op.result) : op.result
    },
    events: new Emitter(),
    maxMemoryPages: 4
  }
  // As LocalStore's: a bulk pass, then a save.
  host.flushAll = async () => {
    await host.compaction.bulkPass(() => host.pager().flush())
    await host.pager().flush()
  }
  return host
}

const put = (key) => ({ type: 'put', key, json: '1', replicate: true })

test('writes wait for the passes the write path asks for (backpressure), then apply', async () => {
  const host = fakeHost({ stall: 1 })
  const results = await new StoreRuns(/** @type {any} */ (host)).writes([put('a')])
  assert.equal(results.length, 1)
  assert.deepEqual(host.log, [['beforeWrites'], ['flush', { makeRoom: true }], ['applyOps', 0, false]])
})

test('a refused run makes room once, then applies; what it applied is announced only to listeners', async () => {
  const host = fakeHost({ refuse: 1 })
  const announced = []
  host.events.on('applied', (a) => announced.push(...a))
  await new StoreRuns(/** @type {any} */ (host)).writes([put('a')])
  assert.deepEqual(host.log, [['room'], ['applyOps', 0, true]])
  assert.deepEqual(
    announced.map((a) => a.record.key),
    ['a']
  )
})

test('a large read after a bulk load runs a pass and a save first, once (it looped while the runs waited for the save)', async () => {
  const host = fakeHost({ bulkDue: true })
  const answers = await new StoreRuns(/** @type {any} */ (host)).reads(['a', 'b', 'c', 'd'])
  assert.equal(answers.length, 4)
  assert.deepEqual(host.log, [['pass'], ['flush', null], ['getMany', 4]])
})

test('a small read does not wait for a pass; one that loaded pages starts it in the background', async () => {
  const calm = fakeHost({ bulkDue: true })
  new StoreRuns(/** @type {any} */ (calm)).reads(['a'])
  assert.deepEqual(calm.log, [['getMany', 1]])
  const loading = fakeHost({ bulkDue: true, loads: true })
  await new StoreRuns(/** @type {any} */ (loading)).reads(['a'])
  assert.deepEqual(loading.log, [['getMany', 1], ['soon', true]])
})
