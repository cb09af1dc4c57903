// audits.js: challenges, their verdicts and strikes, answers to peers' audits.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'

import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { proofOf } from '../../../../js/sync/audit-proofs.js'
import { Audits } from '../../../../js/sync/audits.js'
import { fakeContext, fakeRing, hlc, rec, state } from './fakes.js'

const RETRY = 1000
const GIVE_UP = 8000

/** Audits of peer A. */
function setup(over = {}) {
  const failed = []
  const unresponsive = []
  const f = fakeContext({ ringView: fakeRing(['A', 'B', 'C']), ...over })
  const audits = new Audits(f.ctx, {
    onFailed: (peer, why, keys) => failed.push({ peer, why, keys }),
    onUnresponsive: (peer) => unresponsive.push(peer),
    merge: f.ctx.merge,
    maxClockDrift: 60000,
    giveUpAfter: GIVE_UP
  })
  const auditsTo = (peer) => f.sent.filter((s) => s.peer === peer && s.msg.t === 'audit').map((s) => s.msg)
  /** Answers the last audit sent to peer as a replica holding `held` would. */
  const answer = (peer, held = new Map()) => {
    const a = auditsTo(peer).at(-1)
    const answers = a.entries.map((e) => {
      const r = held.get(e.key)
      if (!r) return null
      return r.hlc === e.hlc && r.origin === e.origin ? proofOf(a.nonce, r) : r
    })
    return audits.onProof(peer, a.id, answers)
  }
  return { ...f, audits, failed, unresponsive, auditsTo, answer }
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

describe('challenge', () => {
  test("sends versions (never values) with a fresh nonce; right proofs: 'proven'", async () => {
    const { audits, auditsTo, answer } = setup()
    const a = rec('a', hlc(1), 'P', '{"secret":1}')
    const done = audits.challenge('B', [a])
    const [msg] = auditsTo('B')
    assert.deepEqual(msg.entries, [{ key: 'a', hlc: hlc(1), origin: 'P', deleted: false }])
    assert.match(msg.nonce, /^[0-9a-f]{32}$/)
    audits.challenge('C', [a])
    assert.notEqual(auditsTo('C')[0].nonce, msg.nonce, 'a fresh nonce per audit')
    await answer('B', new Map([['a', a]]))
    assert.equal(await done, 'proven')
    assert.equal(audits.stats.passed, 1)
  })

  test('samples at most 8 live records; none live: proven at once, nothing sent', async () => {
    const { audits, auditsTo } = setup()
    audits.challenge('B', Array.from({ length: 20 }, (_, i) => rec(`k${i}`, hlc(1))))
    assert.equal(auditsTo('B')[0].entries.length, 8)
    assert.equal(await audits.challenge('C', [rec('t', hlc(1), 'P', null)]), 'proven')
    assert.equal(auditsTo('C').length, 0)
  })

  test('regression: lacking a record it acknowledged is a strike, not a failure (a crash may lose what was not saved yet); lacking it again, once sent it again and given its grace, fails', async () => {
    const { audits, failed, answer } = setup()
    audits.noteProven('B', rec('earlier', hlc(1)))
    const a = rec('a', hlc(1))
    const first = audits.challenge('B', [a])
    await answer('B')
    assert.equal(await first, 'lacking')
    assert.deepEqual(failed, [])
    assert.equal(audits.acknowledged('B', a), true, 'struck: acknowledged')
    // Within the grace (2 retry intervals): still only lacking.
    mock.timers.tick(RETRY)
    const second = audits.challenge('B', [a])
    await answer('B')
    assert.equal(await second, 'lacking')
    mock.timers.tick(RETRY)
    const third = audits.challenge('B', [a])
    await answer('B')
    assert.equal(await third, 'failed')
    assert.deepEqual(failed, [{ peer: 'B', why: 'a record it acknowledged again is still not held', keys: ['earlier'] }])
    assert.equal(audits.stats.failed, 1)
  })

  test('a wrong proof, another value under the version, or an older version count as lacking too', async () => {
    for (const held of [rec('a', hlc(1), 'P', '"other"'), rec('a', hlc(0))]) {
      const { audits, answer } = setup()
      const done = audits.challenge('B', [rec('a', hlc(1))])
      await answer('B', new Map([['a', held]]))
      assert.equal(await done, 'lacking')
    }
    const { audits, auditsTo } = setup()
    const done = audits.challenge('B', [rec('a', hlc(1))])
    await audits.onProof('B', auditsTo('B')[0].id, ['0'.repeat(16)])
    assert.equal(await done, 'lacking')
  })

  test('an answer for another key fails at once', async () => {
    const { audits, auditsTo, failed } = setup()
    const done = audits.challenge('B', [rec('a', hlc(1))])
    await audits.onProof('B', auditsTo('B')[0].id, [rec('z', hlc(9))])
    assert.equal(await done, 'failed')
    assert.equal(failed[0].why, 'an answer for another key')
  })

  test('never acknowledged and lacking: sent the record (push), no strike', async () => {
    const { audits, queued, answer } = setup()
    const a = rec('a', hlc(1))
    const done = audits.challenge('B', [a], { acked: () => false, push: true })
    await answer('B')
    assert.equal(await done, 'lacking')
    assert.deepEqual(queued, [{ peer: 'B', rec: a }])
    assert.equal(audits.acknowledged('B', a), false)
  })

  test('newer versions shown are merged (repair), not from beyond maxClockDrift, not when repair is off', async () => {
    const { audits, merged, answer } = setup()
    const newer = rec('a', hlcAtWallMs(Date.now()))
    const future = rec('b', hlcAtWallMs(Date.now() + 3_600_000))
    const done = audits.challenge('B', [rec('a', hlc(1)), rec('b', hlc(1))])
    await answer('B', new Map([['a', newer], ['b', future]]))
    assert.equal(await done, 'proven')
    assert.deepEqual(merged, [[newer]])
    const off = audits.challenge('C', [rec('a', hlc(1))], { repair: false })
    await answer('C', new Map([['a', newer]]))
    assert.equal(await off, 'proven')
    assert.equal(merged.length, 1)
  })

  test('a proof from another peer, or for no audit, is ignored', async () => {
    const { audits, auditsTo } = setup()
    const done = audits.challenge('B', [rec('a', hlc(1))])
    const { id } = auditsTo('B')[0]
    await audits.onProof('C', id, ['0'.repeat(16)])
    await audits.onProof('B', id + 50, ['0'.repeat(16)])
    assert.equal(await state(done), 'pending')
  })

  test("resent every retryInterval; unanswered after 8 sends and giveUpAfter ms, the replica is unresponsive ('gone')", async () => {
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
    assert.equal(await done, 'gone')
  })

  test("a replica gone from the ring: 'gone', not unresponsive", async () => {
    let member = true
    const { audits, unresponsive } = setup({ isMember: () => member })
    const done = audits.challenge('B', [rec('a', hlc(1))])
    member = false
    audits.retry()
    assert.equal(await done, 'gone')
    assert.deepEqual(unresponsive, [])
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

  test("close settles challenges in flight ('gone')", async () => {
    const { audits } = setup()
    const done = audits.challenge('B', [rec('a', hlc(1))])
    audits.close()
    assert.equal(await done, 'gone')
    assert.equal(await audits.challenge('B', [rec('a', hlc(1))]), 'gone')
  })
})

describe('strikes', () => {
  test('the records a replica was struck for are audited first; follow-ups come after 2, 4, 8 ... retry intervals, then stop', async () => {
    const { audits, auditsTo, answer } = setup()
    const a = rec('a', hlc(1))
    const done = audits.challenge('B', [a])
    await answer('B')
    await done
    audits.challenge('B', [...Array.from({ length: 20 }, (_, i) => rec(`k${i}`, hlc(1))), a])
    assert.equal(auditsTo('B').at(-1).entries[0].key, 'a', 'the struck record first')
    assert.deepEqual(audits.followUps(), [], 'not before its grace')
    assert.equal(audits.following, true)
    const at = []
    for (let t = 1; t <= 600; t++) {
      mock.timers.tick(RETRY)
      if (audits.followUps().length > 0) at.push(t)
    }
    assert.deepEqual(at, [2, 6, 14, 30, 62, 126, 254, 510])
    assert.equal(audits.following, false)
  })

  test('strikes are forgotten after an hour', async () => {
    const { audits, answer } = setup()
    const a = rec('a', hlc(1))
    const done = audits.challenge('B', [a])
    await answer('B')
    await done
    mock.timers.tick(60 * 60 * 1000)
    audits.retry()
    assert.equal(audits.acknowledged('B', a), false)
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
