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
  RangeQuery,
  StorageStats,
  WatchTarget
} from 'paging-storage'

export type { RangeQuery }

export interface UsePagingStorageOptions extends Omit<PagingStorageOptions, 'pigeon'> {
  /**
   * A connected PeerPigeonMesh, or a ref/getter of one (e.g. `pigeon` from
   * usePeerPigeon). With autoConnect, the store opens as soon as it is set.
   * @default undefined (call initialize() yourself)
   */
  pigeon?: MaybeRefOrGetter<unknown>
  /**
   * Open the store on mount (at once outside a component) once `pigeon` is
   * there. Only applies when the `pigeon` option is given.
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

  /** Opens the store over `pigeon` (a connected PeerPigeonMesh), or local-only without one. Idempotent. */
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
  /** Called when connecting fails. @default undefined */
  onError?: (error: Error) => void
  /** Any other PeerPigeonMesh option (maxPeers, enableCrypto, ...). enableWebDHT @default false */
  [meshOption: string]: unknown
}

export type PeerPigeonStatus = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'error'

export interface UsePeerPigeonReturn {
  /** The connected mesh; null before connect() resolves. */
  pigeon: ShallowRef<any>
  connect(signalingUrl?: string): Promise<any>
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
