// StoreHost: the store held in this tab (or process): the engine's parts
// (js/api/assemble.js) with what ties them to the page — the Web Lock on
// the persistenceKey, autosave and the saves on `pagehide`, tombstone GC.
// It is the Backing of a PagingStorage that is alone on its persistenceKey,
// and of the leader tab when tabs share one (js/tabs/).
//
// Invariant: the lock is held from before the backend is first read until
// close() has finished (or opening failed); the autosave timer and the GC
// run only while the store is open.
import { PagingStorageError } from '../core/errors.js'
import { assemble, attachNetwork, attachServers, detachNetwork, networkOf } from './assemble.js'
import { keepPeerId } from './identity.js'
import { Lifecycle } from './lifecycle.js'
import { diagnosis, pageList, storageStats } from './stats.js'

/**
 * What a PagingStorage delegates to: the store held here, or one held by
 * another tab (js/tabs/tab-follower.js). Every async method may reject with
 * the open error, and with CLOSED after close().
 * @typedef {object} Backing
 * @property {Promise<void>} ready resolves once calls can run; rejects with OPEN_FAILED or LOCKED
 * @property {string} peerId the store's peer id (a follower's is its leader's)
 * @property {'local' | 'leader' | 'follower'} role local: alone on its persistenceKey
 * @property {(ops: import('../store/local-store.js').StoreWrite[]) => Promise<import('../engine/codec.js').WriteResult[]>} write
 * @property {(keys: string[]) => Promise<import('../engine/codec.js').ReadAnswer[]>} read here or at the replicas
 * @property {(keys: string[]) => Promise<import('../engine/codec.js').ReadAnswer[]>} readLocal this store only
 * @property {(range: import('../engine/codec.js').KeyRange, onRecord: (r: import('../core/record.js').StoredRecord) => void) => Promise<void>} scan
 * @property {() => Promise<void>} flush
 * @property {() => Promise<number>} clearCache
 * @property {() => Promise<{purged: number, pages: number}>} compact
 * @property {(timeoutMs: number, copies: number, durable?: boolean) => Promise<number>} replicated the fewest copies
 *   known of a write made here, once every push is acknowledged and every write has `copies`;
 *   rejects (an Error with code TIMEOUT) on timeout
 * @property {(network: unknown) => void} attach
 * @property {() => void} detach
 * @property {boolean} attached
 * @property {(event: 'applied' | 'error' | 'saved' | 'progress', fn: (payload: any) => void) => () => void} on
 *   applied: writes that changed the store, and changes peers pushed for
 *   watched keys it does not hold; saved: a save stored every write applied
 *   before it began; progress: {task, done, total} of long sync work
 * @property {(targets: import('../sync/interests.js').Target[]) => void} watch the whole list of
 *   what this tab's app watches (subscribed at the peers that hold it)
 * @property {(state: string) => import('../index.js').StorageStats} stats
 * @property {() => import('../index.js').PageSummary[]} pages
 * @property {(state: string) => import('../index.js').Diagnosis} diagnose
 * @property {() => Array<{peerId: string, self: boolean, connected: boolean, share: number, weight: number, durable: boolean}>} distribution
 * @property {(keys: string[]) => string[][]} replicasFor
 * @property {() => Promise<void>} close
 */

export class StoreHost {
  #opts
  #parts
  #lifecycle = new Lifecycle()
  #closing = false
  /** 'leader': a tab elected to hold the store its tabs share (it holds the lock already). @type {'local' | 'leader'} */
  role

  /**
   * Synchronous: the store opens in the background (`ready`).
   * @param {ReturnType<typeof import('./options.js').normalizeOptions>} opts
   * @param {{ peerId?: unknown }} given the options as the caller gave them
   * @param {(err: Error) => void} onError background failures
   * @param {{ lockHeld?: boolean }} [how] lockHeld: the caller holds the
   *   persistenceKey already (a tab elected leader)
   * @throws {import('../core/errors.js').PagingStorageError} INVALID_ARGUMENT
   */
  constructor(opts, given, onError, { lockHeld = false } = {}) {
    this.#opts = opts
    this.role = lockHeld ? 'leader' : 'local'
    const lifecycle = lockHeld ? { acquireLock: async () => {} } : this.#lifecycle
    this.#parts = assemble(opts, given, /** @type {Lifecycle} */ (lifecycle), onError)
    const parts = this.#parts
    parts.local.onOpen(() => {
      if (parts.local.peerId !== opts.peerId) this.#adopt(parts.local.peerId, onError)
      if (this.#closing) return
      attachServers(parts, opts)
      this.#lifecycle.watch({
        every: opts.persistence.autoSaveInterval,
        saveSoon: () => parts.local.saveSoon(),
        saveNow: () => parts.local.saveNow()
      })
      parts.gc.start(onError)
    })
    this.ready = parts.local.ready.catch((err) => {
      this.#lifecycle.releaseLock()
      throw err
    })
    this.ready.catch(() => {})
  }

  get peerId() {
    return this.#opts.peerId
  }

  /** @param {import('../store/local-store.js').StoreWrite[]} ops */
  write(ops) {
    return this.#parts.store.write(ops)
  }

  /** @param {string[]} keys */
  read(keys) {
    return this.#parts.store.read(keys)
  }

  /** @param {string[]} keys */
  readLocal(keys) {
    return this.#parts.local.read(keys)
  }

  /** @type {Backing['scan']} */
  scan(range, onRecord) {
    return this.#parts.store.scan(range, onRecord)
  }

  flush() {
    return this.#parts.store.flush()
  }

  clearCache() {
    return this.#parts.store.clearCache()
  }

  async compact() {
    const { purged } = await this.#parts.gc.collect()
    return { purged, pages: this.#parts.local.engineStats()?.pages ?? 0 }
  }

  /** @param {number} timeoutMs @param {number} [copies] @param {boolean} [durable] */
  async replicated(timeoutMs, copies = 1, durable = false) {
    const r = this.#parts.replicated
    if (r) return r.replicated(timeoutMs, copies, durable)
    if (copies <= 1 && !durable) return 1
    // No network: no other copy can come before the network does.
    await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 2 ** 31 - 1)))
    if (this.#parts.replicated) return /** @type {any} */ (this.#parts.replicated).replicated(0, copies, durable)
    throw Object.assign(new Error(`no network attached: a write cannot have ${durable ? 'a copy on a server peer' : `${copies} copies`}`), { code: 'TIMEOUT' })
  }

  /** @param {unknown} network */
  attach(network) {
    attachNetwork(this.#parts, this.#opts, networkOf(network))
  }

  detach() {
    detachNetwork(this.#parts)
  }

  get attached() {
    return this.#parts.transport.attached
  }

  /** @type {Backing['on']} */
  on(event, fn) {
    if (event === 'progress') return this.#parts.syncEvents.on('progress', fn)
    if (event !== 'applied') return this.#parts.local.on(event, fn)
    // A change announced when a peer pushed it is not announced again when
    // its copy reaches this store.
    const off = this.#parts.local.on('applied', (applied) => {
      const r = this.#parts.replicated
      const fresh = r ? applied.filter((a) => !r.announced(a.record)) : applied
      if (fresh.length > 0) fn(fresh)
    })
    const offRemote = this.#parts.syncEvents.on('applied', fn)
    return () => {
      off()
      offRemote()
    }
  }

  /** @param {import('../sync/interests.js').Target[]} targets */
  watch(targets) {
    this.#parts.interests.set('self', targets)
  }

  /**
   * What a follower tab's app watches, held here for it.
   * @param {string} tab the follower's id
   * @param {import('../sync/interests.js').Target[]} targets [] when it left
   * @throws {import('../core/errors.js').PagingStorageError} INVALID_ARGUMENT for a bad list
   */
  watchFor(tab, targets) {
    this.#parts.interests.set(`tab:${tab}`, targets)
  }

  /** @param {string} state the PagingStorage's */
  stats(state) {
    return storageStats(this.#sources(state))
  }

  pages() {
    return this.#closing ? [] : pageList(this.#parts.local)
  }

  /** @param {string} state */
  diagnose(state) {
    return diagnosis(this.#sources(state))
  }

  distribution() {
    const r = this.#parts.replicated
    return r ? r.distribution() : [{ peerId: this.peerId, self: true, connected: true, share: 1, weight: this.#opts.ringWeight, durable: this.#opts.durableAcks }]
  }

  /** @param {string[]} keys */
  replicasFor(keys) {
    const r = this.#parts.replicated
    return r ? r.replicasFor(keys) : keys.map(() => [this.peerId])
  }

  /** Flushes, frees the engine, closes the backend, lets the lock go. */
  close() {
    this.#closing = true
    this.#lifecycle.stopWatching()
    this.#parts.gc.stop()
    const done = this.#parts.store.close()
    detachNetwork(this.#parts)
    return done.finally(() => this.#lifecycle.releaseLock())
  }

  /**
   * The store opened under the id its data keeps, not the default it was
   * made with (js/store/open-store.js): that id is this store's from now on.
   * @param {string} peerId
   * @param {(err: Error) => void} onError
   */
  #adopt(peerId, onError) {
    const transport = this.#parts.transport
    if (transport.attached) {
      transport.detach()
      onError(
        new PagingStorageError(
          'INVALID_ARGUMENT',
          `the store's data keeps peer id ${peerId.slice(0, 12)}…, not the one the network attached before it opened: attach after ready (create the mesh with { peerId: storage.peerId })`
        )
      )
    }
    this.#opts.peerId = peerId
    transport.peerId = peerId
    keepPeerId(this.#opts.persistence.persistenceKey, peerId)
  }

  /** @param {string} state */
  #sources(state) {
    const p = this.#parts
    return { state, peerId: this.peerId, opts: this.#opts, local: p.local, replicated: p.replicated }
  }
}
