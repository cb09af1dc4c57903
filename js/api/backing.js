// Which Backing a PagingStorage gets: the store held in this tab alone
// (StoreHost), or one shared by every tab of the app (SharedStore, js/tabs/),
// where the browser lets tabs share: Web Locks to elect the tab that holds
// it, a BroadcastChannel to reach that tab, and a backend every tab reaches
// by name (IndexedDB or localStorage). Elsewhere (Node; the memory backend;
// a backend object without a name; `persistence.shareTabs: false`) a second
// store on a persistenceKey gets LOCKED, as a store alone always did.
import { loadModule } from '../engine/load-module.js'
import { sharedBackendName } from '../persistence/create-backend.js'
import { RingView } from '../engine/ring.js'
import { SharedStore } from '../tabs/shared-store.js'
import { storageStats } from './stats.js'
import { StoreHost } from './store-host.js'

/**
 * @param {ReturnType<typeof import('./options.js').normalizeOptions>} opts
 * @returns {string | null} the name every tab opens the store under, or null when tabs cannot share it
 */
export function sharedName(opts) {
  const locks = /** @type {any} */ (globalThis.navigator)?.locks
  if (!opts.persistence.shareTabs || !locks || typeof globalThis.BroadcastChannel !== 'function') return null
  return sharedBackendName(opts.persistence)
}

/**
 * @param {ReturnType<typeof import('./options.js').normalizeOptions>} opts
 * @param {{ peerId?: unknown }} given the options as the caller gave them
 * @param {(err: Error) => void} onError background failures of the store held here
 * @param {(role: 'leader' | 'follower') => void} onRole told when this tab takes the lead
 * @returns {import('./store-host.js').Backing}
 * @throws {import('../core/errors.js').PagingStorageError} INVALID_ARGUMENT
 */
export function createBacking(opts, given, onError, onRole) {
  const name = sharedName(opts)
  if (name === null) return new StoreHost(opts, given, onError)
  return new SharedStore(opts, {
    locks: /** @type {any} */ (globalThis.navigator).locks,
    lockName: name,
    makeHost: () => new StoreHost(opts, given, onError, { lockHeld: true }),
    loadModule,
    makeRing: (module, members, weights) => new RingView(module, members, opts.virtualNodes, weights),
    emptyStats: (state) =>
      storageStats({
        state,
        peerId: opts.peerId,
        opts,
        local: /** @type {any} */ ({ engineStats: () => null, counters: EMPTY_COUNTERS }),
        replicated: null
      }),
    onRole
  })
}

const EMPTY_COUNTERS = Object.freeze({ pageLoads: 0, flushes: 0, lastSave: null, quotaBlocked: false, queue: 0 })
