// Batches in which every item stands alone (setMany, importData): an item
// that fails its check gets its error and stores nothing; the others go to
// the store together, in one write.
import { PagingStorageError, StatusCode, errorFromStatus } from '../core/errors.js'

/**
 * @typedef {{ key: string, error?: PagingStorageError,
 *             result?: import('../engine/codec.js').WriteResult }} ItemOutcome
 *   key: the item's key (as a string, for reporting); error: why it failed
 *   (its check, or the store's answer); result: the store's answer
 */

/**
 * @template T
 * @param {readonly T[]} items
 * @param {(item: T, i: number) => import('../store/local-store.js').StoreWrite} toOp
 *   throws a PagingStorageError for a bad item
 * @param {(item: T) => unknown} keyOf the item's key, for reporting a bad item
 * @param {(ops: import('../store/local-store.js').StoreWrite[]) =>
 *   Promise<import('../engine/codec.js').WriteResult[]>} write
 * @returns {Promise<ItemOutcome[]>} one per item, in order
 */
export async function writeEach(items, toOp, keyOf, write) {
  /** @type {ItemOutcome[]} */
  const out = new Array(items.length)
  const ops = []
  const slots = []
  items.forEach((item, i) => {
    try {
      const op = toOp(item, i)
      ops.push(op)
      slots.push(i)
      out[i] = { key: op.key }
    } catch (err) {
      const key = keyOf(item)
      out[i] = { key: typeof key === 'string' ? key : String(key), error: /** @type {PagingStorageError} */ (err) }
    }
  })
  const results = ops.length > 0 ? await write(ops) : []
  results.forEach((r, j) => {
    const slot = out[slots[j]]
    slot.result = r
    if (r.code !== StatusCode.OK) slot.error = errorFromStatus(r.code, r.message, slot.key)
  })
  return out
}

/**
 * setMany's entries. Each is checked alone (pairOf): a malformed entry
 * fails alone.
 * @param {unknown} entries an iterable of [key, value] pairs (not a string), or a Map
 * @returns {unknown[]}
 * @throws {PagingStorageError} INVALID_ARGUMENT when entries is not iterable
 */
export function entriesOf(entries) {
  if (entries instanceof Map) return [...entries]
  if (entries == null || typeof entries === 'string' || typeof (/** @type {any} */ (entries)[Symbol.iterator]) !== 'function') {
    throw new PagingStorageError('INVALID_ARGUMENT', 'setMany expects an iterable of [key, value] pairs, such as an array or a Map')
  }
  return [.../** @type {Iterable<unknown>} */ (entries)]
}

/**
 * @param {unknown} entry
 * @param {number} i its index, for the message
 * @returns {[unknown, unknown]}
 * @throws {PagingStorageError} INVALID_ARGUMENT unless a [key, value] pair
 */
export function pairOf(entry, i) {
  if (!Array.isArray(entry) || entry.length !== 2) {
    throw new PagingStorageError('INVALID_ARGUMENT', `setMany entry ${i} is not a [key, value] pair`)
  }
  return /** @type {[unknown, unknown]} */ (entry)
}
