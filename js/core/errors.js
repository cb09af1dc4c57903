// PagingStorageError, the one error type the library raises, and the map
// from engine Status codes to it.

/**
 * PagingStorageError: every error the library raises, with a stable `.code`.
 *
 * Codes:
 *   INVALID_KEY       key is not a non-empty well-formed string, or too long
 *   INVALID_VALUE     value is not JSON-representable (undefined, function,
 *                     symbol, BigInt, cycle, non-finite number, non-plain
 *                     object), or too large
 *   INVALID_ARGUMENT  a malformed argument (options, a backup to import, ...)
 *   CORRUPT           stored bytes failed validation (checksum, lengths)
 *   CLOSED            the store was shut down
 *   OPEN_FAILED       the store could not open (see `.cause`)
 *   LOCKED            another instance (e.g. another tab) holds this
 *                     persistenceKey
 *   QUOTA_EXCEEDED    the disk budget (maxDiskPages) or the browser's quota
 *                     is full; what was saved before stays intact
 *   IO_ERROR          the storage backend failed otherwise
 *   BUSY              the operation cannot run in the current state
 *   TIMEOUT           peers did not answer in time (replicated())
 *   NOT_READY         (paging-storage/vue) an operation before initialize()
 *                     finished, or after shutdown()
 *   INTERNAL          an engine error that should not happen (a bug)
 */
/**
 * @typedef {'INVALID_KEY' | 'INVALID_VALUE' | 'INVALID_ARGUMENT' | 'CORRUPT' | 'CLOSED' | 'OPEN_FAILED'
 *   | 'LOCKED' | 'QUOTA_EXCEEDED' | 'IO_ERROR' | 'BUSY' | 'TIMEOUT' | 'NOT_READY' | 'INTERNAL'} ErrorCode
 */

export class PagingStorageError extends Error {
  /** @type {'PagingStorageError'} */
  name = 'PagingStorageError'

  /**
   * @param {ErrorCode} code
   * @param {string} message
   * @param {{ cause?: unknown, key?: string }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.code = code
    /** The key concerned, when there is one. @type {string | undefined} */
    if (extra.key !== undefined) this.key = extra.key
  }
}

/** Engine Status codes, mirrored from cpp/include/paging_storage/status.h
 *  (tests/js/unit/core/limits.test.js checks them against the wasm module). */
export const StatusCode = Object.freeze({
  OK: 0,
  NOT_FOUND: 1,
  CORRUPTION: 2,
  INVALID_ARGUMENT: 3,
  NOT_RESIDENT: 4,
  BUSY: 5,
  QUOTA: 100, // JavaScript only: a write refused for lack of space
  IO: 101 // JavaScript only: a write refused because the store cannot save
})

/**
 * The PagingStorageError for a non-OK engine status.
 * @param {number} code a StatusCode
 * @param {string} [message]
 * @param {string} [key] the key concerned, if any
 * @returns {PagingStorageError} CORRUPT, INVALID_ARGUMENT, BUSY,
 *   QUOTA_EXCEEDED, IO_ERROR, or INTERNAL for a code that should not reach the API
 */
export function errorFromStatus(code, message, key) {
  const text = message || 'engine error'
  switch (code) {
    case StatusCode.CORRUPTION:
      return new PagingStorageError('CORRUPT', text, { key })
    case StatusCode.INVALID_ARGUMENT:
      return new PagingStorageError('INVALID_ARGUMENT', text, { key })
    case StatusCode.BUSY:
      return new PagingStorageError('BUSY', text, { key })
    case StatusCode.QUOTA:
      return new PagingStorageError('QUOTA_EXCEEDED', text, { key })
    case StatusCode.IO:
      return new PagingStorageError('IO_ERROR', text, { key })
    default:
      return new PagingStorageError('INTERNAL', `${text} (status ${code})`, { key })
  }
}
