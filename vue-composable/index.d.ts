// Types of paging-storage/vue.
import type { MaybeRefOrGetter, Ref, ShallowRef } from 'vue'
import type {
  ChangeEvent,
  Diagnosis,
  ExportedData,
  JsonValue,
  PageSummary,
  PagingStorage,
  PagingStorageError,
  PagingStorageOptions,
  PeerShare,
  Progress,
  RangeQuery,
  StorageStats,
  WatchTarget
} from 'paging-storage'

export type { RangeQuery }

export interface UsePagingStorageOptions extends Omit<PagingStorageOptions, 'pigeon'> {
  /**
   * A PeerPigeonMesh (after init(), connected or not), or a ref/getter of one:
   * attached whenever it holds a mesh, detached when emptied. `pigeon` from
   * usePeerPigeon is connected by this composable under the store's peer id
   * once the store is open. A mesh made elsewhere must carry the store's
   * peer id (the `peerId` ref). The store never waits for it.
   * @default undefined (call initialize() yourself)
   */
  pigeon?: MaybeRefOrGetter<unknown>
  /**
   * With the `pigeon` option: open the store on mount (at once outside a
   * component), without waiting for the mesh.
   * @default true
   */
  autoConnect?: boolean
  /** ms between stats refreshes (they also refresh after changes); 0: only after changes. @default 5000 */
  statsUpdateInterval?: number
  /** Called with every error not delivered to a caller (opening, background saves, useKey writes). @default undefined */
  onError?: (error: PagingStorageError | Error) => void
}

export interface LoadBalanceInfo {
  isLoadBalanced: boolean
  loadStdDev: number
  peers: number
  ownedKeys: number
  replicaKeys: number
  distribution: PeerShare[]
}

export interface ComposableDiagnosis extends Partial<Diagnosis> {
  ok: boolean
  state: string
  issues: string[]
  composable: {
    isReady: boolean
    isInitialized: boolean
    isConnecting: boolean
    error: string | null
    statsUpdateInterval: number
    changeListeners: number
  }
}

export interface UsePagingStorageReturn {
  /** The store once initialize() resolved; null before and after shutdown(). */
  storage: ShallowRef<PagingStorage | null>
  /** true while the store is open; operations reject with NOT_READY otherwise. */
  isReady: Ref<boolean>
  isInitialized: Ref<boolean>
  /** true while initialize() runs. */
  isConnecting: Ref<boolean>
  /** The last error not delivered to a caller. */
  error: ShallowRef<PagingStorageError | Error | null>
  stats: ShallowRef<StorageStats | null>
  /** The other peers of the ring. */
  peers: ShallowRef<PeerShare[]>
  peerCount: Ref<number>
  totalPages: Ref<number>
  totalKeys: Ref<number>
  /** Resident pages / maxMemoryPages. */
  memoryPressure: Ref<number>
  isLoadBalanced: Ref<boolean>
  /** Where the network stands: none attached or its signaling server out of reach, trying, or connected. */
  network: Readonly<Ref<'offline' | 'connecting' | 'connected'>>
  /** The store's peer id, once open. */
  peerId: Ref<string | null>
  /** 'local': alone on its persistenceKey; 'leader': this tab holds the store its tabs share (and the mesh); 'follower': another tab does. Null before open. */
  role: Ref<'local' | 'leader' | 'follower' | null>
  /** Per task, its last progress event: a joining peer's catch-up, an import, a ring-wide range. */
  progress: Ref<Partial<Record<Progress['task'], Progress>>>

  /** Opens the store at once: over `pigeon` (a PeerPigeonMesh, under its peer id) when given, else attaching the `pigeon` option's mesh when there is one. Idempotent. */
  initialize(pigeon?: unknown): Promise<void>
  set(key: string | number, value: JsonValue): Promise<void>
  get<T = JsonValue>(key: string | number): Promise<T | undefined>
  has(key: string | number): Promise<boolean>
  remove(key: string | number): Promise<boolean>
  delete(key: string | number): Promise<boolean>
  setLocal(key: string | number, value: JsonValue): Promise<void>
  getLocal<T = JsonValue>(key: string | number): Promise<T | undefined>
  deleteLocal(key: string | number): Promise<boolean>
  setMany: PagingStorage['setMany']
  getMany: PagingStorage['getMany']
  range(query?: RangeQuery): Promise<Array<[string, JsonValue]>>
  keys(prefix?: string): Promise<string[]>
  exportData(): Promise<ExportedData>
  importData: PagingStorage['importData']
  replicated(options?: { timeout?: number }): Promise<void>
  flush(): Promise<void>
  compact(): Promise<{ purged: number; pages: number }>
  listPages(): PageSummary[]
  replicasFor(key: string | number): string[]
  clearCache(): Promise<number>
  getPeerDistribution(): PeerShare[]
  getLoadBalanceInfo(): LoadBalanceInfo
  /** The store's diagnosis plus the composable's state; works before initialize(). */
  diagnose(): ComposableDiagnosis
  /** Refreshes the stats refs now. @returns the stats, or null before initialize() */
  updateStats(): StorageStats | null
  /** Change events of the store, across re-initialization. @returns unsubscribe */
  on(event: 'change', listener: (e: ChangeEvent) => void): () => void
  watch(target: WatchTarget, listener: (e: ChangeEvent) => void): () => void
  shutdown(): Promise<void>
}

export function usePagingStorage(options?: UsePagingStorageOptions): UsePagingStorageReturn

export interface UsePeerPigeonOptions {
  /** The signaling server, e.g. 'ws://127.0.0.1:3000'. @default undefined */
  signalingUrl?: MaybeRefOrGetter<string | undefined>
  /** Connect on mount (at once outside a component) when signalingUrl is set. @default true */
  autoConnect?: boolean
  /** The PeerPigeonMesh class. @default globalThis.PeerPigeonMesh (set by `import 'peerpigeon'`) */
  PeerPigeonMesh?: new (options: Record<string, unknown>) => unknown
  /** Called when connecting fails (PagingStorageError IO_ERROR when the signaling server is out of reach; PeerPigeon keeps trying). @default undefined */
  onError?: (error: Error) => void
  /** The peer id to create the mesh under (40 hex digits); usePagingStorage({ pigeon }) sets the store's. @default PeerPigeon's random one */
  peerId?: MaybeRefOrGetter<string | undefined>
  /** Let PeerPigeon ask for the microphone on localhost pages (it does so to learn real local addresses; without it, Chromium offers mDNS names, which work on one machine and most LANs). @default false */
  requestMediaPermission?: boolean
  /** Any other PeerPigeonMesh option (maxPeers, enableCrypto, ...). enableWebDHT @default false */
  [meshOption: string]: unknown
}

/** idle: not started; offline: the signaling server is out of reach (PeerPigeon retries); error: the mesh could not be made; disconnected: disconnect() was called. */
export type PeerPigeonStatus = 'idle' | 'connecting' | 'connected' | 'offline' | 'disconnected' | 'error'

export interface UsePeerPigeonReturn {
  /** The mesh from its init() on, connected or not; null before connect() and after disconnect(). */
  pigeon: ShallowRef<any>
  /** Resolves with the mesh once connected; rejects (IO_ERROR) when the signaling server is out of reach, while PeerPigeon keeps trying. */
  connect(signalingUrl?: string, peerId?: string): Promise<any>
  disconnect(): void
  status: Ref<PeerPigeonStatus>
  peerId: Ref<string | null>
  /** Directly connected peer ids. */
  peers: ShallowRef<string[]>
  error: ShallowRef<Error | null>
}

export function usePeerPigeon(options?: UsePeerPigeonOptions): UsePeerPigeonReturn

/** A ref of one key: reads it, writes through on assignment (undefined deletes), follows every peer's changes. */
export function useKey<T extends JsonValue = JsonValue>(
  storage: UsePagingStorageReturn,
  key: MaybeRefOrGetter<string>,
  defaultValue?: T
): Ref<T | undefined>

/** A range query kept current; only changes inside its bounds re-run it. */
export function useRange(
  storage: UsePagingStorageReturn,
  query?: MaybeRefOrGetter<RangeQuery>
): ShallowRef<Array<[string, JsonValue]>>
