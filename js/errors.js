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
export class PagingStorageError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{ cause?: unknown, key?: string }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'PagingStorageError'
    this.code = code
    if (extra.key !== undefined) this.key = extra.key
  }
}

/** Engine Status codes (cpp/include/paging_storage/status.h). */
export const StatusCode = Object.freeze({
  OK: 0,
  NOT_FOUND: 1,
  CORRUPTION: 2,
  INVALID_ARGUMENT: 3,
  NOT_RESIDENT: 4,
  BUSY: 5,
  QUOTA: 100 // JavaScript only: a write refused for lack of space
})

/** The PagingStorageError for a non-OK engine status. */
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
    default:
      return new PagingStorageError('INTERNAL', `${text} (status ${code})`, { key })
  }
}
