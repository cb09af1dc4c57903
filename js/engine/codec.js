// The engine calls' byte formats, one encode or decode per production of
// wasm/wire_format.h (the grammar; its C++ side is wasm/wire_codec.cc).
// Change both together. Everything here is synchronous and pure: values in,
// bytes out, or bytes in, values out. Input bytes come from our own wasm
// module, so decoders trust their shape.
import { StatusCode } from '../core/errors.js'
import { Reader, Writer } from './wire.js'

/** wire `op` types. */
const OP_PUT = 0
const OP_DELETE = 1
const OP_MERGE = 2
const OP_FORGET = 3
const OP_TOMBSTONE = 4
const OP_RESTAMP = 5
/** wire `result` flags. */
const EXISTED = 1
const APPLIED = 2
const HAS_VERSION = 4
const BUFFERED = 8
const OTHER_VALUE = 16
/** wire `scan` flags. */
const HAS_END = 1
const REVERSE = 2
const TOMBSTONES = 4

const encoder = new TextEncoder()

/**
 * A write as the store hands it to the engine.
 * @typedef {{ type: 'put', key: string, json: string }
 *   | { type: 'delete', key: string, always?: boolean }
 *   | { type: 'merge', key: string, hlc: string, origin: string, deleted: boolean, json: string | null }
 *   | { type: 'forget', key: string, hlc: string, origin: string }
 *   | { type: 'restamp', key: string, hlc: string, origin: string, after: string, deleted: boolean, json: string | null }} WriteOp
 * delete: a tombstone when a live value is here; with `always`, a tombstone
 * in any case (with peers the key may live at its replicas).
 * forget: remove the key's record if its version is exactly (hlc, origin),
 * leaving no tombstone (applied: it was removed; existed: it was live).
 * restamp: if the key's version is exactly (hlc, origin), stamp the same
 * value (or tombstone) again with a local version past `after` (an hlc;
 * the clock moves past it within maxClockDrift): a replica kept a newer
 * version than this peer's write (WriteOp::Type::kRestamp). Its deleted and
 * json are the record's (for what the store announces), not sent.
 */

/**
 * What one write did (wire `result`). hlc/origin: the version now stored,
 * when asked for and applied; origin is the local peer id for local writes.
 * page: with code NOT_RESIDENT, the page the skipped write waits for.
 * buffered: a put the engine's write path took without reading its key
 * (cpp/src/WRITE_PATH.md): `existed` is unknown, reported false.
 * otherValue: a merge of the version stored, with another value (an
 * equivocated version: the stored record is kept).
 * @typedef {{ code: number, existed: boolean, applied: boolean, buffered?: boolean, otherValue?: boolean,
 *             hlc?: string, origin?: string, message?: string, page?: number }} WriteResult
 */

/**
 * Appends wire `op`s.
 * @param {import('./wire.js').Writer} w
 * @param {WriteOp} op
 */
export function encodeOp(w, op) {
  switch (op.type) {
    case 'put':
      w.byte(OP_PUT)
      w.string(op.key)
      w.string(op.json)
      return
    case 'delete':
      w.byte(op.always ? OP_TOMBSTONE : OP_DELETE)
      w.string(op.key)
      return
    case 'merge':
      w.byte(OP_MERGE)
      w.string(op.key)
      w.fixed64Hex(op.hlc)
      w.string(op.origin)
      w.byte(op.deleted ? 1 : 0)
      if (!op.deleted) w.string(/** @type {string} */ (op.json))
      return
    case 'forget':
      w.byte(OP_FORGET)
      w.string(op.key)
      w.fixed64Hex(op.hlc)
      w.string(op.origin)
      return
    case 'restamp':
      w.byte(OP_RESTAMP)
      w.string(op.key)
      w.fixed64Hex(op.hlc)
      w.string(op.origin)
      w.fixed64Hex(op.after)
  }
}

/**
 * Decodes wire `results`.
 * @param {Uint8Array} bytes
 * @param {boolean} withVersions decode versions (else skip them: cheaper)
 * @param {string} localPeer the origin "" stands for
 * @returns {{ code: number, overBudget: boolean, pages: number, next: number,
 *             missingPage: number, results: WriteResult[] }}
 */
export function decodeResults(bytes, withVersions, localPeer) {
  const r = new Reader(bytes)
  const code = r.byte()
  const overBudget = r.byte() === 1
  const pages = r.varint()
  const next = r.varint()
  const missingPage = r.varint()
  const results = new Array(r.varint())
  for (let i = 0; i < results.length; i++) {
    /** @type {WriteResult} */
    const res = { code: r.byte(), existed: false, applied: false }
    const flags = r.byte()
    res.existed = (flags & EXISTED) !== 0
    res.applied = (flags & APPLIED) !== 0
    if (flags & BUFFERED) res.buffered = true
    if (flags & OTHER_VALUE) res.otherValue = true
    if (flags & HAS_VERSION) {
      if (withVersions) {
        res.hlc = r.fixed64Hex()
        res.origin = r.string() || localPeer
      } else {
        r.skip(8)
        r.skipString()
      }
    }
    if (res.code === StatusCode.NOT_RESIDENT) res.page = r.varint()
    else if (res.code !== StatusCode.OK) res.message = r.string()
    results[i] = res
  }
  return { code, overBudget, pages, next, missingPage, results }
}

/**
 * wire `keys` (also `members`): count, then each string.
 * @param {import('./wire.js').Writer} w
 * @param {readonly string[]} keys
 */
export function encodeKeys(w, keys) {
  w.varint(keys.length)
  for (const k of keys) w.string(k)
}

/**
 * One key's answer to a read. OK: `json` (values) or `record` (looked);
 * NOT_RESIDENT: `page` to load; NOT_FOUND: nothing; other codes: `message`.
 * @typedef {{ code: number, json?: string, record?: import('../core/record.js').StoredRecord,
 *             page?: number, message?: string }} ReadAnswer
 */

/**
 * Decodes wire `values` (answers to `keys`).
 * @param {Uint8Array} bytes
 * @returns {{ overBudget: boolean, answers: ReadAnswer[] }}
 */
export function decodeValues(bytes) {
  const r = new Reader(bytes)
  const overBudget = r.byte() === 1
  const answers = new Array(r.varint())
  for (let i = 0; i < answers.length; i++) {
    const code = r.byte()
    if (code === StatusCode.OK) answers[i] = { code, json: r.string() }
    else answers[i] = notOk(r, code)
  }
  return { overBudget, answers }
}

/**
 * Decodes wire `looked` (answers to `keys`, records with versions).
 * @param {Uint8Array} bytes
 * @param {readonly string[]} keys the keys asked, in order
 * @returns {{ overBudget: boolean, answers: ReadAnswer[] }}
 */
export function decodeLooked(bytes, keys) {
  const r = new Reader(bytes)
  const overBudget = r.byte() === 1
  const answers = new Array(r.varint())
  for (let i = 0; i < answers.length; i++) {
    const code = r.byte()
    if (code === StatusCode.OK) {
      const hlc = r.fixed64Hex()
      const origin = r.string()
      const deleted = r.byte() === 1
      const json = deleted ? null : r.string()
      answers[i] = { code, record: { key: keys[i], hlc, origin, deleted, json } }
    } else {
      answers[i] = notOk(r, code)
    }
  }
  return { overBudget, answers }
}

/**
 * The tail of a per-key answer that is not OK.
 * @param {Reader} r
 * @param {number} code
 * @returns {ReadAnswer}
 */
function notOk(r, code) {
  if (code === StatusCode.NOT_RESIDENT) return { code, page: r.varint() }
  if (code === StatusCode.NOT_FOUND) return { code }
  return { code, message: r.string() }
}

/**
 * A key range as the store asks for it; bounds are keys (strings); limit:
 * at most this many records (absent: no limit). scope (not the engine's):
 * 'ring' asks the whole ring when there are peers (js/sync/ring-scans.js).
 * @typedef {{ gte?: string, gt?: string, lt?: string, lte?: string, prefix?: string,
 *             limit?: number, reverse?: boolean, tombstones?: boolean, scope?: 'local' | 'ring' }} KeyRange
 */

/**
 * wire `scan` for a range: start inclusive, end exclusive, as UTF-8 bytes.
 * x + 0x00 is the first key after x, so `gt` and `lte` turn into that;
 * a prefix ends before its successor (UTF-8 never holds 0xff, so adding one
 * to the last byte works).
 * @param {KeyRange} range
 * @returns {Uint8Array | null} the bytes, or null for a range that holds nothing (limit 0 too)
 */
export function encodeScan({ gte, gt, lt, lte, prefix, limit, reverse = false, tombstones = false }) {
  if (limit === 0) return null
  /** @type {Uint8Array} */
  let start = gte === undefined ? new Uint8Array(0) : encoder.encode(gte)
  if (gt !== undefined) start = maxBytes(start, withZero(encoder.encode(gt)))
  /** @type {Uint8Array | undefined} */
  let end = lt === undefined ? undefined : encoder.encode(lt)
  if (lte !== undefined) end = minBytes(end, withZero(encoder.encode(lte)))
  if (prefix !== undefined && prefix.length > 0) {
    const p = encoder.encode(prefix)
    start = maxBytes(start, p)
    end = minBytes(end, successor(p))
  }
  if (end !== undefined && compareBytes(start, end) >= 0) return null
  const flags = (end !== undefined ? HAS_END : 0) | (reverse ? REVERSE : 0) | (tombstones ? TOMBSTONES : 0)
  const w = new Writer(16 + start.length + (end?.length ?? 0))
  w.byte(flags)
  w.bytes(start)
  if (end !== undefined) w.bytes(end)
  w.varint(limit ?? 0) // the engine's 0: no limit
  return w.finish().slice()
}

/**
 * Decodes wire `scanned`. On NOT_RESIDENT, `resume` is the wire `scan` to
 * run after loading missingPage.
 * @param {Uint8Array} bytes
 * @returns {{ code: number, missingPage: number, resume: Uint8Array | null, message?: string,
 *             records: import('../core/record.js').StoredRecord[] }}
 */
export function decodeScanned(bytes) {
  const r = new Reader(bytes)
  const code = r.byte()
  let missingPage = 0
  let resume = null
  let message
  if (code === StatusCode.NOT_RESIDENT) {
    missingPage = r.varint()
    const start = r.pos
    const flags = r.byte()
    r.bytes()
    if (flags & HAS_END) r.bytes()
    r.varint()
    resume = bytes.slice(start, r.pos)
  } else if (code !== StatusCode.OK) {
    message = r.string()
  }
  const records = new Array(r.varint())
  for (let i = 0; i < records.length; i++) {
    const key = r.string()
    const deleted = (r.byte() & 1) !== 0
    const hlc = r.fixed64Hex()
    const origin = r.string()
    records[i] = { key, hlc, origin, deleted, json: deleted ? null : r.string() }
  }
  return { code, missingPage, resume, message, records }
}

/**
 * wire `records`: the directory records of a manifest.
 * @param {import('./wire.js').Writer} w
 * @param {readonly Uint8Array[]} records
 */
export function encodeRecords(w, records) {
  w.varint(records.length)
  for (const rec of records) w.bytes(rec)
}

/**
 * Decodes wire `flush`. Every Uint8Array is a copy of its own: backends may
 * keep them.
 * @param {Uint8Array} bytes
 * @returns {{ state: Uint8Array, pages: Array<{id: number, bytes: Uint8Array, record: Uint8Array}>,
 *             deleted: number[] }}
 */
export function decodeFlush(bytes) {
  const r = new Reader(bytes)
  const state = r.bytes().slice()
  const pages = new Array(r.varint())
  for (let i = 0; i < pages.length; i++) {
    const id = r.varint()
    const page = r.bytes().slice()
    pages[i] = { id, bytes: page, record: r.bytes().slice() }
  }
  const deleted = new Array(r.varint())
  for (let i = 0; i < deleted.length; i++) deleted[i] = r.varint()
  return { state, pages, deleted }
}

/**
 * Decodes wire `ids` (page ids).
 * @param {Uint8Array} bytes
 * @returns {number[]}
 */
export function decodeIds(bytes) {
  const r = new Reader(bytes)
  const ids = new Array(r.varint())
  for (let i = 0; i < ids.length; i++) ids[i] = r.varint()
  return ids
}

/**
 * Encodes wire `ids` (page ids).
 * @param {number[]} ids
 * @returns {Uint8Array}
 */
export function encodeIds(ids) {
  const w = new Writer(8 + ids.length * 4)
  w.varint(ids.length)
  for (const id of ids) w.varint(id)
  return w.finish()
}

/**
 * wire `purge`.
 * @param {{ horizon: string, want: number, start: string }} request horizon: an hlc (16 hex digits)
 * @returns {Uint8Array}
 */
export function encodePurgeRequest({ horizon, want, start }) {
  const w = new Writer(32 + start.length * 3)
  w.fixed64Hex(horizon)
  w.varint(want)
  w.string(start)
  return w.finish()
}

/**
 * Decodes wire `purged`.
 * @param {Uint8Array} bytes
 * @returns {{ code: number, purged: number, resume: string, missing: number[], message?: string }}
 *   code NOT_RESIDENT: load `missing` (the first is needed first), then purge again from `resume`
 */
export function decodePurged(bytes) {
  const r = new Reader(bytes)
  const code = r.byte()
  const purged = r.varint()
  /** @type {{ code: number, purged: number, resume: string, missing: number[], message?: string }} */
  const out = { code, purged, resume: '', missing: [] }
  if (code === StatusCode.NOT_RESIDENT) {
    out.resume = r.string()
    out.missing = new Array(r.varint())
    for (let i = 0; i < out.missing.length; i++) out.missing[i] = r.varint()
  } else if (code !== StatusCode.OK) {
    out.message = r.string()
  }
  return out
}

/**
 * Decodes wire `clock`.
 * @param {Uint8Array} bytes
 * @returns {string} the hlc, 16 hex digits
 */
export function decodeClock(bytes) {
  return new Reader(bytes).fixed64Hex()
}

/** @param {Uint8Array} bytes @returns {Uint8Array} bytes + 0x00 */
function withZero(bytes) {
  const out = new Uint8Array(bytes.length + 1)
  out.set(bytes)
  return out
}

/** @param {Uint8Array} bytes @returns {Uint8Array} the first byte string after every one starting with bytes */
function successor(bytes) {
  const out = bytes.slice()
  out[out.length - 1]++
  return out
}

/** @param {Uint8Array} a @param {Uint8Array} b @returns {number} */
function compareBytes(a, b) {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/** @param {Uint8Array} a @param {Uint8Array} b */
function maxBytes(a, b) {
  return compareBytes(a, b) >= 0 ? a : b
}

/** @param {Uint8Array | undefined} a @param {Uint8Array} b */
function minBytes(a, b) {
  if (a === undefined) return b
  return compareBytes(a, b) <= 0 ? a : b
}
