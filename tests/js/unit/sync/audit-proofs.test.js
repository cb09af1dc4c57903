// audit-proofs.js: proofs bound to a nonce, a replica's answers, the auditor's checks, samples.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'

import { AUDIT_CHARS, AUDIT_ENTRIES, answerAudit, checkAnswers, isNonce, newNonce, proofOf, sampleLive } from '../../../../js/sync/audit-proofs.js'
import { hlc, rec } from './fakes.js'

const N1 = 'a'.repeat(32)
const N2 = 'b'.repeat(32)
const entry = (r) => ({ key: r.key, hlc: r.hlc, origin: r.origin, deleted: r.deleted })

test('a proof is the first 16 hex digits of SHA-256 over [nonce, key, hlc, origin, tomb, json], bound to the nonce and to every part of the record', () => {
  const r = rec('k', hlc(1), 'P', '{"a":1}')
  const expected = createHash('sha256').update(JSON.stringify([N1, 'k', hlc(1), 'P', 0, '{"a":1}'])).digest('hex').slice(0, 16)
  assert.equal(proofOf(N1, r), expected, 'as node:crypto computes it')
  assert.notEqual(proofOf(N2, r), proofOf(N1, r), 'another nonce')
  for (const other of [rec('k2', hlc(1), 'P', '{"a":1}'), rec('k', hlc(2), 'P', '{"a":1}'), rec('k', hlc(1), 'Q', '{"a":1}'), rec('k', hlc(1), 'P', '{"a":2}')]) {
    assert.notEqual(proofOf(N1, other), proofOf(N1, r), JSON.stringify(other))
  }
  assert.match(proofOf(N1, rec('k', hlc(1), 'P', null)), /^[0-9a-f]{16}$/, 'a tombstone too')
})

test('nonces are 32 fresh hex digits', () => {
  const a = newNonce()
  assert.equal(isNonce(a), true)
  assert.notEqual(newNonce(), a)
  for (const bad of ['A'.repeat(32), 'a'.repeat(31), 5, null]) assert.equal(isNonce(bad), false)
})

test('a replica answers a proof for the version named, its record when it holds a newer one, null when it holds none or an older one', async () => {
  const held = new Map([
    ['same', rec('same', hlc(5))],
    ['newer', rec('newer', hlc(9))],
    ['older', rec('older', hlc(1))]
  ])
  const lookup = async (keys) => keys.map((k) => held.get(k) ?? null)
  const named = [rec('same', hlc(5)), rec('newer', hlc(5)), rec('older', hlc(5)), rec('none', hlc(5))]
  const { answers, chars } = await answerAudit(lookup, N1, named.map(entry))
  assert.deepEqual(answers, [proofOf(N1, held.get('same')), held.get('newer'), null, null])
  assert.ok(chars > 0)
})

test('a replica hashes at most AUDIT_CHARS of records per audit (one record at least): the answers cover the first entries', async () => {
  const big = 'x'.repeat(AUDIT_CHARS / 2)
  const held = new Map(['a', 'b', 'c'].map((k) => [k, rec(k, hlc(1), 'P', JSON.stringify(big))]))
  const { answers } = await answerAudit(async (keys) => keys.map((k) => held.get(k) ?? null), N1, [...held.values()].map(entry))
  assert.equal(answers.length, 2)
})

test('checkAnswers: right proofs prove; a newer record is newer; a wrong proof, nothing, an older record or another value under the version is lacking', () => {
  const a = rec('a', hlc(5))
  const b = rec('b', hlc(5))
  assert.deepEqual(checkAnswers(N1, [a, b], [proofOf(N1, a), proofOf(N1, b)]), { failed: null, proven: [a, b], lacking: [], newer: [] })
  assert.deepEqual(checkAnswers(N1, [a, b], [proofOf(N1, a), proofOf(N2, b)]).lacking, [b], 'a proof bound to another nonce')
  const b9 = rec('b', hlc(9))
  assert.deepEqual(checkAnswers(N1, [a, b], [proofOf(N1, a), b9]).newer, [b9])
  for (const answer of [null, rec('a', hlc(1)), rec('a', hlc(5), 'P', '"another value"'), a]) {
    assert.deepEqual(checkAnswers(N1, [a], [answer]), { failed: null, proven: [], lacking: [a], newer: [] }, JSON.stringify(answer))
  }
  assert.deepEqual(checkAnswers(N1, [a, b], [proofOf(N1, a)]).proven, [a], 'the entries not covered are in no list')
})

test('checkAnswers: answers that break the protocol fail (an answer for another key, none at all)', () => {
  const a = rec('a', hlc(1))
  assert.equal(checkAnswers(N1, [a], [rec('z', hlc(9))]).failed, 'an answer for another key')
  assert.equal(checkAnswers(N1, [a], []).failed, 'an empty answer')
})

test('sampleLive: up to AUDIT_ENTRIES live records at random, never tombstones, within AUDIT_CHARS (one at least)', () => {
  const records = Array.from({ length: 40 }, (_, i) => rec(`k${i}`, hlc(1), 'P', i % 2 ? null : '1'))
  const seen = new Set()
  for (let i = 0; i < 50; i++) {
    const s = sampleLive(records)
    assert.equal(s.length, AUDIT_ENTRIES)
    assert.equal(new Set(s.map((r) => r.key)).size, AUDIT_ENTRIES, 'no repeats')
    for (const r of s) {
      assert.equal(r.deleted, false)
      seen.add(r.key)
    }
  }
  assert.equal(seen.size, 20, 'every live record is drawn some time')
  assert.deepEqual(sampleLive([rec('t', hlc(1), 'P', null)]), [])
  assert.equal(sampleLive(records, 2).length, 2)
  const big = Array.from({ length: 4 }, (_, i) => rec(`b${i}`, hlc(1), 'P', JSON.stringify('x'.repeat(AUDIT_CHARS))))
  assert.equal(sampleLive(big).length, 1)
})
