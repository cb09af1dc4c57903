// usePagingStorage: a PagingStorage behind Vue refs (the seed's composable).
//
// Ownership: the composable creates the store in initialize() and shuts it
// down when its effect scope is disposed (component unmount, or
// scope.stop() outside components); the PeerPigeon mesh stays the app's.
// Invariant: `isReady` is true exactly while `storage` holds an open store;
// every operation before that (or after shutdown) rejects with NOT_READY.
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, ref, shallowRef, toValue, watch } from 'vue'
import { PagingStorage, PagingStorageError, keyMatcher } from 'paging-storage'

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

  const changeListeners = new Set()
  let initializing = null
  let unsubscribe = []
  let statsTimer = null
  let changeTimer = null
  let disposed = false

  function report(err) {
    error.value = err
    if (onError) onError(err)
  }

  function updateStats() {
    const s = storage.value
    if (!s) return null
    const next = s.getStats()
    stats.value = next
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
   * Opens the store, with peers over `pigeon` (a connected PeerPigeonMesh)
   * or local-only without one. Calling it again while initializing or
   * initialized returns the same promise.
   */
  function initialize(pigeon) {
    if (initializing) return initializing
    if (disposed) return Promise.reject(notReady())
    isConnecting.value = true
    error.value = null
    initializing = (async () => {
      const mesh = pigeon ?? toValue(pigeonOption) ?? undefined
      const store = new PagingStorage(mesh ? { ...storeOptions, pigeon: mesh } : storeOptions)
      await store.ready
      if (disposed) {
        await store.shutdown()
        throw notReady()
      }
      unsubscribe = [store.on('change', onChange), store.on('error', report)]
      storage.value = store
      isInitialized.value = true
      isReady.value = true
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

  /** Like PagingStorage#watch, and it survives re-initialization. */
  function watchKeys(target, fn) {
    const match = keyMatcher(target)
    return on('change', (e) => {
      if (match(e.key)) fn(e)
    })
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

  // autoConnect: with a pigeon option, open once the mesh is there.
  if (autoConnect && pigeonOption !== undefined) {
    const start = () =>
      watch(
        () => toValue(pigeonOption),
        (mesh) => {
          if (mesh && !initializing) initialize(mesh).catch(() => {})
        },
        { immediate: true }
      )
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
