// Bounded replies: what one request from a peer may cost this peer. A
// request names at most KEYS_PER_REQUEST keys; they are looked up a few at
// a time (LOOKUP_CHUNK: the memory held at once is that many values, not
// the request's), repeats count once, and the answer stops once it holds
// REPLY_CHARS characters of records (one value may take it past that):
// the asker asks again for the keys not covered. Before (issue 16), one
// 6 KB `get` naming a 1 MiB key 1,000 times grew wasm memory to 1 GB and
// answered 105 M characters.

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

/** Most keys one get or has names (a peer's asks are cut to this). */
export const KEYS_PER_REQUEST = 500
/** Characters of records past which an answer stops. */
export const REPLY_CHARS = 512 * 1024
/** Keys looked up at once. */
const LOOKUP_CHUNK = 8

/**
 * Characters a record takes on the wire (about).
 * @param {StoredRecord} r
 */
export function recordChars(r) {
  return r.key.length + (r.json?.length ?? 0) + r.origin.length + 32
}

/**
 * The records of `keys` held here, within the reply budget.
 * @param {(keys: string[]) => Promise<Array<StoredRecord | null>>} lookup
 * @param {readonly string[]} keys as the peer named them (repeats allowed)
 * @param {number} [budget] characters, REPLY_CHARS by default
 * @returns {Promise<{ records: StoredRecord[], covered: number }>} the
 *   records held of the first `covered` keys (each once); covered <
 *   keys.length: the budget ran out, ask again for the rest
 */
export async function lookupWithin(lookup, keys, budget = REPLY_CHARS) {
  /** @type {StoredRecord[]} */
  const records = []
  const seen = new Set()
  let chars = 0
  let at = 0
  while (at < keys.length) {
    /** @type {string[]} */
    const chunk = []
    /** @type {number[]} position after each chunk key in `keys` */
    const after = []
    for (; at < keys.length && chunk.length < LOOKUP_CHUNK; at++) {
      if (seen.has(keys[at])) continue
      seen.add(keys[at])
      chunk.push(keys[at])
      after.push(at + 1)
    }
    const found = chunk.length > 0 ? await lookup(chunk) : []
    for (let i = 0; i < found.length; i++) {
      const r = found[i]
      if (r === null) continue
      records.push(r)
      chars += recordChars(r)
      if (chars >= budget) return { records, covered: after[i] }
    }
  }
  return { records, covered: keys.length }
}
