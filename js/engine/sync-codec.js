// The ring and anti-entropy calls' byte formats: one encode or decode per
// production of wasm/wire_format.h (`members`, `replicas`, `shares`, `sync`,
// `synced`; the C++ side is wasm/sync_codec.cc). Change both together.
import { StatusCode } from '../core/errors.js'
import { SYNC_CHILDREN } from '../core/limits.js'
import { encodeKeys } from './codec.js'
import { Reader, Writer } from './wire.js'

/**
 * One node of the anti-entropy tree asked about, for one other peer (by its
 * index on the ring the scan runs on).
 * @typedef {{ peer: number, bits: number, prefix: number, entries: boolean }} SyncQuery
 */

/**
 * A digest answer (16 children: record counts and XOR digests, 16 hex digits
 * each) or an entries answer (the records, without values).
 * @typedef {{ counts: number[], digests: string[] }} DigestAnswer
 * @typedef {{ entries: Array<{key: string, hlc: string, origin: string, deleted: boolean}> }} EntriesAnswer
 * @typedef {DigestAnswer | EntriesAnswer} SyncAnswer
 */

/**
 * wire `members`.
 * @param {readonly string[]} members
 * @param {readonly number[] | null} [weights] one per member (0..16), or
 *   null: every weight 1 (nothing written)
 * @returns {Uint8Array}
 */
export function encodeMembers(members, weights = null) {
  const w = new Writer(16 + members.length * 49)
  encodeKeys(w, members)
  const body = w.finish()
  if (weights === null) return body
  const out = new Uint8Array(body.length + weights.length)
  out.set(body)
  out.set(weights, body.length)
  return out
}

/**
 * Decodes wire `replicas`.
 * @param {Uint8Array} bytes
 * @returns {number[][]} per key, member indices in ring order
 */
export function decodeReplicas(bytes) {
  const r = new Reader(bytes)
  const out = new Array(r.varint())
  for (let i = 0; i < out.length; i++) {
    const replicas = new Array(r.varint())
    for (let j = 0; j < replicas.length; j++) replicas[j] = r.varint()
    out[i] = replicas
  }
  return out
}

/**
 * Decodes wire `shares`.
 * @param {Uint8Array} bytes
 * @returns {number[]} per member, the fraction of the key space it replicates
 */
export function decodeShares(bytes) {
  const r = new Reader(bytes)
  const out = new Array(r.varint())
  for (let i = 0; i < out.length; i++) out[i] = r.float64()
  return out
}

/**
 * wire `sync`.
 * @param {{ rf: number, self: number, start: string, queries: readonly SyncQuery[] }} request
 * @returns {Uint8Array}
 */
export function encodeSyncRequest({ rf, self, start, queries }) {
  const w = new Writer(64 + queries.length * 8)
  w.varint(rf)
  w.varint(self)
  w.string(start)
  w.varint(queries.length)
  for (const q of queries) {
    w.varint(q.peer)
    w.byte(q.bits)
    w.varint(q.prefix)
    w.byte(q.entries ? 1 : 0)
  }
  return w.finish()
}

/**
 * Decodes wire `synced`. On NOT_RESIDENT the answers are partial: load
 * missingPage, scan again from `resume` and merge (mergeSyncAnswers). The
 * answers array has a hole for each empty answer (forEach skips them).
 * @param {Uint8Array} bytes
 * @param {readonly SyncQuery[]} queries the request's queries
 * @returns {{ code: number, missingPage: number, resume: string, message?: string, answers: SyncAnswer[] }}
 */
export function decodeSynced(bytes, queries) {
  const r = new Reader(bytes)
  const code = r.byte()
  let missingPage = 0
  let resume = ''
  let message
  if (code === StatusCode.NOT_RESIDENT) {
    missingPage = r.varint()
    resume = r.string()
  } else if (code !== StatusCode.OK) {
    message = r.string()
  }
  // Sparse: only the answers that hold something (wire_format.h `synced`);
  // the holes are empty answers (mergeSyncAnswers skips them).
  /** @type {SyncAnswer[]} */
  const answers = code === StatusCode.OK || code === StatusCode.NOT_RESIDENT ? new Array(queries.length) : []
  for (let n = r.varint(); n > 0; n--) {
    const i = r.varint()
    if (i >= queries.length) throw new Error(`synced: answer for query ${i} of ${queries.length}`)
    if (queries[i].entries) {
      const entries = new Array(r.varint())
      for (let j = 0; j < entries.length; j++) {
        const key = r.string()
        const hlc = r.fixed64Hex()
        const origin = r.string()
        entries[j] = { key, hlc, origin, deleted: r.byte() === 1 }
      }
      answers[i] = { entries }
    } else {
      const counts = new Array(SYNC_CHILDREN)
      const digests = new Array(SYNC_CHILDREN)
      for (let c = 0; c < SYNC_CHILDREN; c++) {
        counts[c] = r.varint()
        digests[c] = r.fixed64Hex()
      }
      answers[i] = { counts, digests }
    }
  }
  return { code, missingPage, resume, message, answers }
}
