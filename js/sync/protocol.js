// The peer-to-peer protocol: every message between stores, as JSON text.
// Everything a peer sends is untrusted: decode() validates the schema and
// every size before anything acts on a message, and returns null (the caller
// counts a rejection) instead of throwing.
//
// Version 1. Every message is an object {v: 1, t: type, ...}:
//   hb    {h?}                                heartbeat, broadcast (liveness);
//                                             h: the sender's clock (HLC)
//   put   {id, r: [record...]}                replicate records; answered by ack
//   ack   {id}                                the put `id` was applied
//   get   {id, k: [key...]}                   routed read; answered by got
//   got   {id, r: [record | [key]]}           [key] alone: not stored here
//   sum   {b: [[bits, prefix, counts[16], digests[16]]...]}
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
//   frag  {id, i, n, d}                       part i of n of a longer message
// record := [key, hlc (16 hex digits), origin, tomb (0|1), json | null]
//
// Sizes: a message's text is split into frags of at most FRAGMENT_CHARS
// UTF-16 units (<= 3 bytes each in UTF-8: below 200 KB on the wire).
import { utf8Length } from '../values.js'

export const PROTOCOL_VERSION = 1
export const FRAGMENT_CHARS = 60000
// Deepest level of the anti-entropy tree (bits of the key token).
export const MAX_BUCKET_BITS = 24

const HEX16 = /^[0-9a-f]{16}$/
const ZERO_HLC = '0000000000000000'
const MAX_ORIGIN = 255
const MAX_ITEMS = 100000

/** Limits a decoder enforces; from the store's options. */
export function protocolLimits(opts) {
  return {
    maxKeyBytes: opts.maxKeyBytes,
    maxValueBytes: opts.maxValueBytes,
    // A whole message (after reassembly): the largest value plus room.
    maxMessageChars: Math.max(opts.maxValueBytes * 2, 4 * FRAGMENT_CHARS) + 65536,
    // Escaping can shrink a piece to a sixth of FRAGMENT_CHARS.
    maxFragments: 6 * Math.ceil((Math.max(opts.maxValueBytes * 2, 4 * FRAGMENT_CHARS) + 65536) / FRAGMENT_CHARS)
  }
}

/** @returns {string[]} the frames carrying `msg` (one unless it is long). */
export function encode(msg, nextFragmentId) {
  const text = JSON.stringify({ v: PROTOCOL_VERSION, ...msg })
  if (text.length <= FRAGMENT_CHARS) return [text]
  // Pieces are cut so that each stays within FRAGMENT_CHARS once escaped
  // as a JSON string (quotes and backslashes double in length).
  const pieces = []
  for (let at = 0; at < text.length; ) {
    let size = Math.min(FRAGMENT_CHARS - 64, text.length - at)
    let piece = text.slice(at, at + size)
    while (JSON.stringify(piece).length > FRAGMENT_CHARS - 64) {
      size = Math.floor(size / 2)
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

/** Parses one frame; null when it is not a well-formed frame of ours. */
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
  return validate(m, limits)
}

/** Validates a whole message (a frame, or reassembled text). */
export function decode(text, limits) {
  const m = parseEnvelope(text, limits.maxMessageChars)
  return m === null || m.t === 'frag' ? null : validate(m, limits)
}

/** The JSON object {v: PROTOCOL_VERSION, ...} in text of at most maxChars, or null. */
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

function validate(m, limits) {
  switch (m.t) {
    case 'hb':
      return m.h === undefined || (typeof m.h === 'string' && HEX16.test(m.h)) ? m : null
    case 'ack':
      return isId(m.id) ? m : null
    case 'put':
      return isId(m.id) && isList(m.r) && m.r.every((r) => isRecord(r, limits)) ? m : null
    case 'get':
      return isId(m.id) && isList(m.k) && m.k.every((k) => isKey(k, limits)) ? m : null
    case 'got':
      return isId(m.id) && isList(m.r) && m.r.every((r) => isRecord(r, limits) || (isKeyOnly(r, limits))) ? m : null
    case 'sum':
      return isList(m.b) && m.b.every(isSummary) ? m : null
    case 'ent':
      return isList(m.b) && m.b.every((b) => isEntryBucket(b, limits)) ? m : null
    case 'since':
      return isId(m.id) && typeof m.h === 'string' && HEX16.test(m.h) ? m : null
    case 'pull':
      return (
        isList(m.k) && m.k.every((k) => isKey(k, limits)) &&
        isList(m.b) && m.b.every((b) => Array.isArray(b) && b.length === 2 && isBucket(b[0], b[1]))
      ) ? m : null
    default:
      return null
  }
}

function isId(id) {
  return Number.isSafeInteger(id) && id >= 0
}

function isList(a) {
  return Array.isArray(a) && a.length <= MAX_ITEMS
}

export function isKey(k, limits) {
  return (
    typeof k === 'string' &&
    k.length > 0 &&
    k.length <= limits.maxKeyBytes &&
    k.isWellFormed() &&
    utf8Length(k) <= limits.maxKeyBytes
  )
}

function isKeyOnly(r, limits) {
  return Array.isArray(r) && r.length === 1 && isKey(r[0], limits)
}

function isVersion(hlc, origin) {
  return (
    typeof hlc === 'string' && HEX16.test(hlc) && hlc !== ZERO_HLC &&
    typeof origin === 'string' && origin.length > 0 && origin.length <= MAX_ORIGIN && origin.isWellFormed()
  )
}

/** [key, hlc, origin, tomb, json|null]; a live value must be JSON text. */
function isRecord(r, limits) {
  if (!Array.isArray(r) || r.length !== 5) return false
  const [key, hlc, origin, tomb, json] = r
  if (!isKey(key, limits) || !isVersion(hlc, origin)) return false
  if (tomb === 1) return json === null
  if (tomb !== 0 || typeof json !== 'string' || json.length === 0) return false
  if (json.length > limits.maxValueBytes || utf8Length(json) > limits.maxValueBytes) return false
  try {
    JSON.parse(json)
    return true
  } catch {
    return false
  }
}

function isBucket(bits, prefix) {
  return (
    Number.isInteger(bits) && bits >= 0 && bits <= MAX_BUCKET_BITS && bits % 4 === 0 &&
    Number.isInteger(prefix) && prefix >= 0 && prefix < 2 ** bits
  )
}

function isSummary(b) {
  return (
    Array.isArray(b) && b.length === 4 && isBucket(b[0], b[1]) && b[0] < MAX_BUCKET_BITS &&
    Array.isArray(b[2]) && b[2].length === 16 && b[2].every((c) => Number.isSafeInteger(c) && c >= 0) &&
    Array.isArray(b[3]) && b[3].length === 16 && b[3].every((d) => typeof d === 'string' && HEX16.test(d))
  )
}

function isEntryBucket(b, limits) {
  return (
    Array.isArray(b) && b.length === 3 && isBucket(b[0], b[1]) && isList(b[2]) &&
    b[2].every(
      (e) => Array.isArray(e) && e.length === 4 && isKey(e[0], limits) && isVersion(e[1], e[2]) && (e[3] === 0 || e[3] === 1)
    )
  )
}

/** Orders versions like the engine: by hlc, then origin (byte order). */
export function compareVersions(aHlc, aOrigin, bHlc, bOrigin) {
  if (aHlc !== bHlc) return aHlc < bHlc ? -1 : 1
  if (aOrigin === bOrigin) return 0
  return compareUtf8(aOrigin, bOrigin)
}

/** Byte order of the UTF-8 encodings (what the engine compares). */
export function compareUtf8(a, b) {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.codePointAt(i)
    let y = b.codePointAt(i)
    if (x !== y) return x < y ? -1 : 1
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

/** The smallest 16-hex-digit HLC at wall-clock time ms. */
export function hlcAtWallMs(ms) {
  return Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0') + '0000'
}

/** Wall-clock milliseconds of a 16-hex-digit HLC. */
export function hlcWallMs(hlc) {
  return parseInt(hlc.slice(0, 12), 16)
}
