// The persistence interface every backend implements, and the one map from
// storage failures to PagingStorageError.
//
// Interface (all methods async; pages are immutable bytes keyed by id):
//   loadManifest() -> { state: Uint8Array, records: Uint8Array[] } | null
//       null for a store never flushed.
//   readPages(ids: number[]) -> Map<number, Uint8Array>
//       a missing page is absent from the map.
//   writeBatch({ pages: [{ id, bytes, record }], deleted: number[],
//                state: Uint8Array })
//       atomically: after a crash, either all of it or none of it is there.
//       The caller owns nothing it handed over: a backend may keep the arrays.
//   clear()   removes everything this backend stored
//   close()
//   name      (optional) a string naming the stored data, also the Web Lock's
//             name: one instance at a time may hold it
// Errors: a PagingStorageError, QUOTA_EXCEEDED when out of space, IO_ERROR
// otherwise (toStorageError).
import { PagingStorageError } from '../core/errors.js'

/**
 * @typedef {object} Backend
 * @property {() => Promise<{state: Uint8Array, records: Uint8Array[]} | null>} loadManifest
 * @property {(ids: number[]) => Promise<Map<number, Uint8Array>>} readPages
 * @property {(batch: {pages: Array<{id: number, bytes: Uint8Array, record: Uint8Array}>,
 *             deleted: number[], state: Uint8Array}) => Promise<void>} writeBatch
 * @property {() => Promise<void>} clear
 * @property {() => Promise<void>} close
 * @property {string} [name]
 */

/**
 * The name a browser backend stores a persistenceKey's data under (the
 * IndexedDB database, the localStorage key prefix); also the Web Lock and
 * the tabs' channel of the store.
 * @param {string} persistenceKey
 * @returns {string}
 */
export function storeName(persistenceKey) {
  return `paging-storage:${persistenceKey}`
}

/**
 * A storage failure as a PagingStorageError: QUOTA_EXCEEDED when out of
 * space, IO_ERROR otherwise.
 * @param {unknown} err
 * @param {string} what what was being done, for the message
 * @returns {PagingStorageError}
 */
export function toStorageError(err, what) {
  if (err instanceof PagingStorageError) return err
  const e = /** @type {any} */ (err)
  if (e && (e.name === 'QuotaExceededError' || e.code === 22)) {
    return new PagingStorageError('QUOTA_EXCEEDED', `${what}: the browser's storage quota is full`, { cause: err })
  }
  return new PagingStorageError('IO_ERROR', `${what}: ${e?.message ?? e}`, { cause: err })
}
