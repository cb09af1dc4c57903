// The package's entry: re-exports only (the API is js/api/paging-storage.js).
export { PagingStorage } from './api/paging-storage.js'
export { PagingStorageError } from './core/errors.js'
export { compareKeys, keyMatcher } from './core/keys.js'
export { IndexedDBBackend } from './persistence/indexeddb.js'
export { LocalStorageBackend } from './persistence/localstorage.js'
export { MemoryBackend } from './persistence/memory.js'
export { PeerPigeonTransport } from './transport/peerpigeon.js'
export { SimulatedNetwork } from './transport/simulated-network.js'
