// usePagingStorage: a PagingStorage behind Vue refs (the seed's composable).
//
// Ownership: the composable creates the store in initialize() and shuts it
// down when its effect scope is disposed (component unmount, or
// scope.stop() outside components); the PeerPigeon mesh stays the app's.
// Invariants: `isReady` is true exactly while `storage` holds an open store;
// every operation before that (or after shutdown) rejects with NOT_READY.
// The store opens from its backend at once (local-first): a `pigeon` option
// is attached whenever it holds a mesh and detached when it is emptied; a
// `pigeon` from usePeerPigeon is connected by this composable, under the
// store's peer id, once the store is open.
import { computed, getCurrentInstance, getCurrentScope, isRef, onMounted, onScopeDispose, ref, shallowRef, toValue, watch } from 'vue'
import { PagingStorage, PagingStorageError, keyMatcher } from 'paging-storage'
import { LINK } from './peer-pigeon-link.js'

const notReady = () =>
  new PagingStorageError('NOT_READY', 'Storage not ready: call initialize() and wait for it (or for isReady) first')

/** Stats refreshes caused by changes are coalesced to one per this many ms. */
const CHANGE_REFRESH_MS = 100

/**
 * @param {import('./index.js').UsePagingStorageOptions} [options]
 * @returns {import('./index.js').UsePagingStorageReturn}
 */
export function usePagingStorage(options = {}) {
  const { autoConnect = true, statsUpdateInterval = 5000, onError, pigeon: pigeonOption, ...storeOptions } = options

  const storage = shallowRef(null)
  const isReady = ref(false)
  const isInitialized = ref(false)
  const isConnecting = ref(false)
  const error = shallowRef(null)
  const stats = shallowRef(null)
  const peers = shallowRef([])
  const peerCount = ref(0)
  const totalPages = ref(0)
  const totalKeys = ref(0)
  const memoryPressure = ref(0)
  const isLoadBalanced = ref(true)
  const attached = ref(false)

  /** @type {import('./peer-pigeon-link.js').PeerPigeonLink | undefined} */
  const link = isRef(pigeonOption) ? pigeonOption[LINK] : undefined
  link?.manage()
  // A mesh already there fixes the store's id (the seed's form); otherwise
  // the store keeps its own (kept per persistenceKey and in its data), and
  // usePeerPigeon's mesh is made under it once the store is open.
  const meshId = storeOptions.peerId === undefined ? toValue(pigeonOption)?.peerId : undefined
  const ownOptions = meshId === undefined ? storeOptions : { ...storeOptions, peerId: meshId }
  /** The store's peer id, once open. */
  const peerId = ref(null)
  /** 'local' | 'leader' | 'follower' (PagingStorage#role), once open. */
  const role = ref(null)
  /** Per task ('catch-up', 'import', 'range'), its last 'progress' event ({task, done, total}). */
  const progress = shallowRef({})
  /** Where the network stands: 'offline' (none attached, or its signaling server out of reach), 'connecting', 'connected'. A follower tab shows its leader's. */
  const network = computed(() => {
    if (link && role.value !== 'follower') return link.status.value === 'connected' || link.status.value === 'connecting' ? link.status.value : 'offline'
    return attached.value ? 'connected' : 'offline'
  })

  const changeListeners = new Set()
  let initializing = null
  let unsubscribe = []
  let statsTimer = null
  let changeTimer = null
  let disposed = false

  /** Attaches what the pigeon option holds now (null: detaches). */
  function follow(store, mesh) {
    try {
      if (mesh) store.attach(mesh)
      else store.detach()
    } catch (err) {
      report(err)
    }
    attached.value = store.attached
  }

  function report(err) {
    error.value = err
    if (onError) onError(err)
  }

  function updateStats() {
    const s = storage.value
    if (!s) return null
    const next = s.getStats()
    stats.value = next
    attached.value = s.attached
    peers.value = s.getPeerDistribution().filter((p) => !p.self)
    peerCount.value = next.connectedPeers
    totalPages.value = next.totalPages
    totalKeys.value = next.totalKeys
    memoryPressure.value = next.cache.memoryPressure
    isLoadBalanced.value = next.dht.isLoadBalanced
    return next
  }

  function onChange(event) {
    for (const fn of [...changeListeners]) {
      try {
        fn(event)
      } catch (err) {
        report(err)
      }
    }
    if (changeTimer === null) {
      changeTimer = setTimeout(() => {
        changeTimer = null
        updateStats()
      }, CHANGE_REFRESH_MS)
      changeTimer.unref?.()
    }
  }

  /**
   * Opens the store from its backend, at once. With `pigeon` (a PeerPigeonMesh
   * after init()), with peers over it under its peer id (the seed's form);
   * otherwise the `pigeon` option's mesh is attached whenever there is one,
   * and a usePeerPigeon one is connected once the store is open. Calling it
   * again while initializing or initialized returns the same promise.
   */
  function initialize(pigeon) {
    if (initializing) return initializing
    if (disposed) return Promise.reject(notReady())
    isConnecting.value = true
    error.value = null
    initializing = (async () => {
      const store = new PagingStorage(pigeon ? { ...storeOptions, pigeon } : ownOptions)
      await store.ready
      if (disposed) {
        await store.shutdown()
        throw notReady()
      }
      unsubscribe = [store.on('change', onChange), store.on('error', report), store.on('progress', (p) => (progress.value = { ...progress.value, [p.task]: p }))]
      // The watches made before (or across a re-initialization) subscribe
      // at the peers that hold their keys.
      for (const w of watched.values()) w.off = store.watch(w.target, () => {})
      unsubscribe.push(() => {
        for (const w of watched.values()) w.off = null
      })
      storage.value = store
      isInitialized.value = true
      isReady.value = true
      attached.value = store.attached
      peerId.value = store.peerId
      role.value = store.role
      if (!pigeon && pigeonOption !== undefined) {
        unsubscribe.push(watch(() => toValue(pigeonOption), (mesh) => follow(store, mesh), { immediate: true }))
        // One tab holds the store and its network: a follower tab connects
        // no mesh (it would be a second peer under the same id) until it
        // takes the lead. Failures show in usePeerPigeon's status and error.
        const connect = () => {
          if (store.role !== 'follower') link?.connectAs(store.peerId).catch(() => {})
        }
        connect()
        unsubscribe.push(
          store.on('role', () => {
            role.value = store.role
            peerId.value = store.peerId
            connect()
          })
        )
      }
      updateStats()
      if (statsUpdateInterval > 0) {
        statsTimer = setInterval(updateStats, statsUpdateInterval)
        statsTimer.unref?.() // never the reason a Node process stays up
      }
    })()
    initializing.then(
      () => {
        isConnecting.value = false
      },
      (err) => {
        isConnecting.value = false
        initializing = null
        if (err?.code !== 'NOT_READY') report(err)
      }
    )
    return initializing
  }

  /** The open store, or a NOT_READY rejection. */
  function ready() {
    return storage.value && isReady.value ? storage.value : null
  }
  const call =
    (name) =>
    (...args) => {
      const s = ready()
      return s ? s[name](...args) : Promise.reject(notReady())
    }
  const callSync =
    (name) =>
    (...args) => {
      const s = ready()
      if (!s) throw notReady()
      return s[name](...args)
    }

  async function shutdown() {
    const s = storage.value
    clearInterval(statsTimer)
    clearTimeout(changeTimer)
    statsTimer = null
    changeTimer = null
    for (const off of unsubscribe.splice(0)) off()
    attached.value = false
    role.value = null
    progress.value = {}
    isReady.value = false
    isInitialized.value = false
    storage.value = null
    initializing = null
    if (s) await s.shutdown()
  }

  function on(event, fn) {
    if (event !== 'change') throw new PagingStorageError('INVALID_ARGUMENT', `unknown event '${event}' (only 'change')`)
    changeListeners.add(fn)
    return () => changeListeners.delete(fn)
  }

  /** What is watched, by target: the store's watch (its subscription at the
   *  peers) is held while the composable's watchers need it. */
  const watched = new Map()

  /** Like PagingStorage#watch (a non-replica hears of changes made anywhere
   *  in the ring), and it survives re-initialization. */
  function watchKeys(target, fn) {
    const match = keyMatcher(target)
    const id = JSON.stringify(typeof target === 'string' ? { prefix: target } : 'key' in target ? { key: target.key } : { prefix: target.prefix })
    let w = watched.get(id)
    if (!w) {
      w = { target, count: 0, off: storage.value ? storage.value.watch(target, () => {}) : null }
      watched.set(id, w)
    }
    w.count++
    const offChange = on('change', (e) => {
      if (match(e.key)) fn(e)
    })
    let done = false
    return () => {
      if (done) return
      done = true
      offChange()
      if (--w.count > 0) return
      w.off?.()
      watched.delete(id)
    }
  }

  function diagnose() {
    const composable = {
      isReady: isReady.value,
      isInitialized: isInitialized.value,
      isConnecting: isConnecting.value,
      error: error.value ? String(error.value.message ?? error.value) : null,
      statsUpdateInterval,
      changeListeners: changeListeners.size
    }
    const s = storage.value
    if (!s) return { ok: false, state: 'not initialized', issues: ['initialize() has not completed'], composable }
    return { ...s.diagnose(), composable }
  }

  function getLoadBalanceInfo() {
    const s = ready()
    if (!s) throw notReady()
    const { dht } = s.getStats()
    return {
      isLoadBalanced: dht.isLoadBalanced,
      loadStdDev: dht.loadStdDev,
      peers: dht.peers,
      ownedKeys: dht.ownedKeys,
      replicaKeys: dht.replicaKeys,
      distribution: s.getPeerDistribution()
    }
  }

  // autoConnect: with a pigeon option, open on mount (local-first); the
  // mesh attaches whenever it is there.
  if (autoConnect && pigeonOption !== undefined) {
    const start = () => {
      if (!initializing) initialize().catch(() => {})
    }
    if (getCurrentInstance()) onMounted(start)
    else start()
  }

  if (getCurrentScope()) {
    onScopeDispose(() => {
      disposed = true
      shutdown().catch(() => {})
    })
  }

  const remove = call('delete')
  return {
    storage,
    isReady,
    isInitialized,
    isConnecting,
    error,
    stats,
    peers,
    peerCount,
    totalPages,
    totalKeys,
    memoryPressure,
    isLoadBalanced,
    network,
    peerId,
    role,
    progress,
    initialize,
    set: call('set'),
    get: call('get'),
    has: call('has'),
    remove,
    delete: remove,
    setLocal: call('setLocal'),
    getLocal: call('getLocal'),
    deleteLocal: call('deleteLocal'),
    setMany: call('setMany'),
    getMany: call('getMany'),
    range: call('range'),
    keys: call('keys'),
    exportData: call('exportData'),
    importData: call('importData'),
    replicated: call('replicated'),
    flush: call('flush'),
    compact: call('compact'),
    listPages: callSync('listPages'),
    replicasFor: callSync('replicasFor'),
    clearCache: callSync('clearCache'),
    getPeerDistribution: callSync('getPeerDistribution'),
    getLoadBalanceInfo,
    diagnose,
    updateStats,
    on,
    watch: watchKeys,
    shutdown
  }
}
