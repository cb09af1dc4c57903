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
  | 'TIMEOUT'
  | 'NOT_READY'
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
  constructor(persistenceKey: string, factory?: IDBFactory, durability?: 'strict' | 'relaxed')
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
  /** Disk page budget: past it, new values are refused with QUOTA_EXCEEDED. @default Infinity (no budget of its own: the browser's quota) */
  maxDiskPages?: number
  /** Storage key prefix / database name. @default 'paging_storage' */
  persistenceKey?: string
  /** Milliseconds between automatic saves of dirty pages; 0 disables. @default 30000 */
  autoSaveInterval?: number
  /** IndexedDB and file commits: 'strict' resolves flush() once the data is on disk; 'relaxed'
   *  (the browser's default) once the OS has it, faster, but an OS crash or power loss may lose
   *  the last flushes. @default 'strict' */
  durability?: 'strict' | 'relaxed'
  /** Pages of maxMemoryPages the write buffer may take (at most half, and 2 pages less than it):
   *  a write whose page is not in memory waits there instead of loading it, while that costs
   *  less page I/O (cpp/src/WRITE_PATH.md); 0 turns it off.
   *  @default half of maxMemoryPages from 8 pages on, else 0 */
  writeBufferPages?: number
  /** Where pages go: 'file' keeps them on disk under `dir` (Node only; a LevelDB database per
   *  persistenceKey, from the optional dependency classic-level). @default 'indexeddb' in
   *  browsers, 'memory' in Node */
  backend?: 'indexeddb' | 'localstorage' | 'memory' | 'file' | PersistenceBackend
  /** The directory the 'file' backend keeps its stores in (created if missing). */
  dir?: string
  /** Tabs of one browser profile share the store of a persistenceKey: one tab (elected with a
   *  Web Lock) holds it, the others forward their calls; false: a second tab gets LOCKED.
   *  @default true */
  shareTabs?: boolean
}

/** What a store needs from a network (see js/transport/). Messages are text. */
export interface Transport {
  readonly peerId: string
  /** Peers reachable now. */
  peers(): string[]
  send(peerId: string, data: string): void
  broadcast(data: string): void
  on(event: 'peer-joined' | 'peer-left', listener: (e: { peerId: string }) => void): () => void
  on(event: 'message', listener: (e: { from: string; data: string }) => void): () => void
  close(): void
}

/** The Transport over a PeerPigeonMesh the app created (after `init()`). */
export interface PeerPigeonTransport extends Transport {}
export class PeerPigeonTransport {
  constructor(mesh: unknown)
}

/** The Transport over a WebSocket to a server peer's hub (browsers: the global WebSocket; Node: the ws package). */
export interface WebSocketTransport extends Transport {}
export class WebSocketTransport {
  constructor(
    url: string,
    options: { peerId: string; WebSocket?: unknown; minBackoff?: number; maxBackoff?: number; idleTimeout?: number }
  )
  readonly url: string
  /** Whether the hub has welcomed the connection. */
  readonly connected: boolean
  readonly hubId: string | null
  /** Connections welcomed since construction. */
  readonly connections: number
  on(event: 'peer-joined' | 'peer-left', listener: (e: { peerId: string }) => void): () => void
  on(event: 'message', listener: (e: { from: string; data: string }) => void): () => void
  /** The hub welcomed the connection, or it was lost. */
  on(event: 'connection', listener: (e: { connected: boolean }) => void): () => void
}

/** Several transports as one: one membership, each peer reached by the first transport that reaches it. */
export interface CombinedTransport extends Transport {}
export class CombinedTransport {
  constructor(transports: Transport[], options?: { owned?: Iterable<Transport> })
  readonly transports: readonly Transport[]
}

/** An in-memory network for tests: seeded latency, loss, partitions, churn. */
export class SimulatedNetwork {
  constructor(options?: { seed?: number; latency?: [number, number]; loss?: number })
  loss: number
  readonly stats: { sent: number; delivered: number; lost: number; bytes: number }
  join(peerId: string): Transport
  leave(peerId: string): void
  partition(groups: string[][]): void
  heal(): void
  peerIds(): string[]
  reachable(a: string, b: string): boolean
  settled(): Promise<void>
}

export interface SyncOptions {
  /** ms between liveness broadcasts. @default 2000 */
  heartbeatInterval?: number
  /** A peer not heard from for this long leaves the ring. @default 7000 */
  peerTimeout?: number
  /** ms before an unacknowledged replication is sent again. @default 2000 */
  retryInterval?: number
  /** ms between digest comparisons with every peer; 0 disables. @default 30000 */
  antiEntropyInterval?: number
  /** ms a record may be stamped past this peer's wall clock: further in the future it is rejected, and this peer's clock never moves further ahead. @default 300000 (5 minutes) */
  maxClockDrift?: number
  /** Per-peer budget per second (bursts of twice that); bytes are counted as characters of the frames' text. @default { messages: 2000, bytes: 33554432 } */
  rateLimit?: { messages?: number; bytes?: number }
}

/** A write that changed the store, local or from a peer. */
export interface ChangeEvent {
  key: string
  /** undefined when deleted */
  value: JsonValue | undefined
  deleted: boolean
  /** the writer's peer id */
  origin: string
  /** the write's hybrid logical clock, 16 hex digits */
  hlc: string
}

export interface PagingStorageOptions {
  /** This peer's id, stamped on every write; with a pigeon or transport, theirs. @default with an IndexedDB or localStorage backend, 40 hex digits kept per persistenceKey in localStorage; else 40 random hex digits */
  peerId?: string
  /** A PeerPigeon mesh (after `init()`); without it (or a transport) the store is local-only. @default null */
  pigeon?: unknown
  /** Any Transport instead of a pigeon, or a list of transports (and meshes) used together: one membership, one ring. @default null */
  transport?: Transport | Array<Transport | unknown>
  /** Transports (or PeerPigeon meshes) used together, e.g. `[new PeerPigeonTransport(mesh), new WebSocketTransport(url, { peerId })]`: one membership, one ring; each peer is reached through the first transport that reaches it. @default null */
  transports?: Array<Transport | unknown>
  /** This peer's share of the ring: 'full' holds every key (a server peer's full replica), n takes about n times a weight-1 peer's share. @default 1 */
  ringWeight?: 'full' | number
  /** Acknowledge pushed writes only once they are on disk, and say so to peers (what `replicated({ durable: true })` waits for); needs a backend that keeps data, durability 'strict'. @default false */
  durableAcks?: boolean
  /** Server peers' ws:// or wss:// addresses (`npx paging-storage serve`), reached over WebSocket beside the pigeon or transport (or alone). Reconnects with backoff; offline while they are down. @default [] */
  servers?: string | string[]
  /** Copies of each key, on distinct peers. @default 3 */
  replicationFactor?: number
  /** Points per peer on the hash ring. @default 128 */
  virtualNodes?: number
  /** ms a routed read waits for the replicas. @default 3000 */
  readTimeout?: number
  /** ms a delete's tombstone is kept before garbage collection purges it (compact()). @default 604800000 (7 days) */
  tombstoneGracePeriod?: number
  sync?: SyncOptions
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
  /** At most this many entries (0: none). @default no limit */
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
    /** writes waiting in the write buffer for their page (persistence.writeBufferPages) */
    bufferedWrites: number
    /** pages of sorted runs of buffered writes, not yet merged into the pages (counted in totalPages) */
    runPages: number
    /** runs of buffered writes merged with each other since the store opened (tiered merging) */
    runMerges: number
    pageLoads: number
    flushes: number
    lastSave: number | null
    maxCachePages: number
    /** keys whose last remote answer (a routed read, or a change pushed to a watch) is remembered here, for reads no peer answers */
    remoteRecords: number
    /** the bytes they count against maxCachePages × pageSize, and the pages they take in the cache's backend */
    remoteBytes: number
    remotePages: number
    maxDiskPages: number
    /** totalPages / maxDiskPages (0 without a budget) */
    diskPressure: number
    /** a save failed for lack of space; new values are refused until one succeeds */
    quotaBlocked: boolean
  }
  dht: {
    enabled: boolean
    peers: number
    virtualNodes: number
    replicationFactor: number
    /** live keys held here whose first replica this peer is */
    ownedKeys: number
    /** live keys held here as another replica */
    replicaKeys: number
    /** std-dev / mean of the ring share per peer */
    loadStdDev: number
    isLoadBalanced: boolean
  }
  sync: {
    pendingReplications: number
    /** frames received / sent */
    messagesIn: number
    messagesOut: number
    /** characters of those frames */
    bytesIn: number
    bytesOut: number
    rejected: number
    /** rejections by reason */
    rejectedWhy: Record<string, number>
    /** records peers pushed that this peer did not store, by reason: 'records of keys not replicated here' (beyond replicationFactor + 2 of its ring's replicas), "peers' records fill their share of the disk budget" (90% of maxDiskPages; only tombstones of keys held here pass) */
    refusedWhy: Record<string, number>
    /** peers taken out of this peer's ring for now: they left what they were sent unacknowledged, or audits unanswered (8 sends over at least 8 retry intervals and 4 peer timeouts: back after 10 peer timeouts), or failed an audit (a wrong proof, or a record they acknowledged not held: back after an hour) */
    excludedPeers: number
    /** characters of incomplete fragmented messages held for peers (at most 2 whole messages per peer and 4 in all; each expires after 4 x readTimeout) */
    partialChars: number
    /** messages this peer did not send: past a peer's outgoing budget (`sync.rateLimit`, as for incoming messages); the asker asks again, replications are resent */
    throttled: number
    /** writes made here stamped again because a replica kept a newer version they were made without seeing (a concurrent write, or one stamped ahead in time within `maxClockDrift`) */
    restamped: number
    /** replica audits (the proof that a replica holds what it acknowledged): `sent` audits of other
     *  replicas, of which `passed` and `failed` (a failure excludes the replica); `answered`: other
     *  peers' audits of this one */
    audits: { sent: number; passed: number; failed: number; answered: number }
    /** subscriptions for watch()/useKey/useRange: `watching` peers hold a
     *  confirmed lease for this store, which watches `keys` keys and
     *  `prefixes` prefixes; `subscribers` peers subscribe here; pubs are
     *  the change messages received / sent */
    /** writes made here known to be held by fewer than replicationFactor peers (the ring is smaller, or they did not answer yet) */
    underReplicated: number
    subscriptions: { watching: number; keys: number; prefixes: number; subscribers: number; pubsIn: number; pubsOut: number }
  }
  queue: number
}

export interface Progress {
  task: 'import' | 'catch-up' | 'range'
  done: number
  total: number
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

/** One key of a backup: a live key with its value, or a deleted key (a tombstone, no value). */
export type ExportedEntry =
  | { key: string; value: JsonValue; deleted?: undefined; hlc?: string; origin?: string }
  | { key: string; deleted: true; value?: undefined; hlc?: string; origin?: string }

export interface ExportedData {
  peerId: string
  exportedAt: string
  /** Live keys (data also lists deleted keys) */
  totalKeys: number
  data: ExportedEntry[]
}

export interface PeerShare {
  peerId: string
  /** This peer. */
  self: boolean
  /** Directly connected (always true for this peer). */
  connected: boolean
  /** Fraction of the key space it replicates; the shares sum to min(replicationFactor, peers on the circle) plus one per full replica. */
  share: number
  /** Its ring weight: 0 a full replica (a server peer holding every key), else tokens per virtual node (1 for browsers). */
  weight: number
  /** Whether it acknowledges writes only once they are on its disk (a server peer). */
  durable: boolean
}

/** What watch() accepts: a key prefix, { prefix } or exactly { key }. */
export type WatchTarget = string | { key: string } | { prefix: string }
/** The predicate of a watch target. Throws INVALID_ARGUMENT on anything else. */
export function keyMatcher(target: WatchTarget): (key: string) => boolean
/** The store's key order (Unicode code points, i.e. UTF-8 bytes): negative, zero or positive. */
export function compareKeys(a: string, b: string): number

export class PagingStorage {
  constructor(options?: PagingStorageOptions)
  readonly peerId: string
  /** Resolves once the wasm module and persisted data are loaded. */
  readonly ready: Promise<void>
  /** The peer id a store made with these options has (the kept one for a browser backend's persistenceKey). */
  static peerIdFor(options?: PagingStorageOptions): string
  /** 'local': alone on its persistenceKey; 'leader': this tab holds the store its tabs share; 'follower': another tab does. */
  readonly role: 'local' | 'leader' | 'follower'
  /** Whether a network is attached (a pigeon or transport option, or attach()). */
  readonly attached: boolean
  /** Attaches a PeerPigeon mesh (after init(), connected or not) or a Transport whose peer id is this store's. @throws PagingStorageError INVALID_ARGUMENT, CLOSED */
  attach(network: unknown): void
  /** Detaches the network; the store goes on offline. */
  detach(): void

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
  /** Purges tombstones older than tombstoneGracePeriod and merges the pages they leave half empty (also on a timer). */
  compact(): Promise<{ purged: number; pages: number }>
  clearCache(): Promise<number>
  flush(): Promise<void>
  shutdown(): Promise<void>

  /** The peers holding key under the current ring, in ring order. */
  replicasFor(key: string | number): string[]
  /** The ring's members (this peer included) and the fraction of the key space each replicates. */
  getPeerDistribution(): PeerShare[]
  /** Resolves once every write so far is acknowledged by its replicas (and, with `copies`, held by that
   *  many peers), with the fewest copies of any write made here (1: on this device only); rejects with TIMEOUT. */
  replicated(options?: { timeout?: number; copies?: number; durable?: boolean }): Promise<{ copies: number; replicationFactor: number }>
  /** Change events for keys with a prefix, or exactly one key. @returns unsubscribe */
  watch(target: WatchTarget, listener: (e: ChangeEvent) => void): () => void

  on(event: 'error', listener: (error: PagingStorageError | Error) => void): () => void
  on(event: 'change', listener: (e: ChangeEvent) => void): () => void
  /** This tab took the shared store over ('leader'). */
  on(event: 'role', listener: (role: 'leader' | 'follower') => void): () => void
  /** Long work under way: 'import' (entries written), 'catch-up' (records a joining or returning peer
   *  received, of those its peers announced), 'range' (peers done answering a ring-wide range). */
  on(event: 'progress', listener: (p: Progress) => void): () => void
  off(event: 'error', listener: (error: PagingStorageError | Error) => void): void
  off(event: 'change', listener: (e: ChangeEvent) => void): void
  off(event: 'role', listener: (role: 'leader' | 'follower') => void): void
  off(event: 'progress', listener: (p: Progress) => void): void
}
