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
import { CombinedTransport } from '../transport/combined.js'
import { PeerPigeonTransport } from '../transport/peerpigeon.js'
import { WebSocketTransport } from '../transport/websocket.js'
import { storeConfig } from './options.js'
import { TombstoneCollector } from './tombstone-gc.js'

/** @typedef {ReturnType<typeof import('./options.js').normalizeOptions>} Options */

/**
 * @typedef {object} Parts
 * @property {AttachableTransport} transport the store's, for its whole life
 * @property {WebSocketTransport[]} servers the connections to the `servers` option's
 *   server peers, made under the store's final peer id (serverConnections), closed with it
 * @property {LocalStore} local
 * @property {ReplicatedStore | null} replicated once a network was attached
 * @property {LocalStore | ReplicatedStore} store every data call goes here
 * @property {TombstoneCollector} gc
 * @property {Interests} interests what the apps of this store watch (this tab's and its followers')
 * @property {Emitter} syncEvents 'applied': changes peers pushed for watched keys this store does
 *   not hold; 'progress': {task, done, total} of long sync work (catch-up, ring-wide ranges)
 */

/**
 * A Transport over a network the app gives: a Transport as it is, a
 * PeerPigeon mesh (after init()) wrapped, or a list of these combined
 * (js/transport/combined.js: one membership over all of them).
 * @param {unknown} network
 * @returns {{ transport: import('../transport/transport.js').Transport, owned: boolean }}
 *   owned: made here, so closed when detached
 * @throws {PagingStorageError} INVALID_ARGUMENT when it is none of these
 */
export function networkOf(network) {
  const n = /** @type {any} */ (network)
  if (Array.isArray(n)) {
    const parts = n.map(networkOf)
    const owned = parts.filter((p) => p.owned).map((p) => p.transport)
    return { transport: new CombinedTransport(parts.map((p) => p.transport), { owned }), owned: true }
  }
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
    servers: [],
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
 * The store's connections to its `servers` (js/transport/websocket.js),
 * made again when the store's peer id changed since they were made.
 * @param {Parts} parts updated in place
 * @param {Options} opts
 * @returns {WebSocketTransport[]}
 */
function serverConnections(parts, opts) {
  if (parts.servers.length > 0 && parts.servers[0].peerId === opts.peerId) return parts.servers
  for (const t of parts.servers) t.close()
  parts.servers = opts.servers.map((url) => new WebSocketTransport(url, { peerId: opts.peerId }))
  return parts.servers
}

/**
 * The network to attach: the app's (or none), with the store's server
 * connections beside it when it has `servers`.
 * @param {Parts} parts
 * @param {Options} opts
 * @param {{ transport: import('../transport/transport.js').Transport, owned: boolean } | null} network
 * @returns {{ transport: import('../transport/transport.js').Transport, owned: boolean } | null}
 */
function withServers(parts, opts, network) {
  // (Another peer id: attach() refuses it, with its message.)
  if (opts.servers.length === 0 || (network && network.transport.peerId !== opts.peerId)) return network
  const servers = serverConnections(parts, opts)
  if (!network) return { transport: new CombinedTransport(servers), owned: true }
  return { transport: new CombinedTransport([network.transport, ...servers], { owned: network.owned ? [network.transport] : [] }), owned: true }
}

/**
 * Once the store is open under its final peer id: a store with `servers`
 * and no network yet attaches its server connections.
 * @param {Parts} parts
 * @param {Options} opts
 */
export function attachServers(parts, opts) {
  if (opts.servers.length > 0 && !parts.transport.attached) attachNetwork(parts, opts, null)
}

/**
 * Detaches the network, the server connections with it (the store goes on offline).
 * @param {Parts} parts
 */
export function detachNetwork(parts) {
  parts.transport.detach()
  for (const t of parts.servers.splice(0)) t.close()
}

/**
 * Attaches a network to the store's transport, building the ReplicatedStore
 * over it the first time (sync starts once the local store is open).
 * @param {Parts} parts updated in place
 * @param {Options} opts
 * @param {{ transport: import('../transport/transport.js').Transport, owned: boolean } | null} network
 *   the app's; null: the store's `servers` only
 * @throws {PagingStorageError} INVALID_ARGUMENT when its peer id is not the store's
 */
export function attachNetwork(parts, opts, network) {
  const attached = withServers(parts, opts, network)
  if (!attached) return
  parts.transport.attach(attached.transport, { owned: attached.owned })
  if (parts.replicated) return
  parts.local.withPeers()
  parts.replicated = new ReplicatedStore(
    parts.local,
    parts.transport,
    {
      replicationFactor: opts.replicationFactor,
      role: { weight: opts.ringWeight, durable: opts.durableAcks },
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
