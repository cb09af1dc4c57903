// PagingStorage options: the seed's names and defaults, checked once.
import { PagingStorageError } from './errors.js'

export const DEFAULTS = Object.freeze({
  pageSize: 4096,
  maxCachePages: 100,
  splitThreshold: 0.8,
  mergeThreshold: 0.2,
  maxKeyBytes: 1024,
  maxValueBytes: 1024 * 1024,
  persistence: Object.freeze({
    maxMemoryPages: 50,
    maxDiskPages: 500,
    persistenceKey: 'paging_storage',
    autoSaveInterval: 30000,
    backend: undefined
  })
})

function randomPeerId() {
  const bytes = new Uint8Array(20)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

function whole(name, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PagingStorageError(
      'INVALID_ARGUMENT',
      `option ${name} must be a whole number from ${min} to ${max}, got ${value}`
    )
  }
  return value
}

/**
 * A threshold as bytes: a fraction of pageSize (0 < t <= 1, the seed's
 * "80%") or a byte count (the seed's `splitThreshold: 3276`).
 */
function threshold(name, value, pageSize) {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new PagingStorageError('INVALID_ARGUMENT', `option ${name} must be a positive number`)
  }
  const bytes = value <= 1 ? Math.floor(pageSize * value) : value
  return whole(name, bytes, 1, pageSize)
}

/** @returns the normalized options; throws PagingStorageError. */
export function normalizeOptions(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new PagingStorageError('INVALID_ARGUMENT', 'options must be an object')
  }
  const p = { ...DEFAULTS.persistence, ...(options.persistence ?? {}) }
  const pageSize = whole('pageSize', options.pageSize ?? DEFAULTS.pageSize, 256, 16 << 20)
  const o = {
    peerId: options.peerId ?? randomPeerId(),
    pigeon: options.pigeon ?? null,
    pageSize,
    maxCachePages: whole('maxCachePages', options.maxCachePages ?? DEFAULTS.maxCachePages, 0, 1e9),
    splitThreshold: threshold('splitThreshold', options.splitThreshold ?? DEFAULTS.splitThreshold, pageSize),
    mergeThreshold: threshold('mergeThreshold', options.mergeThreshold ?? DEFAULTS.mergeThreshold, pageSize),
    maxKeyBytes: whole('maxKeyBytes', options.maxKeyBytes ?? DEFAULTS.maxKeyBytes, 1, 64 * 1024),
    maxValueBytes: whole('maxValueBytes', options.maxValueBytes ?? DEFAULTS.maxValueBytes, 1, 64 << 20),
    persistence: {
      maxMemoryPages: whole('persistence.maxMemoryPages', p.maxMemoryPages, 1, 1e9),
      maxDiskPages: whole('persistence.maxDiskPages', p.maxDiskPages, 1, 1e12),
      persistenceKey: p.persistenceKey,
      autoSaveInterval: whole('persistence.autoSaveInterval', p.autoSaveInterval, 0, 2 ** 31 - 1),
      backend: p.backend
    }
  }
  if (typeof o.peerId !== 'string' || o.peerId.length === 0 || o.peerId.length > 255) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'option peerId must be a string of 1 to 255 characters')
  }
  if (typeof o.persistence.persistenceKey !== 'string' || o.persistence.persistenceKey === '') {
    throw new PagingStorageError('INVALID_ARGUMENT', 'option persistence.persistenceKey must be a non-empty string')
  }
  if (o.mergeThreshold >= o.splitThreshold) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'mergeThreshold must be below splitThreshold')
  }
  return o
}
