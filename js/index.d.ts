// Types of the public API of paging-storage.

/** Any value JSON can carry unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export type PagingStorageErrorCode =
  | 'INVALID_KEY'
  | 'INVALID_VALUE'
  | 'INVALID_ARGUMENT'
  | 'CORRUPT'
  | 'CLOSED'
  | 'OPEN_FAILED'
  | 'LOCKED'
  | 'QUOTA_EXCEEDED'
  | 'IO_ERROR'
  | 'BUSY'
  | 'INTERNAL'

export class PagingStorageError extends Error {
  readonly name: 'PagingStorageError'
  readonly code: PagingStorageErrorCode
  /** The key concerned, when there is one. */
  readonly key?: string
  constructor(code: PagingStorageErrorCode, message: string, extra?: { cause?: unknown; key?: string })
}

/** The interface a persistence backend implements (all methods async). */
export interface PersistenceBackend {
  /** null for a store never flushed. */
  loadManifest(): Promise<{ state: Uint8Array; records: Uint8Array[] } | null>
  /** A page that is missing is absent from the map. */
  readPages(ids: number[]): Promise<Map<number, Uint8Array>>
  /** Atomic: after a crash, all of it or none of it is stored. */
  writeBatch(batch: {
    pages: Array<{ id: number; bytes: Uint8Array; record: Uint8Array }>
    deleted: number[]
    state: Uint8Array
  }): Promise<void>
  clear(): Promise<void>
  close(): Promise<void>
}

// The built-in backends: each class merges with an interface that gives it
// the PersistenceBackend methods.
export interface MemoryBackend extends PersistenceBackend {}
export class MemoryBackend {
  /** Pages stored, for stats and tests. */
  readonly pageCount: number
}

export interface IndexedDBBackend extends PersistenceBackend {}
export class IndexedDBBackend {
  constructor(persistenceKey: string, factory?: IDBFactory)
  /** The database name, also the Web Lock's name. */
  readonly name: string
}

export interface LocalStorageBackend extends PersistenceBackend {}
export class LocalStorageBackend {
  constructor(persistenceKey: string, storage?: Storage)
  /** The key prefix, also the Web Lock's name. */
  readonly name: string
}

export interface PersistenceOptions {
  /** Pages kept in memory (the LRU's capacity). @default 50 */
  maxMemoryPages?: number
  /** Disk page budget. @default 500 */
  maxDiskPages?: number
  /** Storage key prefix / database name. @default 'paging_storage' */
  persistenceKey?: string
  /** Milliseconds between automatic saves of dirty pages; 0 disables. @default 30000 */
  autoSaveInterval?: number
  /** Where pages go. @default 'indexeddb' in browsers, 'memory' in Node */
  backend?: 'indexeddb' | 'localstorage' | 'memory' | PersistenceBackend
}

export interface PagingStorageOptions {
  /** This peer's id, stamped on every write. @default 40 random hex digits */
  peerId?: string
  /** A PeerPigeon mesh; without it the store is local-only. @default null */
  pigeon?: unknown
  /** Page size in bytes. @default 4096 */
  pageSize?: number
  /** Max remote pages to cache. @default 100 */
  maxCachePages?: number
  /** Split above this: a fraction of pageSize, or bytes. @default 0.8 */
  splitThreshold?: number
  /** Merge below this: a fraction of pageSize, or bytes. @default 0.2 */
  mergeThreshold?: number
  /** Longest key, in UTF-8 bytes. @default 1024 */
  maxKeyBytes?: number
  /** Largest value, in UTF-8 bytes of its JSON text. @default 1048576 */
  maxValueBytes?: number
  persistence?: PersistenceOptions
}

export interface RangeQuery {
  gte?: string
  gt?: string
  lt?: string
  lte?: string
  prefix?: string
  /** 0: no limit. @default 0 */
  limit?: number
  /** @default false */
  reverse?: boolean
}

export interface StorageStats {
  ready: boolean
  peerId: string
  totalPages: number
  totalKeys: number
  tombstones: number
  bytes: number
  connectedPeers: number
  cache: {
    residentPages: number
    maxMemoryPages: number
    memoryPressure: number
    dirtyPages: number
    corruptPages: number
    pageLoads: number
    flushes: number
    lastSave: number | null
    maxCachePages: number
    maxDiskPages: number
    /** totalPages / maxDiskPages */
    diskPressure: number
    /** a save failed for lack of space; new values are refused until one succeeds */
    quotaBlocked: boolean
  }
  dht: { enabled: boolean; peers: number }
  queue: number
}

export interface PageSummary {
  id: number
  firstKey: string
  keyCount: number
  bytes: number
  resident: boolean
  dirty: boolean
  corrupt: boolean
  lastModified: number | null
}

export interface Diagnosis {
  ok: boolean
  state: string
  issues: string[]
  stats: StorageStats
  pages?: number
}

export interface ExportedData {
  peerId: string
  exportedAt: string
  totalKeys: number
  data: Array<{ key: string; value: JsonValue; hlc?: string; origin?: string }>
}

export class PagingStorage {
  constructor(options?: PagingStorageOptions)
  readonly peerId: string
  /** Resolves once the wasm module and persisted data are loaded. */
  readonly ready: Promise<void>

  set(key: string | number, value: JsonValue): Promise<void>
  get<T = JsonValue>(key: string | number): Promise<T | undefined>
  has(key: string | number): Promise<boolean>
  delete(key: string | number): Promise<boolean>
  setLocal(key: string | number, value: JsonValue): Promise<void>
  getLocal<T = JsonValue>(key: string | number): Promise<T | undefined>
  deleteLocal(key: string | number): Promise<boolean>
  setMany(
    entries: Iterable<readonly [string | number, JsonValue]> | Map<string | number, JsonValue>
  ): Promise<Array<{ key: string; success: boolean; error?: PagingStorageError }>>
  getMany(keys: Iterable<string | number>): Promise<Map<string, JsonValue | undefined>>
  range(query?: RangeQuery): Promise<Array<[string, JsonValue]>>
  keys(prefix?: string): Promise<string[]>

  getStats(): StorageStats
  listPages(): PageSummary[]
  diagnose(): Diagnosis

  exportData(): Promise<ExportedData>
  importData(
    backup: { data: ExportedData['data'] }
  ): Promise<Array<{ key: string; imported: boolean; error?: PagingStorageError; reason?: string }>>
  clearCache(): Promise<number>
  flush(): Promise<void>
  shutdown(): Promise<void>

  on(event: 'error', listener: (error: PagingStorageError | Error) => void): () => void
  off(event: 'error', listener: (error: PagingStorageError | Error) => void): void
}
