// audits.js: challenges and their verdicts, answers to peers' audits, rounds, audits on refusal.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'

import { proofOf } from '../../../../js/sync/audit-proofs.js'
import { Audits } from '../../../../js/sync/audits.js'
import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { fakeContext, fakeRing, flush, hlc, rec, state } from './fakes.js'

const RETRY = 1000
const GIVE_UP = 8000

/** Audits of peer A, with a ring where every key's replicas are A, B and C. */
function setup(over = {}) {
  const failed = []
  const unresponsive = []
  const f = fakeContext({ ringView: fakeRing(['A', 'B', 'C'], {}), ...over })
  f.ctx.ring().replicasFor = (keys) => keys.map(() => ['A', 'B', 'C'])
  const audits = new Audits(f.ctx, {
    onFailed: (peer, why, keys) => failed.push({ peer, why, keys }),
    onUnresponsive: (peer) => unresponsive.push(peer),
    merge: f.ctx.merge,
    maxClockDrift: 60000,
    giveUpAfter: GIVE_UP
  })
  const auditsTo = (peer) => f.sent.filter((s) => s.peer === peer && s.msg.t === 'audit').map((s) => s.msg)
  /** Answers the last audit sent to peer as an honest replica holding `held` would. */
  const prove = (peer, held = new Map()) => {
    const a = auditsTo(peer).at(-1)
    const answers = a.entries.map((e) => {
      const r = held.get(e.key)
      return r && r.hlc === e.hlc ? proofOf(a.nonce, r) : r ?? null
    })
    return audits.onProof(peer, a.id, answers)
  }
  return { ...f, audits, failed, unresponsive, auditsTo, prove }
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

describe('challenge', () => {
  test('sends the versions (never the values) with a fresh nonce; right proofs resolve true', async () => {
    const { audits, auditsTo, prove } = setup()
    const a = rec('a', hlc(1), 'P', '{"secret":1}')
    const done = audits.challenge('B', [a])
    const [msg] = auditsTo('B')
    assert.deepEqual(msg.entries, [{ key: 'a', hlc: hlc(1), origin: 'P', deleted: false }])
    assert.match(msg.nonce, /^[0-9a-f]{32}$/)
    await prove('B', new Map([['a', a]]))
    assert.equal(await done, true)
    assert.deepEqual(audits.stats, { sent: 1, passed: 1, failed: 0, answered: 0 })
  })

  test('a wrong proof fails: onFailed gets the keys the replica had proved holding before (they need other copies)', async () => {
    const { audits, auditsTo, failed } = setup()
    audits.noteProven('B', rec('earlier', hlc(1)))
    audits.noteProven('C', rec('other', hlc(1)))
    const done = audits.challenge('B', [rec('a', hlc(1))])
    await audits.onProof('B', auditsTo('B')[0].id, ['0'.repeat(16)])
    assert.equal(await done, false)
    assert.deepEqual(failed, [{ peer: 'B', why: 'a wrong proof', keys: ['earlier'] }])
    assert.equal(audits.stats.failed, 1)
  })

  test('acknowledged and not held fails; never acknowledged and not held is pushed to it (its ack is audited in turn)', async () => {
    const { audits, failed, queued, prove } = setup()
    const a = rec('a', hlc(1))
    const acked = audits.challenge('B', [a])
    await prove('B')
    assert.equal(await acked, false)
    assert.equal(failed[0].why, 'a record it acknowledged is not held')
    const unacked = audits.challenge('C', [a], () => false)
    await prove('C')
    assert.equal(await unacked, true)
    assert.deepEqual(queued, [{ peer: 'C', rec: a }])
  })

  test('newer versions shown are merged here; one from beyond maxClockDrift fails the audit', async () => {
    const { audits, merged, failed, prove } = setup()
    const newer = rec('a', hlcAtWallMs(Date.now()))
    const done = audits.challenge('B', [rec('a', hlc(1))])
    await prove('B', new Map([['a', newer]]))
    assert.equal(await done, true)
    assert.deepEqual(merged, [[newer]])
    const future = rec('a', hlcAtWallMs(Date.now() + 3_600_000))
    const bad = audits.challenge('B', [rec('a', hlc(1))])
    await prove('B', new Map([['a', future]]))
    assert.equal(await bad, false)
    assert.equal(failed[0].why, 'a version from the future')
  })

  test('a proof from another peer, or for no audit, is ignored', async () => {
    const { audits, auditsTo } = setup()
    const done = audits.challenge('B', [rec('a', hlc(1))])
    const { id } = auditsTo('B')[0]
    await audits.onProof('C', id, ['0'.repeat(16)])
    await audits.onProof('B', id + 50, ['0'.repeat(16)])
    assert.equal(await state(done), 'pending')
  })

  test('resent every retryInterval; unanswered after 8 sends and giveUpAfter ms, the replica is unresponsive (null)', async () => {
    const { audits, auditsTo, unresponsive } = setup()
    const done = audits.challenge('B', [rec('a', hlc(1))])
    for (let i = 0; i < 7; i++) {
      mock.timers.tick(RETRY)
      audits.retry()
    }
    assert.equal(auditsTo('B').length, 8)
    assert.equal(new Set(auditsTo('B').map((m) => m.id)).size, 1, 'the same audit')
    mock.timers.tick(RETRY)
    audits.retry()
    assert.deepEqual(unresponsive, ['B'])
    assert.equal(await done, null)
  })

  test('a send past the outgoing budget is not a try', () => {
    let allow = false
    const { audits, auditsTo, unresponsive } = setup({ send: () => allow })
    audits.challenge('B', [rec('a', hlc(1))])
    for (let i = 0; i < 20; i++) {
      mock.timers.tick(RETRY)
      audits.retry()
    }
    assert.equal(auditsTo('B').length, 0)
    assert.deepEqual(unresponsive, [], 'never sent: not given up on')
    assert.equal(audits.stats.sent, 0)
    allow = true
    mock.timers.tick(RETRY)
    audits.retry()
    assert.equal(audits.stats.sent, 1)
  })

  test('close settles challenges in flight with null', async () => {
    const { audits } = setup()
    const done = audits.challenge('B', [rec('a', hlc(1))])
    audits.close()
    assert.equal(await done, null)
    assert.equal(await audits.challenge('B', [rec('a', hlc(1))]), null)
  })
})

describe('answer', () => {
  test("answers a peer's audit from the records held here", async () => {
    const a = rec('a', hlc(1))
    const { audits, sent } = setup({ lookup: async (keys) => keys.map((k) => (k === 'a' ? a : null)) })
    const nonce = 'c'.repeat(32)
    const entries = [
      { key: 'a', hlc: hlc(1), origin: 'P', deleted: false },
      { key: 'b', hlc: hlc(1), origin: 'P', deleted: false }
    ]
    assert.equal(await audits.answer('B', { id: 5, nonce, entries }), true)
    assert.deepEqual(sent.at(-1), { peer: 'B', msg: { t: 'proof', id: 5, answers: [proofOf(nonce, a), null] } })
    assert.equal(audits.stats.answered, 1)
  })

  test('regression: what one peer can make this one hash is bounded (HASH_RATE per second): past it, no answer until its budget refills', async () => {
    const big = rec('big', hlc(1), 'P', JSON.stringify('x'.repeat(1 << 20)))
    const { audits } = setup({ lookup: async (keys) => keys.map(() => big) })
    const msg = { id: 5, nonce: 'c'.repeat(32), entries: [{ key: 'big', hlc: hlc(1), origin: 'P', deleted: false }] }
    let answered = 0
    for (let i = 0; i < 40; i++) if (await audits.answer('B', msg)) answered++
    assert.ok(answered <= 9, `${answered} answers of 1 MiB at once (burst: 8 MiB)`)
    assert.equal(await audits.answer('C', msg), true, 'another peer has its own budget')
    mock.timers.tick(1000)
    assert.equal(await audits.answer('B', msg), true, '4 MiB more a second later')
  })
})

describe('rounds', () => {
  test('audit a sample of the live records held here at their other replicas; lacking ones go to them; those proved before must be held', async () => {
    const held = new Map(['a', 'b', 't'].map((k) => [k, rec(k, hlc(1), 'P', k === 't' ? null : '1')]))
    const { audits, auditsTo, prove, queued, failed } = setup({ lookup: async (keys) => keys.map((k) => held.get(k) ?? null) })
    audits.noteHeld(['a', 'b', 't'])
    audits.noteProven('C', held.get('a'))
    await audits.round()
    for (const peer of ['B', 'C']) {
      assert.equal(auditsTo(peer).length, 1, peer)
      assert.deepEqual(auditsTo(peer)[0].entries.map((e) => e.key).sort(), ['a', 'b'], 'live records only')
    }
    assert.equal(auditsTo('A').length, 0, 'never itself')
    await prove('B')
    assert.deepEqual(queued.map((q) => `${q.peer}:${q.rec.key}`).sort(), ['B:a', 'B:b'], 'B never had them: sent them')
    await prove('C')
    assert.equal(failed[0]?.peer, 'C', 'C proved holding a before')
  })

  test('rounds stop 3 rounds after the last write applied here (an idle store reads no page), then one every 10 minutes', async () => {
    const held = rec('a', hlc(1))
    let lookups = 0
    const { audits } = setup({
      lookup: async (keys) => {
        lookups++
        return keys.map(() => held)
      }
    })
    audits.noteHeld(['a'])
    for (let i = 0; i < 6; i++) await audits.round()
    assert.equal(lookups, 4, 'the round after the write and 3 more')
    mock.timers.tick(10 * 60 * 1000)
    await audits.round()
    assert.equal(lookups, 5)
    audits.noteHeld(['a'])
    await audits.round()
    assert.equal(lookups, 6)
  })

  test('a key no longer held leaves the sample', async () => {
    const { audits, auditsTo } = setup({ lookup: async (keys) => keys.map(() => null) })
    audits.noteHeld(['gone'])
    await audits.round()
    audits.noteHeld([])
    await audits.round()
    assert.equal(auditsTo('B').length, 0)
  })
})

describe('on refusal', () => {
  test("a peer's records refused here are audited at their replicas (not this peer), at most 8 audits in flight", async () => {
    const f = setup()
    f.ctx.ring().replicasFor = (keys) => keys.map((k) => [`R${k}`, `S${k}`])
    for (let i = 0; i < 10; i++) f.audits.onRefused([rec(`k${i}`, hlc(1)), rec(`t${i}`, hlc(1), 'P', null)])
    const audited = f.sent.filter((s) => s.msg.t === 'audit')
    assert.equal(audited.length, 8)
    assert.ok(audited.every((s) => s.msg.entries.every((e) => !e.deleted)))
    await flush()
  })
})
