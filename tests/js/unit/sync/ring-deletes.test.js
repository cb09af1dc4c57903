import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { isRingDelete, writeWithRingDeletes } from '../../../../js/sync/ring-deletes.js'
import { hlc, rec } from './fakes.js'

const OK = 0

function harness({ existedHere = false, remote = null, peers = true } = {}) {
  const log = []
  const how = {
    write: async (ops) => {
      log.push(['write', ops])
      return ops.map((op) => ({ code: OK, applied: true, existed: op.type === 'delete' ? existedHere : false }))
    },
    peersToAsk: () => peers,
    askReplicas: async (keys) => {
      log.push(['ask', keys])
      return keys.map(() => remote)
    },
    push: async (keys) => {
      log.push(['push', keys])
    }
  }
  return { how, log }
}

describe('writeWithRingDeletes', () => {
  test('isRingDelete: deletes that replicate', () => {
    assert.equal(isRingDelete({ type: 'delete', key: 'k', replicate: true }), true)
    assert.equal(isRingDelete({ type: 'delete', key: 'k', replicate: false }), false)
    assert.equal(isRingDelete({ type: 'put', key: 'k', json: '1', replicate: true }), false)
  })

  test('the tombstone is written at once in any case, pushed after the replicas answered', async () => {
    const { how, log } = harness({ remote: rec('k', hlc(1), 'B', '1') })
    const results = await writeWithRingDeletes([{ type: 'put', key: 'p', json: '1', replicate: true }, { type: 'delete', key: 'k', replicate: true }], how)
    assert.deepEqual(log[0], ['write', [{ type: 'put', key: 'p', json: '1', replicate: true }, { type: 'delete', key: 'k', replicate: false, always: true }]])
    assert.deepEqual(log.slice(1), [['ask', ['k']], ['push', ['k']]])
    assert.equal(results[1].existed, true, 'a replica held a live value')
  })

  test('live here: nobody is asked; a tombstone or nothing at the replicas: false', async () => {
    const here = harness({ existedHere: true })
    assert.equal((await writeWithRingDeletes([{ type: 'delete', key: 'k', replicate: true }], here.how))[0].existed, true)
    assert.deepEqual(here.log.map(([what]) => what), ['write', 'push'])
    for (const remote of [null, rec('k', hlc(1), 'B', null)]) {
      const h = harness({ remote })
      assert.equal((await writeWithRingDeletes([{ type: 'delete', key: 'k', replicate: true }], h.how))[0].existed, false)
    }
  })

  test('alone in the ring: no question, the tombstone is still written and pushed', async () => {
    const { how, log } = harness({ peers: false })
    assert.equal((await writeWithRingDeletes([{ type: 'delete', key: 'k', replicate: true }], how))[0].existed, false)
    assert.deepEqual(log.map(([what]) => what), ['write', 'push'])
  })

  test('a failing question still pushes the tombstone', async () => {
    const { how, log } = harness()
    how.askReplicas = async () => {
      throw new Error('closed')
    }
    await assert.rejects(writeWithRingDeletes([{ type: 'delete', key: 'k', replicate: true }], how), /closed/)
    assert.deepEqual(log.at(-1), ['push', ['k']])
  })
})
