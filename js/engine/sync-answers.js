// Anti-entropy answers as values: the answers of an empty scan, and the
// merge of the partial answers a sync scan returns when it stops for a page
// (wasm/wire_format.h, `synced`: XOR the digests, add the counts,
// concatenate the entries). Pure; no bytes.
import { SYNC_CHILDREN } from '../core/limits.js'

/** @typedef {import('./sync-codec.js').SyncAnswer} SyncAnswer */
/** @typedef {import('./sync-codec.js').DigestAnswer} DigestAnswer */
/** @typedef {import('./sync-codec.js').EntriesAnswer} EntriesAnswer */
/** @typedef {import('./sync-codec.js').SyncQuery} SyncQuery */

/**
 * Merges the partial answers of one more stretch of a sync scan into `into`:
 * XOR digests, add counts, concatenate entries (wire_format.h, `synced`).
 * @param {SyncAnswer[]} into
 * @param {SyncAnswer[]} part same queries, same order
 */
export function mergeSyncAnswers(into, part) {
  part.forEach((a, i) => {
    const o = into[i]
    if ('entries' in o) {
      for (const e of /** @type {EntriesAnswer} */ (a).entries) o.entries.push(e)
      return
    }
    const d = /** @type {DigestAnswer} */ (a)
    for (let c = 0; c < SYNC_CHILDREN; c++) {
      o.counts[c] += d.counts[c]
      if (d.counts[c] > 0) o.digests[c] = xorHex(o.digests[c], d.digests[c])
    }
  })
}

/**
 * @param {readonly SyncQuery[]} queries
 * @returns {SyncAnswer[]} the answers of a scan over no records
 */
export function emptySyncAnswers(queries) {
  return queries.map((q) =>
    q.entries ? { entries: [] } : { counts: new Array(SYNC_CHILDREN).fill(0), digests: new Array(SYNC_CHILDREN).fill('0'.repeat(16)) }
  )
}

/**
 * @param {string} a 16 hex digits
 * @param {string} b 16 hex digits
 * @returns {string} a XOR b, 16 hex digits
 */
function xorHex(a, b) {
  const hi = (parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) >>> 0
  const lo = (parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16)) >>> 0
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0')
}
