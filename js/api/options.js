// PagingStorage options: the seed's names and defaults, checked once, and
// the configurations each layer takes from them.
import { PagingStorageError } from '../core/errors.js'
import { MAX_VIRTUAL_NODES } from '../core/limits.js'
import { MAX_ORIGIN_BYTES, isOrigin } from '../core/versions.js'
import { backendChoice } from '../persistence/create-backend.js'
import { persistedPeerId, randomPeerId } from './identity.js'

const DEFAULTS = Object.freeze({
  pageSize: 4096,
  maxCachePages: 100,
  splitThreshold: 0.8,
  mergeThreshold: 0.2,
  maxKeyBytes: 1024,
  maxValueBytes: 1024 * 1024,
  replicationFactor: 3,
  virtualNodes: 128,
  readTimeout: 3000,
  // Tombstones live this long before garbage collection (api/tombstone-gc.js).
  tombstoneGracePeriod: 7 * 86400000,
  sync: Object.freeze({
    heartbeatInterval: 2000,
    peerTimeout: 7000,
    retryInterval: 2000,
    antiEntropyInterval: 30000,
    // 5 minutes, Kerberos's default clock-skew tolerance (MIT krb5
    // `clockskew`, RFC 4120 section 1.7): NTP-synced clocks agree within a
    // second, and a quartz clock left unsynced for weeks drifts tens of
    // seconds. The bound is also how far a forged version can reach past
    // an honest write, and how far one drags honest clocks (README,
    // "Security model").
    maxClockDrift: 5 * 60 * 1000,
    rateLimit: Object.freeze({ messages: 2000, bytes: 32 << 20 })
  }),
  persistence: Object.freeze({
    maxMemoryPages: 50,
    // No budget of our own: the browser's quota (IndexedDB, localStorage)
    // or memory (the memory backend) is the limit.
    maxDiskPages: Infinity,
    persistenceKey: 'paging_storage',
    autoSaveInterval: 30000,
    // IndexedDB commits: 'strict' (on disk when flush() resolves) or
    // 'relaxed' (the browser's default: in the OS, faster).
    durability: 'strict',
    // Pages of maxMemoryPages the write path's buffer may take (writes
    // whose page is not in memory wait in it while that costs less page
    // I/O than loading the page; cpp/src/WRITE_PATH.md); 0: off (every
    // write waits for its page). undefined: half the budget from a budget
    // of 8 pages on (below, a pass has too few pages to merge runs with).
    writeBufferPages: undefined,
    backend: undefined,
    // The directory of the 'file' backend (Node).
    dir: undefined,
    // Tabs of one browser profile share the store of a persistenceKey (one
    // holds it, the others forward their calls); false: a second tab gets
    // LOCKED, as before.
    shareTabs: true
  })
})

// The least page budget the write path is on by default from.
const MIN_BUFFERED_BUDGET = 8

/**
 * The peer id of a store given none: its network's when it has one (set
 * later from the transport), else the one kept for its persistenceKey when
 * its backend persists in this browser profile (js/api/identity.js), else a
 * fresh one.
 * @param {{ pigeon?: unknown, transport?: unknown, transports?: unknown }} options
 * @param {{ backend?: unknown, persistenceKey: string }} persistence
 * @returns {string}
 */
function defaultPeerId(options, persistence) {
  if (options.pigeon || options.transport || options.transports) return randomPeerId()
  const choice = backendChoice(persistence)
  const persists = choice === 'indexeddb' || choice === 'localstorage'
  const key = persistence.persistenceKey
  return (persists && typeof key === 'string' && key !== '' ? persistedPeerId(key) : null) ?? randomPeerId()
}

/**
 * @param {string} name
 * @param {unknown} value
 * @param {number} min
 * @param {number} max
 * @returns {number}
 */
function whole(name, value, min, max) {
  if (!Number.isInteger(value) || /** @type {number} */ (value) < min || /** @type {number} */ (value) > max) {
    throw new PagingStorageError(
      'INVALID_ARGUMENT',
      `option ${name} must be a whole number from ${min} to ${max}, got ${value}`
    )
  }
  return /** @type {number} */ (value)
}

/**
 * A threshold as bytes: a fraction of pageSize (0 < t <= 1, the seed's
 * "80%") or a byte count (the seed's `splitThreshold: 3276`).
 */
/**
 * @param {string} name
 * @param {unknown} value
 * @param {number} pageSize
 * @returns {number}
 */
function threshold(name, value, pageSize) {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new PagingStorageError('INVALID_ARGUMENT', `option ${name} must be a positive number`)
  }
  const bytes = value <= 1 ? Math.floor(pageSize * value) : value
  return whole(name, bytes, 1, pageSize)
}

/**
 * The options, checked, with every default filled in (thresholds in bytes).
 * @param {any} [options] the PagingStorage constructor's (README "Options")
 * @throws {PagingStorageError} INVALID_ARGUMENT naming the bad option
 */
export function normalizeOptions(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new PagingStorageError('INVALID_ARGUMENT', 'options must be an object')
  }
  const p = { ...DEFAULTS.persistence, ...(options.persistence ?? {}) }
  const sy = { ...DEFAULTS.sync, ...(options.sync ?? {}) }
  const rate = { ...DEFAULTS.sync.rateLimit, ...(sy.rateLimit ?? {}) }
  const pageSize = whole('pageSize', options.pageSize ?? DEFAULTS.pageSize, 256, 16 << 20)
  const o = {
    peerId: options.peerId ?? defaultPeerId(options, p),
    /** No peerId option: a network's, or the one its data keeps once open (js/store/open-store.js). */
    peerIdDefaulted: options.peerId === undefined,
    /** @type {unknown} */
    pigeon: options.pigeon ?? null,
    /** @type {import('../transport/transport.js').Transport | null} */
    transport: transportOption(options),
    /** ws:// addresses of server peers (js/transport/websocket.js), joined to the ring with the other peers. */
    servers: serverList(options.servers),
    /** This peer's ring weight: 0 a full replica (every key), 1..16 tokens per virtual node. */
    ringWeight: ringWeight(options.ringWeight),
    /** Acknowledge pushed records only once they are on disk (a server peer; advertised to peers). */
    durableAcks: options.durableAcks ?? false,
    replicationFactor: whole('replicationFactor', options.replicationFactor ?? DEFAULTS.replicationFactor, 1, 64),
    virtualNodes: whole('virtualNodes', options.virtualNodes ?? DEFAULTS.virtualNodes, 1, MAX_VIRTUAL_NODES),
    readTimeout: whole('readTimeout', options.readTimeout ?? DEFAULTS.readTimeout, 1, 600000),
    tombstoneGracePeriod: whole('tombstoneGracePeriod', options.tombstoneGracePeriod ?? DEFAULTS.tombstoneGracePeriod, 0, 10 * 365 * 86400000),
    sync: {
      heartbeatInterval: whole('sync.heartbeatInterval', sy.heartbeatInterval, 1, 3600000),
      peerTimeout: whole('sync.peerTimeout', sy.peerTimeout, 1, 3600000),
      retryInterval: whole('sync.retryInterval', sy.retryInterval, 1, 3600000),
      antiEntropyInterval: whole('sync.antiEntropyInterval', sy.antiEntropyInterval, 0, 2 ** 31 - 1),
      maxClockDrift: whole('sync.maxClockDrift', sy.maxClockDrift, 0, 365 * 86400000),
      rateLimit: {
        messages: whole('sync.rateLimit.messages', rate.messages, 1, 1e9),
        bytes: whole('sync.rateLimit.bytes', rate.bytes, 1024, 1e12)
      }
    },
    pageSize,
    maxCachePages: whole('maxCachePages', options.maxCachePages ?? DEFAULTS.maxCachePages, 0, 1e9),
    splitThreshold: threshold('splitThreshold', options.splitThreshold ?? DEFAULTS.splitThreshold, pageSize),
    mergeThreshold: threshold('mergeThreshold', options.mergeThreshold ?? DEFAULTS.mergeThreshold, pageSize),
    maxKeyBytes: whole('maxKeyBytes', options.maxKeyBytes ?? DEFAULTS.maxKeyBytes, 1, 64 * 1024),
    maxValueBytes: whole('maxValueBytes', options.maxValueBytes ?? DEFAULTS.maxValueBytes, 1, 64 << 20),
    persistence: {
      maxMemoryPages: whole('persistence.maxMemoryPages', p.maxMemoryPages, 1, 1e9),
      maxDiskPages: p.maxDiskPages === Infinity ? Infinity : whole('persistence.maxDiskPages', p.maxDiskPages, 1, 1e12),
      persistenceKey: p.persistenceKey,
      autoSaveInterval: whole('persistence.autoSaveInterval', p.autoSaveInterval, 0, 2 ** 31 - 1),
      durability: p.durability,
      writeBufferPages: 0,
      backend: p.backend,
      dir: p.dir,
      shareTabs: p.shareTabs
    }
  }
  // At most half the budget, leaving 2 pages (Options::write_buffer_pages).
  const budget = o.persistence.maxMemoryPages
  const half = Math.min(Math.floor(budget / 2), budget - 2)
  const defaultBuffer = budget >= MIN_BUFFERED_BUDGET ? half : 0
  o.persistence.writeBufferPages = whole('persistence.writeBufferPages', p.writeBufferPages ?? defaultBuffer, 0, Math.max(0, half))
  if (typeof o.persistence.shareTabs !== 'boolean') {
    throw new PagingStorageError('INVALID_ARGUMENT', 'option persistence.shareTabs must be a boolean')
  }
  if (o.persistence.durability !== 'strict' && o.persistence.durability !== 'relaxed') {
    throw new PagingStorageError('INVALID_ARGUMENT', "option persistence.durability must be 'strict' or 'relaxed'")
  }
  if (!isOrigin(o.peerId)) {
    throw new PagingStorageError('INVALID_ARGUMENT', `option peerId must be a string of 1 to ${MAX_ORIGIN_BYTES} bytes of UTF-8`)
  }
  if (o.persistence.dir !== undefined && (typeof o.persistence.dir !== 'string' || o.persistence.dir === '')) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'option persistence.dir must be a non-empty string (a directory)')
  }
  if (typeof o.persistence.persistenceKey !== 'string' || o.persistence.persistenceKey === '') {
    throw new PagingStorageError('INVALID_ARGUMENT', 'option persistence.persistenceKey must be a non-empty string')
  }
  if (typeof o.durableAcks !== 'boolean') throw new PagingStorageError('INVALID_ARGUMENT', 'option durableAcks must be a boolean')
  if (o.durableAcks && (backendChoice(o.persistence) === 'memory' || o.persistence.durability !== 'strict')) {
    throw new PagingStorageError('INVALID_ARGUMENT', "option durableAcks needs a backend that keeps data (file, indexeddb) with durability 'strict'")
  }
  if (o.sync.peerTimeout <= o.sync.heartbeatInterval) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'sync.peerTimeout must be longer than sync.heartbeatInterval')
  }
  if (o.mergeThreshold >= o.splitThreshold) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'mergeThreshold must be below splitThreshold')
  }
  return o
}

/**
 * The local store's configuration. A store without peers purges its
 * tombstones at once when its disk budget is full (purgeWhenFull): deleting
 * always makes room.
 * @param {ReturnType<typeof normalizeOptions>} o
 * @returns {import('../store/local-store.js').StoreConfig}
 */
export function storeConfig(o) {
  return {
    peerId: o.peerId,
    adoptPeerId: o.peerIdDefaulted && !o.transport && !o.pigeon,
    pageSize: o.pageSize,
    splitThreshold: o.splitThreshold,
    mergeThreshold: o.mergeThreshold,
    maxMemoryPages: o.persistence.maxMemoryPages,
    writeBufferPages: o.persistence.writeBufferPages,
    maxKeyBytes: o.maxKeyBytes,
    maxValueBytes: o.maxValueBytes,
    maxClockDrift: o.sync.maxClockDrift,
    virtualNodes: o.virtualNodes,
    maxDiskPages: o.persistence.maxDiskPages,
    purgeWhenFull: !o.transport && !o.pigeon && o.servers.length === 0
  }
}

/**
 * The transport option: `transport` (one, or a list), or `transports` (a
 * list used together: js/transport/combined.js), not both.
 * @param {{ transport?: any, transports?: any }} options
 * @returns {any} null when neither is given
 * @throws {PagingStorageError} INVALID_ARGUMENT for both, or a transports that is not a non-empty list
 */
function transportOption(options) {
  if (options.transports === undefined || options.transports === null) return options.transport ?? null
  if (options.transport !== undefined && options.transport !== null) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'give transport or transports, not both')
  }
  if (!Array.isArray(options.transports) || options.transports.length === 0) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'option transports must be a non-empty list of transports (or PeerPigeon meshes)')
  }
  return options.transports
}

/**
 * @param {unknown} weight the ringWeight option: 'full' or 1..16 (default 1)
 * @returns {number} 0 for 'full', else the weight
 * @throws {PagingStorageError} INVALID_ARGUMENT for anything else
 */
function ringWeight(weight) {
  if (weight === undefined) return 1
  if (weight === 'full') return 0
  if (Number.isInteger(weight) && /** @type {number} */ (weight) >= 1 && /** @type {number} */ (weight) <= 16) return /** @type {number} */ (weight)
  throw new PagingStorageError('INVALID_ARGUMENT', "option ringWeight must be 'full' or a whole number from 1 to 16")
}

/**
 * @param {unknown} servers the servers option
 * @returns {string[]} its addresses, checked
 * @throws {PagingStorageError} INVALID_ARGUMENT for anything but an array of ws:// or wss:// URLs
 */
function serverList(servers) {
  if (servers === undefined || servers === null) return []
  const list = typeof servers === 'string' ? [servers] : servers
  if (!Array.isArray(list) || list.length > 64 || list.some((u) => typeof u !== 'string' || !/^wss?:\/\/[^\s]+$/.test(u))) {
    throw new PagingStorageError('INVALID_ARGUMENT', "option servers must be a list of server peers' ws:// or wss:// addresses (at most 64)")
  }
  return [...new Set(list)]
}
