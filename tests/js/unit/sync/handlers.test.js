// handlers.js: what a peer's message does, with recording fakes for every part.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { handleMessage, mergeRecords } from '../../../../js/sync/handlers.js'

const NOW = Date.now()
const rec = (key, ms, extra = {}) => ({ key, hlc: hlcAtWallMs(ms), origin: 'B', deleted: false, json: '1', ...extra })

function parts({ writeCode = StatusCode.OK, ackIsCatchUp = false, stale = false, suspectBefore = null, notMine = [], answerAudits = true } = {}) {
  const calls = []
  const log = (name) => (...args) => {
    calls.push([name, ...args])
    return name === 'catchUp.onAck' ? ackIsCatchUp : undefined
  }
  const p = {
    calls,
    local: {
      async write(ops) {
        calls.push(['write', ops])
        return ops.map(() => ({ code: writeCode, message: 'refused', existed: false, applied: true }))
      },
      async lookup(keys) {
        calls.push(['lookup', keys])
        return keys.map((k) =>
          k === 'held' ? { code: 0, record: rec('held', NOW) } : k === 'old' ? { code: 0, record: rec('old', NOW - 86_400_000) } : { code: 1 }
        )
      }
    },
    messenger: { send: log('send'), reject: log('reject'), refused: log('refused') },
    replicator: { onAck: log('replicator.onAck') },
    reads: { onGot: log('reads.onGot') },
    scans: { onScanned: log('scans.onScanned'), scanLocal: async (range, onRecord) => onRecord(rec('held', NOW)) },
    publisher: { onAck: log('publisher.onAck'), onSub: log('publisher.onSub') },
    subscriber: { onAck: log('subscriber.onAck'), onPub: log('subscriber.onPub') },
    antiEntropy: { onSum: log('onSum'), onEntries: log('onEntries'), onPull: log('onPull') },
    catchUp: { onHeartbeat: log('onHeartbeat'), onAck: log('catchUp.onAck'), onSince: log('onSince'), },
    incoming: { onRecords: () => {}, onDelta: log('incoming.onDelta'), complete: log('incoming.complete') },
    query: { onHas: log('onHas'), onHad: log('onHad') },
    auditRounds: { onRefused: log('auditRounds.onRefused') },
    audits: {
      onProof: log('audits.onProof'),
      answer: async (...args) => {
        calls.push(['audits.answer', ...args])
        return answerAudits
      }
    },
    freshness: { stale, suspectBefore },
    maxClockDrift: 60_000,
    replicates: (keys) => keys.map((k) => !notMine.includes(k)),
    peersFull: () => false,
    peersNear: () => false,
    lookup: async (keys) => keys.map(() => null)
  }
  return p
}

test('mergeRecords writes merges that carry the parsed value, and never replicate', async () => {
  const p = parts()
  await mergeRecords(/** @type {any} */ (p.local), [rec('a', NOW, { value: 1 }), rec('b', NOW, { deleted: true, json: null })])
  const [, ops] = p.calls[0]
  assert.deepEqual(ops, [
    { type: 'merge', key: 'a', hlc: hlcAtWallMs(NOW), origin: 'B', deleted: false, json: '1', replicate: false, value: 1 },
    { type: 'merge', key: 'b', hlc: hlcAtWallMs(NOW), origin: 'B', deleted: true, json: null, replicate: false }
  ])
})

test('mergeRecords throws the first refused write as a PagingStorageError', async () => {
  const p = parts({ writeCode: StatusCode.INVALID_ARGUMENT })
  await assert.rejects(mergeRecords(/** @type {any} */ (p.local), [rec('a', NOW)]), { code: 'INVALID_ARGUMENT', message: 'refused' })
})

test('a put is merged, then acknowledged', async () => {
  const p = parts()
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'put', id: 7, records: [rec('a', NOW)] })
  assert.deepEqual(p.calls.map((c) => c[0]), ['write', 'send'])
  assert.deepEqual(p.calls[1], ['send', 'B', { t: 'ack', id: 7 }])
})

test('regression: records of keys this peer does not replicate are not stored; the ack names them (they were stored and acknowledged)', async () => {
  const p = parts({ notMine: ['b'] })
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'put', id: 7, records: [rec('a', NOW), rec('b', NOW)] })
  assert.deepEqual(p.calls[0][0], 'refused')
  assert.deepEqual(p.calls[1], ['auditRounds.onRefused', [rec('b', NOW)]], 'audited at the replicas before this peer')
  assert.deepEqual(p.calls[2][1].map((op) => op.key), ['a'])
  assert.deepEqual(p.calls[3], ['send', 'B', { t: 'ack', id: 7, refused: ['b'] }])
})

test('a put with any record stamped beyond maxClockDrift is rejected whole, not acknowledged', async () => {
  const p = parts()
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'put', id: 7, records: [rec('a', NOW), rec('b', NOW + 3_600_000)] })
  assert.deepEqual(p.calls, [['reject', 'B', 'version from the future']])
})

test('a put the store refuses is not acknowledged (the sender retries)', async () => {
  const p = parts({ writeCode: StatusCode.CORRUPTION })
  await assert.rejects(handleMessage(/** @type {any} */ (p), 'B', { t: 'put', id: 7, records: [rec('a', NOW)] }))
  assert.equal(p.calls.filter((c) => c[0] === 'send').length, 0)
})

test('a get is answered with the records held (keys not held are left out)', async () => {
  const p = parts()
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'get', id: 3, keys: ['held', 'absent'] })
  assert.deepEqual(p.calls[1], ['send', 'B', { t: 'got', id: 3, records: [rec('held', NOW)] }])
})

test("an ack goes to catch-up first, then to the replicator, the publisher and the subscriber, until one owns it", async () => {
  const p = parts()
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'ack', id: 4 })
  assert.deepEqual(p.calls, [['catchUp.onAck', 'B', 4], ['replicator.onAck', 'B', 4, undefined, undefined], ['publisher.onAck', 'B', 4], ['subscriber.onAck', 'B', 4]])
  const q = parts({ ackIsCatchUp: true })
  await handleMessage(/** @type {any} */ (q), 'B', { t: 'ack', id: 4 })
  assert.deepEqual(q.calls, [['catchUp.onAck', 'B', 4], ['incoming.complete', 'B']], "catch-up's: what the peer announced has come")
})

test('the other types go to the part that owns them', async () => {
  const p = parts()
  const b = [{ bits: 0, prefix: 0 }]
  const h = hlcAtWallMs(NOW)
  for (const msg of [
    { t: 'hb', h },
    { t: 'got', id: 1, records: [] },
    { t: 'sum', buckets: b },
    { t: 'ent', buckets: b },
    { t: 'pull', keys: ['k'], buckets: b },
    { t: 'since', id: 2, h },
    { t: 'has', id: 5, keys: ['k'] },
    { t: 'had', id: 6, entries: [], inSyncSince: 0 },
    { t: 'scanned', id: 7, records: [] },
    { t: 'sub', id: 8, keys: ['k'], prefixes: [], lease: 1000 },
    { t: 'pub', id: 9, records: [rec('k', NOW)] },
    { t: 'audit', id: 10, nonce: '0'.repeat(32), entries: [] },
    { t: 'proof', id: 11, answers: [null] }
  ]) {
    await handleMessage(/** @type {any} */ (p), 'B', /** @type {any} */ (msg))
  }
  assert.deepEqual(
    p.calls.map((c) => c[0]),
    ['onHeartbeat', 'reads.onGot', 'onSum', 'onEntries', 'onPull', 'onSince', 'onHas', 'onHad', 'scans.onScanned', 'publisher.onSub', 'subscriber.onPub', 'audits.answer', 'audits.onProof']
  )
  assert.deepEqual(p.calls[12], ['audits.onProof', 'B', 11, [null]])
  assert.deepEqual(p.calls[4], ['onPull', 'B', ['k'], b])
  assert.deepEqual(p.calls[5], ['onSince', 'B', 2, h])
  assert.deepEqual(p.calls[6], ['onHas', 'B', 5, ['k']])
})

test('regression: every message that carries records (got, scanned, pub) is refused whole when one is from the future, as a put is; a heartbeat clock from the future is ignored', async () => {
  for (const t of ['got', 'scanned', 'pub']) {
    const p = parts()
    await handleMessage(/** @type {any} */ (p), 'B', { t, id: 4, records: [rec('ok', NOW), rec('k', NOW + 3_600_000)] })
    assert.deepEqual(p.calls, [['reject', 'B', 'version from the future']], t)
  }
  const p = parts()
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'hb', h: hlcAtWallMs(NOW + 3_600_000) })
  assert.deepEqual(p.calls, [['onHeartbeat', 'B', undefined]])
})

test('a scan is answered from the local store; a pub from the future is rejected like a put', async () => {
  const p = parts()
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'scan', id: 3, range: {}, reverse: false, count: 10 })
  assert.deepEqual(p.calls, [['send', 'B', { t: 'scanned', id: 3, records: [rec('held', NOW)] }]])
  const q = parts()
  await handleMessage(/** @type {any} */ (q), 'B', { t: 'pub', id: 4, records: [rec('k', NOW + 3_600_000)] })
  assert.deepEqual(q.calls, [['reject', 'B', 'version from the future']])
})

test('an audit past the peer\'s hashing budget is not answered, and counted as rejected', async () => {
  const p = parts({ answerAudits: false })
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'audit', id: 10, nonce: '0'.repeat(32), entries: [] })
  assert.deepEqual(p.calls.at(-1), ['reject', 'B', 'audits past the hashing budget'])
})

test('a stale store ignores repair requests and leaves its suspect records out of get answers', async () => {
  const p = parts({ stale: true, suspectBefore: hlcAtWallMs(NOW - 3_600_000) })
  const b = [{ bits: 0, prefix: 0 }]
  for (const msg of [
    { t: 'sum', buckets: b },
    { t: 'ent', buckets: b },
    { t: 'pull', keys: ['k'], buckets: b },
    { t: 'since', id: 2, h: hlcAtWallMs(NOW) }
  ]) {
    await handleMessage(/** @type {any} */ (p), 'B', /** @type {any} */ (msg))
  }
  assert.deepEqual(p.calls, [])
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'get', id: 3, keys: ['held', 'old'] })
  assert.deepEqual(p.calls[1], ['send', 'B', { t: 'got', id: 3, records: [rec('held', NOW)] }], 'the old live record is suspect')
  await handleMessage(/** @type {any} */ (p), 'B', { t: 'has', id: 4, keys: ['old'] })
  assert.deepEqual(p.calls[2], ['onHas', 'B', 4, ['old']], 'version questions are answered')
})

test('keptOver: the stored versions newer than the records a merge did not take, and their own version held with another value', async () => {
  const { keptOver } = await import('../../../../js/sync/handlers.js')
  const records = [rec('a', NOW), rec('b', NOW), rec('c', NOW), rec('d', NOW)]
  const h = records[0].hlc
  const results = [
    { code: 0, applied: true, existed: false, hlc: h, origin: 'B' },
    { code: 0, applied: false, existed: true, hlc: 'ffff000000000000', origin: 'forger' },
    { code: 0, applied: false, existed: true, hlc: h, origin: 'B' }, // the same record: held
    { code: 0, applied: false, existed: true, hlc: h, origin: 'B', otherValue: true } // its version, another value
  ]
  assert.deepEqual(keptOver(records, results), [
    { key: 'b', hlc: 'ffff000000000000', origin: 'forger', deleted: false },
    { key: 'd', hlc: h, origin: 'B', deleted: false }
  ])
})
