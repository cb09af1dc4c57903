// Assembling the parts of a store held in this tab (js/api/store-host.js)
// from its normalized options: the backend, the LocalStore (which opens
// under the Web Lock), the tombstone collector, and the store's
// AttachableTransport, over
// which the ReplicatedStore is built once a network is first attached (at
// construction with a `pigeon` or `transport` option, or later with
// attach()). Nothing here starts: the StoreHost starts them once the store
// is open.
import { Emitter } from '../core/emitter.js'
import { PagingStorageError } from '../core/errors.js'
import { createBackend, createCacheBackend } from '../persistence/create-backend.js'
import { LocalStore } from '../store/local-store.js'
import { protocolLimits } from '../sync/protocol.js'
import { Interests } from '../sync/interests.js'
import { ReplicatedStore } from '../sync/replicated-store.js'
import { AttachableTransport } from '../transport/attachable.js'
import { PeerPigeonTransport } from '../transport/peerpigeon.js'
import { storeConfig } from './options.js'
import { TombstoneCollector } from './tombstone-gc.js'

/** @typedef {ReturnType<typeof import('./options.js').normalizeOptions>} Options */

/**
 * @typedef {object} Parts
 * @property {AttachableTransport} transport the store's, for its whole life
 * @property {LocalStore} local
 * @property {ReplicatedStore | null} replicated once a network was attached
 * @property {LocalStore | ReplicatedStore} store every data call goes here
 * @property {TombstoneCollector} gc
 * @property {Interests} interests what the apps of this store watch (this tab's and its followers')
 * @property {Emitter} syncEvents 'applied': changes peers pushed for watched keys this store does
 *   not hold; 'progress': {task, done, total} of long sync work (catch-up, ring-wide ranges)
 */

/**
 * A Transport over a network the app gives: a Transport as it is, or a
 * PeerPigeon mesh (after init()) wrapped.
 * @param {unknown} network
 * @returns {{ transport: import('../transport/transport.js').Transport, owned: boolean }}
 *   owned: made here, so closed when detached
 * @throws {PagingStorageError} INVALID_ARGUMENT when it is neither
 */
export function networkOf(network) {
  const n = /** @type {any} */ (network)
  if (n && typeof n.send === 'function' && typeof n.peers === 'function' && typeof n.on === 'function') {
    return { transport: n, owned: false }
  }
  try {
    return { transport: new PeerPigeonTransport(n), owned: true }
  } catch (err) {
    throw new PagingStorageError('INVALID_ARGUMENT', /** @type {Error} */ (err).message)
  }
}

/**
 * @param {Options} opts peerId is set to the network's when there is one
 * @param {{ peerId?: unknown }} given the options as the caller gave them
 * @param {import('./lifecycle.js').Lifecycle} lifecycle holds the Web Lock
 * @param {(err: Error) => void} onError the local store's failures
 * @returns {Parts}
 * @throws {PagingStorageError} INVALID_ARGUMENT when peerId differs from the network's
 */
export function assemble(opts, given, lifecycle, onError) {
  const network = opts.transport ? networkOf(opts.transport) : opts.pigeon ? networkOf(opts.pigeon) : null
  if (network) {
    if (given.peerId !== undefined && given.peerId !== network.transport.peerId) {
      throw new PagingStorageError('INVALID_ARGUMENT', "option peerId differs from the transport's peer id")
    }
    opts.peerId = network.transport.peerId
  }
  const backend = createBackend(opts.persistence)
  const local = new LocalStore(storeConfig(opts), backend, {
    beforeOpen: () => lifecycle.acquireLock(backend, opts.persistence.persistenceKey)
  })
  local.on('error', onError)
  /** @type {Parts} */
  const parts = {
    transport: new AttachableTransport(opts.peerId),
    local,
    replicated: null,
    store: local,
    gc: new TombstoneCollector(
      { engineStats: () => local.engineStats(), compact: (horizon) => parts.store.compact(horizon) },
      { grace: opts.tombstoneGracePeriod }
    ),
    interests: new Interests(),
    syncEvents: new Emitter()
  }
  if (network) attachNetwork(parts, opts, network)
  return parts
}

/**
 * Attaches a network to the store's transport, building the ReplicatedStore
 * over it the first time (sync starts once the local store is open).
 * @param {Parts} parts updated in place
 * @param {Options} opts
 * @param {{ transport: import('../transport/transport.js').Transport, owned: boolean }} network
 * @throws {PagingStorageError} INVALID_ARGUMENT when its peer id is not the store's
 */
export function attachNetwork(parts, opts, network) {
  parts.transport.attach(network.transport, { owned: network.owned })
  if (parts.replicated) return
  parts.local.withPeers()
  parts.replicated = new ReplicatedStore(
    parts.local,
    parts.transport,
    {
      replicationFactor: opts.replicationFactor,
    readTimeout: opts.readTimeout,
    tombstoneGracePeriod: opts.tombstoneGracePeriod,
      limits: protocolLimits(opts),
      sync: opts.sync,
      maxCachePages: opts.maxCachePages,
      pageSize: opts.pageSize
    },
    {
      interests: parts.interests,
      announce: (applied) => parts.syncEvents.emit('applied', applied),
      progress: (p) => parts.syncEvents.emit('progress', p),
      cacheBackend: opts.maxCachePages > 0 ? createCacheBackend(opts.persistence) : null
    }
  )
  parts.store = parts.replicated
}
