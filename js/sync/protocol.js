// The peer-to-peer protocol: every message between stores, as JSON text.
// Everything a peer sends is untrusted: decode() validates the schema and
// every size before anything acts on a message, and returns null (the caller
// counts a rejection) instead of throwing. Inside JS a message is an object
// with records as StoredRecord objects; positional tuples exist only here,
// on the wire.
//
// Version 1. Every message on the wire is an object {v: 1, t: type, ...}:
//   hb    {h?, w?, d?}                        heartbeat, broadcast (liveness);
//                                             h: the sender's clock (HLC); w: its
//                                             ring weight (0 a full replica, 1..16;
//                                             absent: 1); d: 1 when it acknowledges
//                                             puts only once they are on disk
//   put   {id, r: [record...]}                replicate records; answered by ack
//   ack   {id, k?: [[key, hlc, origin, tomb]...], n?: [key...]}
//                                             the put `id` was applied; k: the newer
//                                             versions kept over some of its records
//                                             (their writer stamps them again); n: the
//                                             keys of records refused (not stored)
//   get   {id, k: [key...]}                   routed read (at most KEYS_PER_REQUEST
//                                             keys); answered by got
//   got   {id, r: [record | [key]], c?}       the records of the keys asked that
//                                             are stored there; [key] alone (or
//                                             a key left out): not stored; c: only
//                                             the first c keys asked are answered
//                                             (the reply budget ran out: ask again
//                                             for the rest)
//   sum   {b: [[bits, prefix, counts[16], digests[16]]...]}   (sum, ent and pull name
//                                             at most MAX_BUCKETS buckets)
//                                             anti-entropy: the sender's child
//                                             digests of these token buckets
//   ent   {b: [[bits, prefix, [[key, hlc, origin, tomb]...]]...]}
//                                             the sender's entries (no values)
//   pull  {k: [key...], b: [[bits, prefix]...]}
//                                             send me these keys / buckets (as put)
//   since {id, h}                             new or back: send me (as put) the
//                                             records we share with hlc > h that
//                                             you are the first other replica
//                                             of; then ack {id}
//   delta {n}                                 n records follow from the sender (as put): a
//                                             catch-up, hand-off or repair of many keys, for
//                                             the receiver's progress
//   has   {id, k: [key...]}                   which versions do you hold of these
//                                             keys (at most KEYS_PER_REQUEST)?
//                                             answered by had
//   had   {id, e: [[key, hlc, origin, tomb]...], s}
//                                             the versions held (tombstones too;
//                                             a key left out: no trace); s: ms
//                                             since when the sender has been in
//                                             sync with the mesh (0: it is not)
//   scan  {id, q, r, n}                       ring-wide range: the sender's records (tombstones
//                                             too) in range q {gte?, gt?, lt?, lte?, prefix?},
//                                             in key order (r: 1 reversed), at most n;
//                                             answered by scanned
//   scanned {id, r: [record...], c?}          the records (in the order asked); c: the last
//                                             key this answer covers when more may follow
//                                             (ask again after it)
//   sub   {id, k: [key...], p: [prefix...], l, s?}
//                                             subscription: push me (pub) every change to
//                                             these keys and prefixes for the next l ms
//                                             (replaces the sender's earlier one; empty
//                                             lists end it); s: also send the current
//                                             records of the keys and those of the
//                                             prefixes changed after that hlc. Answered by ack
//   pub   {id, r: [record...]}                changes the receiver subscribed to; answered by ack
//   audit {id, n, e: [[key, hlc, origin, tomb]...]}
//                                             prove you hold these versions
//                                             (1 to AUDIT_ENTRIES); n: a fresh
//                                             nonce, 32 hex digits. Answered by proof
//   proof {id, a: [answer...]}                per entry audited, in order: its proof
//                                             (16 hex digits: js/sync/audit-proofs.js)
//                                             when that version is held, the record
//                                             held when it is newer, 0 when it is not
//                                             held (or older); fewer answers than
//                                             entries: the rest were not covered
//   frag  {id, i, n, d}                       part i of n of a longer message
// record := [key, hlc (16 hex digits), origin, tomb (0|1), json | null]
//
// Sizes: a message's text is split into frags of at most FRAGMENT_CHARS
// UTF-16 units (<= 3 bytes each in UTF-8: below 200 KB on the wire).
import { isHlc } from '../core/versions.js'
import { isNonce } from './audit-proofs.js'
import { KEYS_PER_REQUEST } from './bounded-replies.js'
import {
  MAX_ITEMS,
  auditEntriesFromWire,
  entryFromWire,
  isBound,
  isBucket,
  isBucketList,
  isEntry,
  isEntryBucket,
  isId,
  isKeyList,
  isKeyOnly,
  isList,
  isMs,
  isRingWeight,
  isSummary,
  proofAnswersFromWire,
  recordFromWire,
  scanRangeFromWire
} from './wire-checks.js'

export const PROTOCOL_VERSION = 1
export { MAX_RING_WEIGHT, isRingWeight } from './wire-checks.js'
export const FRAGMENT_CHARS = 60000
// A fragment's piece of text, escaped: FRAGMENT_CHARS minus room for the
// frame around it ({"v":1,"t":"frag","id":…,"i":…,"n":…,"d":…}).
const PIECE_CHARS = FRAGMENT_CHARS - 64
export { MAX_BUCKET_BITS, MAX_BUCKETS } from './wire-checks.js'

/** Most records one scan answer carries. */
export const MAX_SCAN_PAGE = 1000
/** Most keys and prefixes one subscription names. */
export const MAX_SUBSCRIBED_KEYS = 1000
export const MAX_SUBSCRIBED_PREFIXES = 64
/** Longest subscription lease a peer may ask for (ms). */
export const MAX_LEASE_MS = 600000

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {{ key: string, hlc: string, origin: string, deleted: boolean }} Entry */
/** @typedef {{ bits: number, prefix: number }} Bucket */

/**
 * A message as JavaScript sees it.
 * @typedef {{ t: 'hb', h?: string, w?: number, d?: boolean }
 *   | { t: 'put', id: number, records: StoredRecord[] }
 *   | { t: 'ack', id: number, kept?: Entry[], refused?: string[] }
 *   | { t: 'get', id: number, keys: string[] }
 *   | { t: 'got', id: number, records: StoredRecord[], covered?: number }
 *   | { t: 'sum', buckets: Array<Bucket & { counts: number[], digests: string[] }> }
 *   | { t: 'ent', buckets: Array<Bucket & { entries: Entry[] }> }
 *   | { t: 'pull', keys: string[], buckets: Bucket[] }
 *   | { t: 'since', id: number, h: string }
 *   | { t: 'delta', n: number }
 *   | { t: 'has', id: number, keys: string[] }
 *   | { t: 'had', id: number, entries: Entry[], inSyncSince: number }
 *   | { t: 'scan', id: number, range: ScanRange, reverse: boolean, count: number }
 *   | { t: 'scanned', id: number, records: StoredRecord[], next?: string }
 *   | { t: 'sub', id: number, keys: string[], prefixes: string[], lease: number, since?: string }
 *   | { t: 'pub', id: number, records: StoredRecord[] }
 *   | { t: 'audit', id: number, nonce: string, entries: Entry[] }
 *   | { t: 'proof', id: number, answers: Array<string | StoredRecord | null> }} Message
 */

/** @typedef {{ gte?: string, gt?: string, lt?: string, lte?: string, prefix?: string }} ScanRange */

/**
 * Limits a decoder enforces; from the store's options.
 * @typedef {{ maxKeyBytes: number, maxValueBytes: number, maxMessageChars: number, maxFragments: number }} Limits
 */

/**
 * @param {{ maxKeyBytes: number, maxValueBytes: number }} opts
 * @returns {Limits}
 */
export function protocolLimits(opts) {
  // A whole message (after reassembly): the largest value plus room.
  const maxMessageChars = Math.max(opts.maxValueBytes * 2, 4 * FRAGMENT_CHARS) + 65536
  return {
    maxKeyBytes: opts.maxKeyBytes,
    maxValueBytes: opts.maxValueBytes,
    maxMessageChars,
    // Escaping can shrink a piece to a sixth of FRAGMENT_CHARS.
    maxFragments: 6 * Math.ceil(maxMessageChars / FRAGMENT_CHARS)
  }
}

/**
 * @param {Message} msg
 * @param {() => number} nextFragmentId
 * @returns {string[]} the frames carrying msg (one unless it is long)
 */
export function encode(msg, nextFragmentId) {
  const text = JSON.stringify({ v: PROTOCOL_VERSION, ...toWire(msg) })
  if (text.length <= FRAGMENT_CHARS) return [text]
  // Pieces are cut so that each stays within PIECE_CHARS once escaped as a
  // JSON string (quotes and backslashes double in length): a piece that
  // escapes too long is cut down in proportion, with a margin, and retried.
  const pieces = []
  for (let at = 0; at < text.length; ) {
    let size = Math.min(PIECE_CHARS - 2, text.length - at)
    let piece = text.slice(at, at + size)
    for (let escaped = JSON.stringify(piece).length; escaped > PIECE_CHARS; escaped = JSON.stringify(piece).length) {
      size = Math.max(1, Math.min(size - 1, Math.floor((size * PIECE_CHARS) / escaped) - 16))
      piece = text.slice(at, at + size)
    }
    // Never split a surrogate pair: a lone half is not well-formed text.
    if (size < text.length - at && /[\ud800-\udbff]$/.test(piece)) piece = piece.slice(0, -1)
    pieces.push(piece)
    at += piece.length
  }
  const id = nextFragmentId()
  const n = pieces.length
  return pieces.map((d, i) => JSON.stringify({ v: PROTOCOL_VERSION, t: 'frag', id, i, n, d }))
}

/**
 * Parses one frame.
 * @param {unknown} text
 * @param {Limits} limits
 * @returns {Message | { t: 'frag', id: number, i: number, n: number, d: string } | null}
 *   null when it is not a well-formed frame of ours
 */
export function parseFrame(text, limits) {
  const m = parseEnvelope(text, FRAGMENT_CHARS + 1024)
  if (m === null) return null
  if (m.t === 'frag') {
    const ok =
      isId(m.id) &&
      Number.isInteger(m.n) && m.n >= 2 && m.n <= limits.maxFragments &&
      Number.isInteger(m.i) && m.i >= 0 && m.i < m.n &&
      typeof m.d === 'string' && m.d.length <= FRAGMENT_CHARS
    return ok ? m : null
  }
  return fromWire(m, limits)
}

/**
 * Validates a whole message (reassembled text).
 * @param {string} text
 * @param {Limits} limits
 * @returns {Message | null}
 */
export function decode(text, limits) {
  const m = parseEnvelope(text, limits.maxMessageChars)
  return m === null || m.t === 'frag' ? null : fromWire(m, limits)
}

/**
 * @param {unknown} text
 * @param {number} maxChars
 * @returns {any} the JSON object {v: PROTOCOL_VERSION, ...} in text, or null
 */
function parseEnvelope(text, maxChars) {
  if (typeof text !== 'string' || text.length > maxChars) return null
  let m
  try {
    m = JSON.parse(text)
  } catch {
    return null
  }
  return m !== null && typeof m === 'object' && !Array.isArray(m) && m.v === PROTOCOL_VERSION ? m : null
}

/**
 * @param {Message} msg
 * @returns {object} the wire form (without v)
 */
function toWire(msg) {
  switch (msg.t) {
    case 'hb':
      return { t: 'hb', ...(msg.h === undefined ? {} : { h: msg.h }), ...(msg.w === undefined ? {} : { w: msg.w }), ...(msg.d ? { d: 1 } : {}) }
    case 'got':
      return msg.covered === undefined
        ? { t: 'got', id: msg.id, r: msg.records.map(recordToWire) }
        : { t: 'got', id: msg.id, r: msg.records.map(recordToWire), c: msg.covered }
    case 'put':
    case 'pub':
      return { t: msg.t, id: msg.id, r: msg.records.map(recordToWire) }
    case 'scan':
      return { t: 'scan', id: msg.id, q: msg.range, r: msg.reverse ? 1 : 0, n: msg.count }
    case 'scanned':
      return msg.next === undefined
        ? { t: 'scanned', id: msg.id, r: msg.records.map(recordToWire) }
        : { t: 'scanned', id: msg.id, r: msg.records.map(recordToWire), c: msg.next }
    case 'sub': {
      /** @type {Record<string, unknown>} */
      const w = { t: 'sub', id: msg.id, k: msg.keys, p: msg.prefixes, l: msg.lease }
      if (msg.since !== undefined) w.s = msg.since
      return w
    }
    case 'ack': {
      /** @type {Record<string, unknown>} */
      const w = { t: 'ack', id: msg.id }
      if (msg.kept !== undefined) w.k = msg.kept.map(entryToWire)
      if (msg.refused !== undefined) w.n = msg.refused
      return w
    }
    case 'get':
    case 'has':
      return { t: msg.t, id: msg.id, k: msg.keys }
    case 'had':
      return { t: 'had', id: msg.id, e: msg.entries.map(entryToWire), s: msg.inSyncSince }
    case 'sum':
      return { t: 'sum', b: msg.buckets.map((b) => [b.bits, b.prefix, b.counts, b.digests]) }
    case 'ent':
      return { t: 'ent', b: msg.buckets.map((b) => [b.bits, b.prefix, b.entries.map(entryToWire)]) }
    case 'pull':
      return { t: 'pull', k: msg.keys, b: msg.buckets.map((b) => [b.bits, b.prefix]) }
    case 'audit':
      return { t: 'audit', id: msg.id, n: msg.nonce, e: msg.entries.map(entryToWire) }
    case 'proof':
      return { t: 'proof', id: msg.id, a: msg.answers.map((a) => (a === null ? 0 : typeof a === 'string' ? a : recordToWire(a))) }
    default:
      return msg
  }
}

/** @param {Entry} e */
function entryToWire(e) {
  return [e.key, e.hlc, e.origin, e.deleted ? 1 : 0]
}

/** @param {StoredRecord} r */
function recordToWire(r) {
  return [r.key, r.hlc, r.origin, r.deleted ? 1 : 0, r.deleted ? null : r.json]
}

/**
 * The message an untrusted wire object stands for, or null.
 * @param {any} m
 * @param {Limits} limits
 * @returns {Message | null}
 */
function fromWire(m, limits) {
  switch (m.t) {
    case 'hb': {
      if ((m.h !== undefined && !isHlc(m.h)) || (m.w !== undefined && !isRingWeight(m.w)) || (m.d !== undefined && m.d !== 1)) return null
      /** @type {Message} */
      const hb = { t: 'hb' }
      if (m.h !== undefined) hb.h = m.h
      if (m.w !== undefined) hb.w = m.w
      if (m.d === 1) hb.d = true
      return hb
    }
    case 'ack': {
      if (!isId(m.id)) return null
      /** @type {Message} */
      const ack = { t: 'ack', id: m.id }
      if (m.k !== undefined) {
        if (!(isList(m.k) && m.k.length > 0 && m.k.every((/** @type {unknown} */ e) => isEntry(e, limits)))) return null
        ack.kept = m.k.map(entryFromWire)
      }
      if (m.n !== undefined) {
        if (!(isKeyList(m.n, limits) && m.n.length > 0)) return null
        ack.refused = m.n
      }
      return ack
    }
    case 'since':
      return isId(m.id) && isHlc(m.h) ? { t: 'since', id: m.id, h: m.h } : null
    case 'delta':
      return Number.isSafeInteger(m.n) && m.n >= 0 && m.n <= MAX_ITEMS * 100 ? { t: 'delta', n: m.n } : null
    case 'put':
    case 'got':
    case 'pub': {
      if (!isId(m.id) || !isList(m.r)) return null
      const records = []
      for (const r of m.r) {
        const rec = recordFromWire(r, limits)
        if (rec !== null) records.push(rec)
        else if (!(m.t === 'got' && isKeyOnly(r, limits))) return null
      }
      if (m.t !== 'got' || m.c === undefined) return { t: m.t, id: m.id, records }
      return Number.isInteger(m.c) && m.c >= 0 && m.c <= KEYS_PER_REQUEST ? { t: 'got', id: m.id, records, covered: m.c } : null
    }
    case 'scan': {
      const range = scanRangeFromWire(m.q, limits)
      const ok = isId(m.id) && range !== null && (m.r === 0 || m.r === 1) && Number.isInteger(m.n) && m.n >= 1 && m.n <= MAX_SCAN_PAGE
      return ok ? { t: 'scan', id: m.id, range, reverse: m.r === 1, count: m.n } : null
    }
    case 'scanned': {
      if (!isId(m.id) || !Array.isArray(m.r) || m.r.length > MAX_SCAN_PAGE || !(m.c === undefined || isBound(m.c, limits))) return null
      const records = []
      for (const r of m.r) {
        const rec = recordFromWire(r, limits)
        if (rec === null) return null
        records.push(rec)
      }
      return m.c === undefined ? { t: 'scanned', id: m.id, records } : { t: 'scanned', id: m.id, records, next: m.c }
    }
    case 'sub': {
      const ok =
        isId(m.id) &&
        Array.isArray(m.k) && m.k.length <= MAX_SUBSCRIBED_KEYS && isKeyList(m.k, limits) &&
        Array.isArray(m.p) && m.p.length <= MAX_SUBSCRIBED_PREFIXES && m.p.every((/** @type {unknown} */ p) => isBound(p, limits)) &&
        Number.isInteger(m.l) && m.l >= 1 && m.l <= MAX_LEASE_MS &&
        (m.s === undefined || isHlc(m.s))
      if (!ok) return null
      /** @type {Message} */
      const msg = { t: 'sub', id: m.id, keys: m.k, prefixes: m.p, lease: m.l }
      if (m.s !== undefined) msg.since = m.s
      return msg
    }
    case 'get':
    case 'has':
      return isId(m.id) && isKeyList(m.k, limits) && m.k.length <= KEYS_PER_REQUEST ? { t: m.t, id: m.id, keys: m.k } : null
    case 'had':
      return isId(m.id) && isList(m.e) && m.e.every((/** @type {unknown} */ e) => isEntry(e, limits)) && isMs(m.s)
        ? { t: 'had', id: m.id, entries: m.e.map(entryFromWire), inSyncSince: m.s }
        : null
    case 'sum':
      return isBucketList(m.b) && m.b.every(isSummary)
        ? { t: 'sum', buckets: m.b.map((/** @type {any[]} */ b) => ({ bits: b[0], prefix: b[1], counts: b[2], digests: b[3] })) }
        : null
    case 'ent':
      return isBucketList(m.b) && m.b.every((/** @type {unknown} */ b) => isEntryBucket(b, limits))
        ? {
            t: 'ent',
            buckets: m.b.map((/** @type {any[]} */ b) => ({
              bits: b[0],
              prefix: b[1],
              entries: b[2].map(entryFromWire)
            }))
          }
        : null
    case 'pull':
      return isKeyList(m.k, limits) &&
        isBucketList(m.b) &&
        m.b.every((/** @type {unknown} */ b) => Array.isArray(b) && b.length === 2 && isBucket(b[0], b[1]))
        ? { t: 'pull', keys: m.k, buckets: m.b.map((/** @type {number[]} */ b) => ({ bits: b[0], prefix: b[1] })) }
        : null
    case 'audit': {
      const entries = auditEntriesFromWire(m.e, limits)
      return isId(m.id) && isNonce(m.n) && entries !== null ? { t: 'audit', id: m.id, nonce: m.n, entries } : null
    }
    case 'proof': {
      const answers = proofAnswersFromWire(m.a, limits)
      return isId(m.id) && answers !== null ? { t: 'proof', id: m.id, answers } : null
    }
    default:
      return null
  }
}
