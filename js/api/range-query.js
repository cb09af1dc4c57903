// Range queries as the API takes them (range(), keys()), checked before
// anything is queued: bounds are strings, limit a whole number.
import { PagingStorageError } from '../core/errors.js'

const BOUNDS = /** @type {const} */ (['gte', 'gt', 'lt', 'lte', 'prefix'])

/**
 * @param {unknown} query {gte?, gt?, lt?, lte?, prefix?, limit?, reverse?}
 * @returns {import('../engine/codec.js').KeyRange}
 * @throws {PagingStorageError} INVALID_ARGUMENT
 */
export function rangeQuery(query = {}) {
  if (query === null || typeof query !== 'object') {
    throw new PagingStorageError('INVALID_ARGUMENT', 'range expects a query object')
  }
  const q = /** @type {Record<string, unknown>} */ (query)
  /** @type {import('../engine/codec.js').KeyRange} */
  const range = {}
  for (const name of BOUNDS) {
    const v = q[name]
    if (v === undefined) continue
    if (typeof v !== 'string') throw new PagingStorageError('INVALID_ARGUMENT', `range: ${name} must be a string`)
    range[name] = v
  }
  const limit = q.limit ?? 0
  if (!Number.isInteger(limit) || /** @type {number} */ (limit) < 0) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'range: limit must be a whole number')
  }
  range.limit = /** @type {number} */ (limit)
  range.reverse = Boolean(q.reverse)
  return range
}
