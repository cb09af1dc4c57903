// Assembling the parts behind a PagingStorage from its normalized options:
// the transport (the one given, or PeerPigeon's over a `pigeon`), the
// backend, the LocalStore (which opens under the Web Lock), the
// ReplicatedStore with peers, change events and the tombstone collector.
// Nothing here starts: the PagingStorage starts them once the store is open.
import { PagingStorageError } from '../core/errors.js'
import { createBackend } from '../persistence/create-backend.js'
import { LocalStore } from '../store/local-store.js'
import { protocolLimits } from '../sync/protocol.js'
import { ReplicatedStore } from '../sync/replicated-store.js'
import { PeerPigeonTransport } from '../transport/peerpigeon.js'
import { ChangeEvents } from './change-events.js'
import { storeConfig } from './options.js'
import { TombstoneCollector } from './tombstone-gc.js'

/**
 * @typedef {object} Parts
 * @property {import('../transport/transport.js').Transport | null} transport
 * @property {boolean} ownsTransport made here (from a `pigeon`): closed with the store
 * @property {LocalStore} local
 * @property {ReplicatedStore | null} replicated with peers
 * @property {LocalStore | ReplicatedStore} store every data call goes here
 * @property {ChangeEvents} changes
 * @property {TombstoneCollector} gc
 */

/**
 * @param {ReturnType<typeof import('./options.js').normalizeOptions>} opts
 *   peerId is set to the transport's when there is one
 * @param {{ peerId?: unknown }} given the options as the caller gave them
 * @param {import('./lifecycle.js').Lifecycle} lifecycle holds the Web Lock
 * @param {(err: Error) => void} onError the local store's failures
 * @returns {Parts}
 * @throws {PagingStorageError} INVALID_ARGUMENT when peerId differs from the transport's
 */
export function assemble(opts, given, lifecycle, onError) {
  /** @type {import('../transport/transport.js').Transport | null} */
  let transport = null
  let ownsTransport = false
  if (opts.transport) {
    transport = opts.transport
  } else if (opts.pigeon) {
    transport = new PeerPigeonTransport(opts.pigeon)
    ownsTransport = true
  }
  if (transport) {
    if (given.peerId !== undefined && given.peerId !== transport.peerId) {
      throw new PagingStorageError('INVALID_ARGUMENT', "option peerId differs from the transport's peer id")
    }
    opts.peerId = transport.peerId
  }
  const backend = createBackend(opts.persistence)
  const local = new LocalStore(storeConfig(opts), backend, {
    beforeOpen: () => lifecycle.acquireLock(backend, opts.persistence.persistenceKey)
  })
  local.on('error', onError)
  // Change events listen to the local store before the replicated store.
  const changes = new ChangeEvents(local)
  const replicated = transport
    ? new ReplicatedStore(local, transport, {
        replicationFactor: opts.replicationFactor,
        readTimeout: opts.readTimeout,
        tombstoneGracePeriod: opts.tombstoneGracePeriod,
        limits: protocolLimits(opts),
        sync: opts.sync
      })
    : null
  const store = replicated ?? local
  const gc = new TombstoneCollector(
    { engineStats: () => local.engineStats(), compact: (horizon) => store.compact(horizon) },
    { grace: opts.tombstoneGracePeriod }
  )
  return { transport, ownsTransport, local, replicated, store, changes, gc }
}
