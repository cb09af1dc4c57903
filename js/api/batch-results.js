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
 * @template [R=ItemOutcome]
 * @param {readonly T[]} items
 * @param {(item: T, i: number) => import('../store/local-store.js').StoreWrite} toOp
 *   throws a PagingStorageError for a bad item
 * @param {(item: T) => unknown} keyOf the item's key, for reporting a bad item
 * @param {(ops: import('../store/local-store.js').StoreWrite[]) =>
 *   Promise<import('../engine/codec.js').WriteResult[]>} write
 * @param {(key: string, error: PagingStorageError | undefined,
 *   result: import('../engine/codec.js').WriteResult | undefined, i: number) => R} [outcome]
 *   what to answer for item i (default: an ItemOutcome), called once per
 *   item, in order, once the store answered: callers build their answers
 *   without an ItemOutcome in between
 * @returns {Promise<R[]>} one per item, in order
 */
export async function writeEach(items, toOp, keyOf, write, outcome = /** @type {any} */ (itemOutcome)) {
  const n = items.length
  /** @type {string[]} */
  const keys = new Array(n)
  /** @type {Array<PagingStorageError | undefined>} */
  const errors = new Array(n)
  const ops = []
  const slots = []
  // forEach: the holes of a sparse array are skipped, and stay holes.
  items.forEach((item, i) => {
    try {
      const op = toOp(item, i)
      ops.push(op)
      slots.push(i)
      keys[i] = op.key
    } catch (err) {
      const key = keyOf(item)
      keys[i] = typeof key === 'string' ? key : String(key)
      errors[i] = /** @type {PagingStorageError} */ (err)
    }
  })
  const results = ops.length > 0 ? await write(ops) : []
  /** @type {R[]} */
  const out = new Array(n)
  for (let i = 0, j = 0; i < n; i++) {
    if (j < slots.length && slots[j] === i) {
      const r = results[j++]
      const error = r.code !== StatusCode.OK ? errorFromStatus(r.code, r.message, keys[i]) : undefined
      out[i] = outcome(keys[i], error, r, i)
    } else if (keys[i] !== undefined) {
      out[i] = outcome(keys[i], errors[i], undefined, i)
    }
  }
  return out
}

/**
 * @param {string} key
 * @param {PagingStorageError | undefined} error
 * @param {import('../engine/codec.js').WriteResult | undefined} result
 * @returns {ItemOutcome}
 */
function itemOutcome(key, error, result) {
  /** @type {ItemOutcome} */
  const o = { key }
  if (result !== undefined) o.result = result
  if (error !== undefined) o.error = error
  return o
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
