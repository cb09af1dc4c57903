// The checks of the protocol's wire forms (js/sync/protocol.js): each takes
// an untrusted value (JSON a peer sent) and says whether it is well-formed,
// or turns it into its JavaScript form. Nothing here throws.
import { isKey, utf8Length } from '../core/keys.js'
import { SYNC_BITS_PER_LEVEL, SYNC_CHILDREN, SYNC_MAX_BITS } from '../core/limits.js'
import { parseJsonText } from '../core/values.js'
import { isHlc, isVersion } from '../core/versions.js'
import { AUDIT_ENTRIES, isProofAnswer } from './audit-proofs.js'

/** Deepest level of the anti-entropy tree peers may ask about, in key-token
 *  bits (at most the engine's SYNC_MAX_BITS). */
export const MAX_BUCKET_BITS = Math.min(24, SYNC_MAX_BITS)
/** Items in one list of a message (records, keys). */
export const MAX_ITEMS = 100000
/** Buckets in one sum, ent or pull: an answer to a sum names up to 16 times
 *  as many, so what one message can make a peer send stays bounded. */
export const MAX_BUCKETS = 256
const RANGE_BOUNDS = /** @type {const} */ (['gte', 'gt', 'lt', 'lte', 'prefix'])

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('./protocol.js').Limits} Limits */
/** @typedef {import('./protocol.js').Entry} Entry */
/** @typedef {import('./protocol.js').ScanRange} ScanRange */

/**
 * [key, hlc, origin, tomb, json|null] as a record; a live value must be JSON
 * text, which is parsed here once (record.value).
 * @param {unknown} r
 * @param {Limits} limits
 * @returns {StoredRecord | null}
 */
export function recordFromWire(r, limits) {
  if (!Array.isArray(r) || r.length !== 5) return null
  const [key, hlc, origin, tomb, json] = r
  if (!isKey(key, limits.maxKeyBytes) || !isVersion(hlc, origin)) return null
  if (tomb === 1) return json === null ? { key, hlc, origin, deleted: true, json: null } : null
  if (tomb !== 0) return null
  const parsed = parseJsonText(json, limits.maxValueBytes)
  return parsed.ok ? { key, hlc, origin, deleted: false, json, value: parsed.value } : null
}

/**
 * A range bound or prefix: any well-formed string up to a key's length ('' too).
 * @param {unknown} s
 * @param {Limits} limits
 */
export function isBound(s, limits) {
  return typeof s === 'string' && s.length <= limits.maxKeyBytes && s.isWellFormed() && utf8Length(s) <= limits.maxKeyBytes
}

/**
 * @param {unknown} q
 * @param {Limits} limits
 * @returns {ScanRange | null}
 */
export function scanRangeFromWire(q, limits) {
  if (q === null || typeof q !== 'object' || Array.isArray(q)) return null
  /** @type {Record<string, string>} */
  const range = {}
  for (const [name, v] of Object.entries(q)) {
    if (!RANGE_BOUNDS.includes(/** @type {any} */ (name)) || !isBound(v, limits)) return null
    range[name] = v
  }
  return range
}

/** @param {unknown} id */
export function isId(id) {
  return Number.isSafeInteger(id) && /** @type {number} */ (id) >= 0
}

/** @param {unknown} a @returns {a is unknown[]} */
export function isList(a) {
  return Array.isArray(a) && a.length <= MAX_ITEMS
}

/** A list of buckets' worth (at most MAX_BUCKETS). @param {unknown} a @returns {a is unknown[]} */
export function isBucketList(a) {
  return Array.isArray(a) && a.length <= MAX_BUCKETS
}

/** @param {unknown} k @param {Limits} limits */
export function isKeyList(k, limits) {
  return isList(k) && k.every((x) => isKey(x, limits.maxKeyBytes))
}

/** @param {unknown} r @param {Limits} limits */
export function isKeyOnly(r, limits) {
  return Array.isArray(r) && r.length === 1 && isKey(r[0], limits.maxKeyBytes)
}

/** @param {unknown} bits @param {unknown} prefix */
export function isBucket(bits, prefix) {
  return (
    Number.isInteger(bits) && /** @type {number} */ (bits) >= 0 && /** @type {number} */ (bits) <= MAX_BUCKET_BITS &&
    /** @type {number} */ (bits) % SYNC_BITS_PER_LEVEL === 0 &&
    Number.isInteger(prefix) && /** @type {number} */ (prefix) >= 0 && /** @type {number} */ (prefix) < 2 ** /** @type {number} */ (bits)
  )
}

/** @param {unknown} b */
export function isSummary(b) {
  return (
    Array.isArray(b) && b.length === 4 && isBucket(b[0], b[1]) && b[0] < MAX_BUCKET_BITS &&
    Array.isArray(b[2]) && b[2].length === SYNC_CHILDREN && b[2].every((c) => Number.isSafeInteger(c) && c >= 0) &&
    Array.isArray(b[3]) && b[3].length === SYNC_CHILDREN && b[3].every(isDigest)
  )
}

/** @param {unknown} d a digest: 16 hex digits, like a clock */
export function isDigest(d) {
  return isHlc(d)
}

/** @param {unknown} b @param {Limits} limits */
export function isEntryBucket(b, limits) {
  return Array.isArray(b) && b.length === 3 && isBucket(b[0], b[1]) && isList(b[2]) && b[2].every((e) => isEntry(e, limits))
}

/** [key, hlc, origin, tomb] @param {unknown} e @param {Limits} limits */
export function isEntry(e, limits) {
  return Array.isArray(e) && e.length === 4 && isKey(e[0], limits.maxKeyBytes) && isVersion(e[1], e[2]) && (e[3] === 0 || e[3] === 1)
}

/** @param {any[]} e validated by isEntry @returns {Entry} */
export function entryFromWire(e) {
  return { key: e[0], hlc: e[1], origin: e[2], deleted: e[3] === 1 }
}

/** A wall-clock time in ms (0: none). @param {unknown} ms */
export function isMs(ms) {
  return Number.isSafeInteger(ms) && /** @type {number} */ (ms) >= 0
}

/**
 * An audit's entries: 1 to AUDIT_ENTRIES valid [key, hlc, origin, tomb].
 * @param {unknown} e
 * @param {Limits} limits
 * @returns {Entry[] | null}
 */
export function auditEntriesFromWire(e, limits) {
  const ok = Array.isArray(e) && e.length >= 1 && e.length <= AUDIT_ENTRIES && e.every((x) => isEntry(x, limits))
  return ok ? /** @type {any[]} */ (e).map(entryFromWire) : null
}

/**
 * A proof's answers: at most AUDIT_ENTRIES, each a proof (16 hex digits),
 * 0 (not held: null) or a valid record (a newer version held).
 * @param {unknown} a
 * @param {Limits} limits
 * @returns {Array<string | StoredRecord | null> | null}
 */
export function proofAnswersFromWire(a, limits) {
  if (!Array.isArray(a) || a.length > AUDIT_ENTRIES) return null
  /** @type {Array<string | StoredRecord | null>} */
  const answers = []
  for (const x of a) {
    if (x === 0) answers.push(null)
    else if (isProofAnswer(x)) answers.push(x)
    else {
      const rec = recordFromWire(x, limits)
      if (rec === null) return null
      answers.push(rec)
    }
  }
  return answers
}

/** A ring weight (paging_storage/ring.h): 0 a full replica, 1..MAX_RING_WEIGHT tokens per virtual node. */
export const MAX_RING_WEIGHT = 16

/** @param {unknown} w @returns {w is number} */
export function isRingWeight(w) {
  return Number.isInteger(w) && /** @type {number} */ (w) >= 0 && /** @type {number} */ (w) <= MAX_RING_WEIGHT
}
