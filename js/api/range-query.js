// Range queries as the API takes them (range(), keys()), checked before
// anything is queued: bounds are well-formed strings (they are compared as
// keys), limit a whole number (absent or null: no limit; 0: nothing), scope
// 'ring' (the default: the whole ring's records when there are peers) or
// 'local' (this store's only).
import { PagingStorageError } from '../core/errors.js'

const BOUNDS = /** @type {const} */ (['gte', 'gt', 'lt', 'lte', 'prefix'])

/**
 * @param {unknown} query {gte?, gt?, lt?, lte?, prefix?, limit?, reverse?, scope?}
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
    if (!v.isWellFormed()) throw new PagingStorageError('INVALID_ARGUMENT', `range: ${name} contains a lone UTF-16 surrogate`)
    range[name] = v
  }
  const limit = q.limit
  if (limit !== undefined && limit !== null) {
    if (!Number.isSafeInteger(limit) || /** @type {number} */ (limit) < 0) {
      throw new PagingStorageError('INVALID_ARGUMENT', 'range: limit must be a whole number, 0 or more')
    }
    range.limit = /** @type {number} */ (limit)
  }
  range.reverse = Boolean(q.reverse)
  const scope = q.scope ?? 'ring'
  if (scope !== 'ring' && scope !== 'local') throw new PagingStorageError('INVALID_ARGUMENT', "range: scope must be 'ring' or 'local'")
  range.scope = scope
  return range
}
