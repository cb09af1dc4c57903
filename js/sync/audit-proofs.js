// Audit proofs: what a replica answers to prove it holds a record, and how
// the auditor checks the answer. The proof of a record is bound to a fresh
// nonce: the first 16 hex digits of SHA-256 over [nonce, key, hlc, origin,
// tomb, json] as JSON text (nonce first, so that no digest of the record
// kept in advance can stand in for the record itself: computing it takes
// the value). A challenge-response storage audit, the simplest form of a
// proof of retrievability (Juels and Kaliski, CCS 2007; here the record is
// hashed whole, as the audited values are small).
//
// What a proof cannot show: that the replica keeps its own copy rather than
// fetching the record from another peer when audited, or that peer ids are
// distinct machines; a tombstone carries nothing an auditor would not name
// (key and version), so a tombstone's proof shows nothing and the auditors
// sample live records. SHA-256 comes from @noble/hashes (audited, no
// dependencies, synchronous, and available where crypto.subtle is not: a
// page served over plain http).
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

import { compareVersions } from '../core/versions.js'
import { lookupWithin, recordChars } from './bounded-replies.js'

/** Most entries one audit names. */
export const AUDIT_ENTRIES = 8
/** Characters of records one audit may make a replica hash (one record may
 *  take it past that); an auditor samples within it. */
export const AUDIT_CHARS = 1 << 20

const NONCE = /^[0-9a-f]{32}$/
const PROOF = /^[0-9a-f]{16}$/
const utf8 = new TextEncoder()

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('./protocol.js').Entry} Entry */

/** @param {unknown} n @returns {n is string} a nonce: 32 lowercase hex digits */
export function isNonce(n) {
  return typeof n === 'string' && NONCE.test(n)
}

/** @param {unknown} a @returns {a is string} a proof: 16 lowercase hex digits */
export function isProofAnswer(a) {
  return typeof a === 'string' && PROOF.test(a)
}

/** @returns {string} a fresh nonce (128 random bits, crypto.getRandomValues) */
export function newNonce() {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(16)))
}

/**
 * The proof that `rec` is held, bound to `nonce`.
 * @param {string} nonce
 * @param {StoredRecord} rec
 * @returns {string} 16 hex digits
 */
export function proofOf(nonce, rec) {
  const text = JSON.stringify([nonce, rec.key, rec.hlc, rec.origin, rec.deleted ? 1 : 0, rec.deleted ? null : rec.json])
  return bytesToHex(sha256(utf8.encode(text))).slice(0, 16)
}

/**
 * A replica's answers to an audit, from its stored records.
 * @param {(keys: string[]) => Promise<Array<StoredRecord | null>>} lookup the stored records of keys
 * @param {string} nonce
 * @param {Entry[]} entries as the audit named them
 * @returns {Promise<{ answers: Array<string | StoredRecord | null>, chars: number }>}
 *   answers: per entry, in order, for the first ones within AUDIT_CHARS: the
 *   proof (that version held), the record held (newer), or null (not held,
 *   or older); chars: of the records looked up (hashed or sent)
 */
export async function answerAudit(lookup, nonce, entries) {
  const { records, covered } = await lookupWithin(
    lookup,
    entries.map((e) => e.key),
    AUDIT_CHARS
  )
  const held = new Map(records.map((r) => [r.key, r]))
  let chars = 0
  for (const r of records) chars += recordChars(r)
  const answers = entries.slice(0, covered).map((e) => {
    const r = held.get(e.key)
    if (r === undefined) return null
    const order = compareVersions(r.hlc, r.origin, e.hlc, e.origin)
    return order === 0 ? proofOf(nonce, r) : order > 0 ? r : null
  })
  return { answers, chars }
}

/**
 * What an audit's answers show.
 * @typedef {object} AuditVerdict
 * @property {string | null} failed why the answers break the protocol (an
 *   answer for another key, or none at all); null: they do not
 * @property {StoredRecord[]} proven records the replica proved it holds
 * @property {StoredRecord[]} lacking records it did not prove: it holds none,
 *   an older version, another value under the version, or it answered a
 *   wrong proof (js/sync/audits.js decides what that costs it)
 * @property {StoredRecord[]} newer newer versions it holds of audited keys
 */

/**
 * Checks a replica's answers.
 * @param {string} nonce the audit's
 * @param {StoredRecord[]} records audited, in the order named
 * @param {Array<string | StoredRecord | null>} answers validated (js/sync/protocol.js)
 * @returns {AuditVerdict} entries not covered (fewer answers) are in no list
 */
export function checkAnswers(nonce, records, answers) {
  /** @type {AuditVerdict} */
  const verdict = { failed: null, proven: [], lacking: [], newer: [] }
  if (answers.length === 0) return { ...verdict, failed: 'an empty answer' }
  const n = Math.min(records.length, answers.length)
  for (let i = 0; i < n; i++) {
    const rec = records[i]
    const a = answers[i]
    if (a !== null && typeof a !== 'string' && a.key !== rec.key) return { ...verdict, failed: 'an answer for another key' }
    if (typeof a === 'string' && a === proofOf(nonce, rec)) verdict.proven.push(rec)
    else if (a !== null && typeof a !== 'string' && compareVersions(a.hlc, a.origin, rec.hlc, rec.origin) > 0) verdict.newer.push(a)
    else verdict.lacking.push(rec)
  }
  return verdict
}

/**
 * A sample of records to audit: up to AUDIT_ENTRIES live ones, at random,
 * within AUDIT_CHARS (one at least).
 * @param {readonly StoredRecord[]} records
 * @param {number} [count] at most AUDIT_ENTRIES
 * @returns {StoredRecord[]} empty when none is live
 */
export function sampleLive(records, count = AUDIT_ENTRIES) {
  const live = records.filter((r) => !r.deleted)
  // Partial Fisher-Yates: the first `want` places get a uniform sample.
  const want = Math.min(count, AUDIT_ENTRIES, live.length)
  for (let i = 0; i < want; i++) {
    const j = i + Math.floor(Math.random() * (live.length - i))
    ;[live[i], live[j]] = [live[j], live[i]]
  }
  /** @type {StoredRecord[]} */
  const sample = []
  let chars = 0
  for (const r of live.slice(0, want)) {
    if (sample.length > 0 && chars + recordChars(r) > AUDIT_CHARS) break
    sample.push(r)
    chars += recordChars(r)
  }
  return sample
}
