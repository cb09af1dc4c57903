// audit-rounds.js: rounds of audits of other replicas, follow-ups of strikes, audits on refusal.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'

import { AuditRounds } from '../../../../js/sync/audit-rounds.js'
import { fakeContext, fakeRing, flush, hlc, rec } from './fakes.js'

/** A fake Audits that records its challenges. */
function fakeAudits() {
  const challenges = []
  const a = {
    challenges,
    struck: new Set(),
    due: [],
    following: false,
    challenge: (peer, records, opts) => {
      challenges.push({ peer, keys: records.map((r) => r.key).sort(), opts })
      return Promise.resolve('proven')
    },
    busy: () => new Set(),
    acknowledged: (peer, r) => a.struck.has(`${peer}:${r.key}`),
    followUps: () => a.due.splice(0)
  }
  return a
}

/** Rounds of peer A; every key's replicas are A, B and C unless `table` says. */
function setup({ held = new Map(), table = {} } = {}) {
  let lookups = 0
  const f = fakeContext({
    ringView: fakeRing(['A', 'B', 'C']),
    lookup: async (keys) => {
      lookups++
      return keys.map((k) => held.get(k) ?? null)
    }
  })
  f.ctx.ring().replicasFor = (keys) => keys.map((k) => table[k] ?? ['A', 'B', 'C'])
  const audits = fakeAudits()
  const rounds = new AuditRounds(f.ctx, /** @type {any} */ (audits))
  return { ...f, rounds, audits, lookups: () => lookups }
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

describe('rounds', () => {
  test('audit the live records held here at their other replicas, never this peer; acknowledged as the audits know; what they lack is pushed', async () => {
    const held = new Map(['a', 'b', 't'].map((k) => [k, rec(k, hlc(1), 'P', k === 't' ? null : '1')]))
    const { rounds, audits } = setup({ held })
    rounds.noteHeld(['a', 'b', 't'])
    audits.struck.add('C:a')
    await rounds.round()
    assert.deepEqual(audits.challenges.map((c) => [c.peer, c.keys]).sort(), [['B', ['a', 'b']], ['C', ['a', 'b']]])
    const toC = audits.challenges.find((c) => c.peer === 'C')
    assert.equal(toC.opts.push, true)
    assert.equal(toC.opts.acked(held.get('a')), true)
    assert.equal(toC.opts.acked(held.get('b')), false)
  })

  test('follow-ups go to the replica struck, first', async () => {
    const held = new Map([['x', rec('x', hlc(1))]])
    const { rounds, audits } = setup({ held, table: { x: ['A', 'B'] } })
    audits.due.push({ peer: 'C', key: 'x' })
    await rounds.round()
    assert.deepEqual(audits.challenges.map((c) => [c.peer, c.keys]).sort(), [['C', ['x']]], 'C is no replica of x by now, but was struck for it')
  })

  test('rounds stop 3 rounds after the first one following the last write applied here (an idle store reads no page), then one every 10 minutes; strikes awaiting follow-ups keep them going', async () => {
    const held = new Map([['a', rec('a', hlc(1))]])
    const { rounds, audits, lookups } = setup({ held })
    rounds.noteHeld(['a'])
    for (let i = 0; i < 6; i++) await rounds.round()
    assert.equal(lookups(), 4, 'the round after the write and 3 more')
    mock.timers.tick(10 * 60 * 1000)
    await rounds.round()
    assert.equal(lookups(), 5)
    audits.following = true
    await rounds.round()
    assert.equal(lookups(), 6)
    audits.following = false
    rounds.noteHeld(['a'])
    await rounds.round()
    assert.equal(lookups(), 7)
  })

  test('a key no longer held leaves the sample; nothing held, nothing audited', async () => {
    const { rounds, audits, lookups } = setup()
    rounds.noteHeld(['gone'])
    await rounds.round()
    assert.equal(lookups(), 1)
    await rounds.round()
    assert.equal(lookups(), 1, 'the reservoir is empty')
    assert.equal(audits.challenges.length, 0)
  })

  test('the keys sampled come from a reservoir of at most 256 keys, drawn from all those written', async () => {
    const asked = new Set()
    const f = fakeContext({
      ringView: fakeRing(['A', 'B']),
      lookup: async (keys) => {
        for (const k of keys) asked.add(k)
        return keys.map(() => null) // (and so each round forgets what it drew)
      }
    })
    const rounds = new AuditRounds(f.ctx, /** @type {any} */ (fakeAudits()))
    rounds.noteHeld(Array.from({ length: 4096 }, (_, i) => `k${i}`))
    for (let i = 0; i < 100; i++) {
      rounds.noteHeld([])
      await rounds.round()
    }
    assert.equal(asked.size, 256, 'every key of the reservoir, and no other')
    const late = [...asked].filter((k) => Number(k.slice(1)) >= 2048).length
    assert.ok(late > 64 && late < 192, `${late} of 256 from the second half of what was written`)
  })
})

describe('on refusal', () => {
  test("a peer's live records refused here are audited at their replicas, not taken (no repair), at most 8 audits in flight", async () => {
    const f = setup()
    f.ctx.ring().replicasFor = (keys) => keys.map((k) => [`R${k}`, `S${k}`])
    let release
    f.audits.challenge = (peer, records, opts) => {
      f.audits.challenges.push({ peer, keys: records.map((r) => r.key), opts })
      return new Promise((r) => (release = r))
    }
    for (let i = 0; i < 10; i++) f.rounds.onRefused([rec(`t${i}`, hlc(1), 'P', null), rec(`k${i}`, hlc(1))])
    assert.equal(f.audits.challenges.length, 8)
    assert.ok(f.audits.challenges.every((c) => c.opts.repair === false && c.opts.push === true && c.opts.acked(rec('x', hlc(1))) === false))
    assert.ok(f.audits.challenges.every((c) => c.keys.every((k) => k.startsWith('k'))), 'live records only')
    release('proven')
    await flush()
    f.rounds.onRefused([rec('again', hlc(1))])
    assert.equal(f.audits.challenges.length, 9, 'one settled: room for one more')
  })
})
