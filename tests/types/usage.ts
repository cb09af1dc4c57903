// Typed usage of every export, checked by `tsc` in `npm test`: resolved
// through the package's own `exports` (self-reference), as an app would.
import {
  compareKeys,
  IndexedDBBackend,
  keyMatcher,
  LocalStorageBackend,
  MemoryBackend,
  PagingStorage,
  PagingStorageError,
  PeerPigeonTransport,
  SimulatedNetwork,
  type ChangeEvent,
  type JsonValue,
  type StorageStats
} from 'paging-storage'
import { startServer } from 'paging-storage/server'
import { useKey, usePagingStorage, usePeerPigeon, useRange, type UsePagingStorageReturn } from 'paging-storage/vue'
import { effectScope, type Ref, type ShallowRef } from 'vue'

async function core(): Promise<void> {
  const net = new SimulatedNetwork({ seed: 1, loss: 0.1 })
  const storage = new PagingStorage({
    pageSize: 4096,
    maxCachePages: 100,
    transport: net.join('a'),
    persistence: { maxMemoryPages: 50, persistenceKey: 'app', backend: new MemoryBackend() }
  })
  await storage.ready
  const offline = new PagingStorage({ peerId: PagingStorage.peerIdFor({ persistence: { persistenceKey: 'b' } }) })
  offline.attach(net.join(offline.peerId))
  const isAttached: boolean = offline.attached
  offline.detach()
  void isAttached
  await storage.set('user:123', { name: 'Alice', age: 30 })
  const user = await storage.get<{ name: string; age: number }>('user:123')
  const age: number | undefined = user?.age
  const exists: boolean = await storage.has('user:123')
  const deleted: boolean = await storage.delete('user:123')
  const many = await storage.setMany([['k1', 'v1'], ['k2', 2]])
  const ok: boolean = many[0].success
  const got: Map<string, JsonValue | undefined> = await storage.getMany(['k1'])
  const rows: Array<[string, JsonValue]> = await storage.range({ prefix: 'k', limit: 10, reverse: true })
  const stats: StorageStats = storage.getStats()
  const pressure: number = stats.cache.memoryPressure
  const off = storage.watch({ prefix: 'doc:' }, (e: ChangeEvent) => e.origin)
  off()
  storage.on('error', (err) => err.message)
  const share: number = storage.getPeerDistribution()[0].share
  const match: boolean = keyMatcher('doc:')('doc:1') && compareKeys('a', 'b') < 0
  await storage.replicated({ timeout: 1000 }).catch((err: PagingStorageError) => err.code === 'TIMEOUT')
  const backup = await storage.exportData()
  await storage.importData(backup)
  await storage.shutdown()
  void [age, exists, deleted, ok, got, rows, pressure, share, match]
  void [IndexedDBBackend, LocalStorageBackend, PeerPigeonTransport]
}

function vue(): void {
  effectScope().run(() => {
    const { pigeon, connect, status, peers } = usePeerPigeon({ signalingUrl: 'ws://127.0.0.1:3000', maxPeers: 5 })
    const storage: UsePagingStorageReturn = usePagingStorage({
      pigeon,
      autoConnect: true,
      statsUpdateInterval: 5000,
      persistence: { persistenceKey: 'app' },
      onError: (e) => e.message
    })
    const { isReady, peerCount, totalKeys } = storage
    const ready: boolean = isReady.value
    const n: number = peerCount.value + totalKeys.value
    const s: 'idle' | 'connecting' | 'connected' | 'offline' | 'disconnected' | 'error' = status.value
    const net: 'offline' | 'connecting' | 'connected' = storage.network.value
    const me: string | null = storage.peerId.value
    const ids: string[] = peers.value
    const title: Ref<string | undefined> = useKey(storage, 'doc:123:title', '')
    title.value = 'Shared Document'
    const lines: ShallowRef<Array<[string, JsonValue]>> = useRange(storage, () => ({ prefix: 'doc:123:' }))
    void connect().then(() => storage.initialize(pigeon.value))
    void storage.getMany(['a']).then((m) => m.get('a'))
    const info = storage.getLoadBalanceInfo()
    const d = storage.diagnose()
    void [ready, n, s, net, me, ids, lines, info.isLoadBalanced, d.composable.isReady]
  })
}

async function server(): Promise<void> {
  const s = await startServer({ dir: './data', port: 0, role: 'full', join: ['ws://other:4000'], signaling: true })
  const app = new PagingStorage({ servers: [s.url], ringWeight: 2 })
  const r: { copies: number } = await app.replicated({ durable: true })
  const w: number = app.getPeerDistribution()[0].weight
  void [r, w, s.signalingUrl, s.peerId]
  await s.close()
}

void core
void vue
void server
