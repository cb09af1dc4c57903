// Chooses the persistence backend an options object names.
import { PagingStorageError } from '../core/errors.js'
import { storeName } from './backend.js'
import { FileBackend, inNode } from './file.js'
import { IndexedDBBackend } from './indexeddb.js'
import { LocalStorageBackend } from './localstorage.js'
import { MemoryBackend } from './memory.js'

const REQUIRED = ['loadManifest', 'readPages', 'writeBatch', 'clear', 'close']

/**
 * @param {{ backend?: unknown }} persistence
 * @returns {unknown} the backend option, or the default: 'indexeddb' where IndexedDB exists, else 'memory'
 */
export function backendChoice(persistence) {
  return persistence.backend ?? (globalThis.indexedDB ? 'indexeddb' : 'memory')
}

/**
 * The name every tab and every reopening reaches the backend's data by.
 * @param {{ backend?: unknown, persistenceKey: string }} persistence
 * @returns {string | null} for IndexedDB and localStorage, and a backend
 *   object with a `name`; null for the memory backend (nothing outlives it)
 */
export function sharedBackendName(persistence) {
  const choice = /** @type {any} */ (backendChoice(persistence))
  if (choice === 'indexeddb' || choice === 'localstorage') return storeName(persistence.persistenceKey)
  return typeof choice?.name === 'string' && choice.name !== '' ? choice.name : null
}

/**
 * The backend options.persistence.backend names:
 *   'indexeddb'     IndexedDBBackend (the default where IndexedDB exists)
 *   'localstorage'  LocalStorageBackend (small data sets)
 *   'memory'        MemoryBackend (the default in Node)
 *   'file'          FileBackend under persistence.dir (Node only)
 *   an object       used as is; it must implement the interface in backend.js
 * @param {{ backend?: unknown, persistenceKey: string, durability?: 'strict' | 'relaxed', dir?: string }} persistence
 * @returns {import('./backend.js').Backend}
 * @throws {PagingStorageError} INVALID_ARGUMENT
 */
export function createBackend(persistence) {
  const choice = backendChoice(persistence)
  if (choice === 'memory') return new MemoryBackend()
  if (choice === 'file') return new FileBackend(fileDir(persistence), persistence.persistenceKey, persistence.durability)
  if (choice === 'indexeddb') return new IndexedDBBackend(persistence.persistenceKey, undefined, persistence.durability)
  if (choice === 'localstorage') return new LocalStorageBackend(persistence.persistenceKey)
  if (choice !== null && typeof choice === 'object') {
    const missing = REQUIRED.filter((m) => typeof choice[m] !== 'function')
    if (missing.length > 0) {
      throw new PagingStorageError('INVALID_ARGUMENT', `persistence.backend lacks ${missing.join(', ')}`)
    }
    return /** @type {import('./backend.js').Backend} */ (choice)
  }
  throw new PagingStorageError(
    'INVALID_ARGUMENT',
    `unknown persistence.backend ${JSON.stringify(choice)} (use 'indexeddb', 'localstorage', 'memory', 'file' or a backend object)`
  )
}

/**
 * Where the remote cache (js/sync/remote-cache.js) of a store persists:
 * beside the store's data, under `<persistenceKey>:remote-cache`, for the
 * IndexedDB, localStorage and file backends; null (memory only) for the
 * memory backend and a backend object (this library cannot make a second one).
 * @param {{ backend?: unknown, persistenceKey: string, durability?: 'strict' | 'relaxed', dir?: string }} persistence
 * @returns {import('./backend.js').Backend | null}
 */
export function createCacheBackend(persistence) {
  const choice = backendChoice(persistence)
  const key = `${persistence.persistenceKey}:remote-cache`
  // Relaxed: the cache is a cache; a crash may take its last save.
  if (choice === 'indexeddb') return new IndexedDBBackend(key, undefined, 'relaxed')
  if (choice === 'localstorage') return new LocalStorageBackend(key)
  if (choice === 'file') return new FileBackend(fileDir(persistence), key, 'relaxed')
  return null
}

/**
 * @param {{ dir?: string }} persistence
 * @returns {string} the directory of the file backend
 * @throws {PagingStorageError} INVALID_ARGUMENT outside Node, or without a dir
 */
function fileDir(persistence) {
  if (!inNode()) throw new PagingStorageError('INVALID_ARGUMENT', "persistence.backend 'file' needs Node (its file system)")
  if (typeof persistence.dir !== 'string' || persistence.dir === '') {
    throw new PagingStorageError('INVALID_ARGUMENT', "persistence.backend 'file' needs persistence.dir, the directory to keep the data in")
  }
  return persistence.dir
}
