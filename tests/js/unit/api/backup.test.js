import assert from 'node:assert/strict'
import { afterEach, describe, mock, test } from 'node:test'

import { exportData, importData } from '../../../../js/api/backup.js'
import { StatusCode } from '../../../../js/core/errors.js'
import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { LocalStore } from '../../../../js/store/local-store.js'

const LIMITS = { maxKeyBytes: 64, maxValueBytes: 1000, sync: { maxClockDrift: 3_600_000 } }
const CONFIG = { pageSize: 256, splitThreshold: 204, mergeThreshold: 51, maxMemoryPages: 2, ...LIMITS, virtualNodes: 8, maxDiskPages: 1e6 }
const H1 = '0000018f00000001'
const H2 = '0000018f00000002'

const stores = []
async function newStore(peerId) {
  const store = new LocalStore({ ...CONFIG, peerId }, new MemoryBackend())
  stores.push(store)
  await store.ready
  return store
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

/** A write function that records its ops and answers OK, applied. */
function recorder() {
  const ops = []
  const write = async (batch) => {
    ops.push(...batch)
    return batch.map(() => ({ code: StatusCode.OK, existed: false, applied: true }))
  }
  return { ops, write }
}

describe('exportData', () => {
  test('every record with its version: live ones with their value, deleted ones as tombstones', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2030, 0, 2, 3, 4, 5) })
    try {
      const records = [
        { key: 'a', hlc: H1, origin: 'p', deleted: false, json: '{"x":[1]}' },
        { key: 'b', hlc: H2, origin: 'q', deleted: false, json: 'null' },
        { key: 'c', hlc: H2, origin: 'q', deleted: true, json: null }
      ]
      let range
      const store = {
        async scan(r, onRecord) {
          range = r
          records.forEach(onRecord)
        }
      }
      const backup = await exportData(/** @type {any} */ (store), 'me')
      assert.deepEqual(range, { tombstones: true })
      assert.deepEqual(backup, {
        peerId: 'me',
        exportedAt: '2030-01-02T03:04:05.000Z',
        totalKeys: 2,
        data: [
          { key: 'a', value: { x: [1] }, hlc: H1, origin: 'p' },
          { key: 'b', value: null, hlc: H2, origin: 'q' },
          { key: 'c', deleted: true, hlc: H2, origin: 'q' }
        ]
      })
    } finally {
      mock.timers.reset()
    }
  })

  test('from a real paged-out store: every key, resident or not; totalKeys counts the live ones', async () => {
    const store = await newStore('me')
    await store.write(Array.from({ length: 300 }, (_, i) => ({ type: 'put', key: `k${String(i).padStart(3, '0')}`, json: String(i), replicate: true })))
    await store.write([{ type: 'delete', key: 'k000', replicate: true }])
    await store.flush()
    await store.clearCache()
    const backup = await exportData(store, 'me')
    assert.equal(backup.totalKeys, 299)
    assert.equal(backup.data.length, 300)
    assert.deepEqual(backup.data[0], { key: 'k000', deleted: true, hlc: backup.data[0].hlc, origin: 'me' })
    assert.deepEqual(backup.data[1].key, 'k001')
    assert.equal(backup.data[1].value, 1)
    assert.equal(backup.data[1].origin, 'me')
  })
})

describe('importData validation', () => {
  test('not an export: INVALID_ARGUMENT, nothing written', async () => {
    const { ops, write } = recorder()
    for (const bad of [null, undefined, 5, 'x', {}, { data: 'x' }, { data: { length: 1 } }]) {
      await assert.rejects(importData(bad, LIMITS, write), { name: 'PagingStorageError', code: 'INVALID_ARGUMENT' })
    }
    assert.deepEqual(ops, [])
  })

  test('regression: a version more than maxClockDrift ahead fails that entry alone (it dragged the clock along)', async () => {
    const { ops, write } = recorder()
    const soon = hlcAtWallMs(Date.now() + 60_000)
    const out = await importData({ data: [{ key: 'far', value: 1, hlc: 'ffffffffffff0000', origin: 'p' }, { key: 'soon', value: 1, hlc: soon, origin: 'p' }] }, LIMITS, write)
    assert.equal(out[0].error?.code, 'INVALID_ARGUMENT')
    assert.match(/** @type {string} */ (out[0].error?.message), /from the future/)
    assert.deepEqual(out[1], { key: 'soon', imported: true }, 'within the drift: kept')
    assert.deepEqual(ops.map((o) => o.key), ['soon'])
  })

  test('a malformed version fails that entry alone with INVALID_ARGUMENT', async () => {
    const { ops, write } = recorder()
    const data = [
      { key: 'ok', value: 1, hlc: H1, origin: 'p' },
      { key: 'upper', value: 1, hlc: '0000018F00000001', origin: 'p' },
      { key: 'zero', value: 1, hlc: '0000000000000000', origin: 'p' },
      { key: 'short', value: 1, hlc: '18f00000001', origin: 'p' },
      { key: 'no-origin', value: 1, hlc: H1 },
      { key: 'no-hlc', value: 1, origin: 'p' },
      { key: 'empty-origin', value: 1, hlc: H1, origin: '' },
      { key: 'long-origin', value: 1, hlc: H1, origin: 'é'.repeat(128) },
      { key: 'num-hlc', value: 1, hlc: 1, origin: 'p' },
      { key: 'plain', value: 2 }
    ]
    const out = await importData({ data }, LIMITS, write)
    assert.deepEqual(out[0], { key: 'ok', imported: true })
    for (let i = 1; i <= 8; i++) {
      assert.equal(out[i].imported, false, data[i].key)
      assert.equal(out[i].error?.code, 'INVALID_ARGUMENT', data[i].key)
      assert.match(/** @type {string} */ (out[i].error?.message), new RegExp(`entry ${i} has a malformed version`))
      assert.equal(out[i].error?.key, data[i].key)
    }
    assert.deepEqual(out[9], { key: 'plain', imported: true })
    assert.deepEqual(
      ops.map((o) => [o.type, o.key]),
      [
        ['merge', 'ok'],
        ['put', 'plain']
      ]
    )
    assert.deepEqual(ops[0], { type: 'merge', key: 'ok', json: '1', hlc: H1, origin: 'p', deleted: false, replicate: true })
    assert.deepEqual(ops[1], { type: 'put', key: 'plain', json: '2', replicate: true })
  })

  test('bad entries, keys and values fail alone with their codes', async () => {
    const { ops, write } = recorder()
    const out = await importData(
      { data: [null, 'text', { value: 1 }, { key: '', value: 1 }, { key: 'x'.repeat(65), value: 1 }, { key: 'f', value: () => 1 }, { key: 'u' }, { key: 42, value: 'n' }] },
      LIMITS,
      write
    )
    assert.deepEqual(
      out.map((o) => [o.key, o.error?.code ?? 'ok']),
      [
        ['undefined', 'INVALID_ARGUMENT'],
        ['undefined', 'INVALID_ARGUMENT'],
        ['undefined', 'INVALID_ARGUMENT'],
        ['', 'INVALID_KEY'],
        ['x'.repeat(65), 'INVALID_KEY'],
        ['f', 'INVALID_VALUE'],
        ['u', 'INVALID_VALUE'],
        ['42', 'ok']
      ]
    )
    assert.match(/** @type {string} */ (out[0].error?.message), /entry 0 is not \{key, value\}/)
    assert.deepEqual(
      ops.map((o) => o.key),
      ['42']
    )
  })

  test('a store refusal is that entry’s error', async () => {
    const write = async (batch) => batch.map(() => ({ code: StatusCode.QUOTA, existed: false, applied: false, message: 'full' }))
    const out = await importData({ data: [{ key: 'a', value: 1 }] }, LIMITS, write)
    assert.equal(out[0].imported, false)
    assert.equal(out[0].error?.code, 'QUOTA_EXCEEDED')
  })
})

describe('importData merges by last-writer-wins', () => {
  test('an export imported into a new store: same values, same versions', async () => {
    const source = await newStore('source')
    await source.write([
      { type: 'put', key: 'a', json: '{"v":1}', replicate: true },
      { type: 'put', key: 'b', json: '[2]', replicate: true }
    ])
    const backup = await exportData(source, 'source')
    const target = await newStore('target')
    const out = await importData(JSON.parse(JSON.stringify(backup)), LIMITS, (ops) => target.write(ops))
    assert.deepEqual(out, [
      { key: 'a', imported: true },
      { key: 'b', imported: true }
    ])
    const [a, b] = await target.lookup(['a', 'b'])
    const [sa, sb] = await source.lookup(['a', 'b'])
    assert.deepEqual(a.record, sa.record)
    assert.deepEqual(b.record, sb.record)
    assert.equal(a.record?.origin, 'source')
  })

  test('a newer stored version wins; an older one is replaced', async () => {
    const target = await newStore('target')
    const merge = (key, hlc, json) => ({ type: 'merge', key, hlc, origin: 'p', deleted: false, json, replicate: false })
    await target.write([merge('newer-here', H2, '"mine"'), merge('older-here', H1, '"mine"')])
    const out = await importData(
      {
        data: [
          { key: 'newer-here', value: 'theirs', hlc: H1, origin: 'p' },
          { key: 'older-here', value: 'theirs', hlc: H2, origin: 'p' },
          { key: 'same', value: 'theirs', hlc: H1, origin: 'p' }
        ]
      },
      LIMITS,
      (ops) => target.write(ops)
    )
    assert.deepEqual(out, [
      { key: 'newer-here', imported: false, reason: 'a newer version is stored' },
      { key: 'older-here', imported: true },
      { key: 'same', imported: true }
    ])
    const answers = await target.read(['newer-here', 'older-here', 'same'])
    assert.deepEqual(
      answers.map((a) => a.json),
      ['"mine"', '"theirs"', '"theirs"']
    )
  })
})
