// LocalStore: the store on this peer alone, the `Store` the layers above
// build on. It owns the engine, the pager, the paging driver and the serial
// queue; every operation goes through the queue and the driver. Writes that
// changed the store are announced as 'applied' events (the replicated store
// and change events listen); the store never calls the layers above.
import { PagingStorageError } from '../core/errors.js'
import { Emitter } from '../core/emitter.js'
import { logger } from '../core/log.js'
import { DigestCache } from './digest-cache.js'
import { MergeOperation, PurgeOperation, ReadOperation, ScanOperation, SyncScanOperation } from './operations.js'
import { openStore, userFields } from './open-store.js'
import { Room } from './room.js'
import { RunCompaction } from './run-compaction.js'
import { SerialQueue } from './serial-queue.js'
import { StoreRuns } from './store-runs.js'

/** @typedef {import('../engine/wasm-engine.js').WasmEngine} WasmEngine */
/** @typedef {import('./pager.js').Pager} Pager */
/** @typedef {import('./paging-driver.js').PagingDriver} PagingDriver */
/** @typedef {import('./admission.js').Admission} Admission */

const log = logger('store')
// Greater than every hlc: a purge horizon that takes every tombstone.
const MAX_HLC = 'ffffffffffffffff'

/**
 * A write as the store takes it: an engine op, plus `replicate` (false for
 * the *Local API and for records that came from peers) and, for records
 * from peers, `value`: the JSON already parsed once.
 * @typedef {import('../engine/codec.js').WriteOp & { replicate: boolean, value?: unknown }} StoreWrite
 */

/**
 * One write that changed the store, as 'applied' announces it.
 * buffered: a put the engine took without reading its key (existed unknown,
 * reported false; engine/codec.js WriteResult).
 * @typedef {{ record: import('../core/record.js').StoredRecord, replicate: boolean, existed: boolean,
 *             buffered?: boolean }} AppliedWrite
 */

/**
 * maxDiskPages: the disk budget in pages; purgeWhenFull: purge every
 * tombstone, whatever its age, when a write is refused for lack of room (a
 * store without peers: see js/api/tombstone-gc.js); adoptPeerId: peerId
 * is a default, and the id the store's data keeps replaces it
 * (js/store/open-store.js).
 * @typedef {import('../engine/wasm-engine.js').EngineConfig & { maxDiskPages: number, purgeWhenFull?: boolean,
 *           adoptPeerId?: boolean }} StoreConfig
 */

export class LocalStore {
  #config
  #backend
  /** @type {WasmEngine | null} set once open */
  #engine = null
  /** @type {Pager | null} */
  #pager = null
  /** @type {PagingDriver | null} */
  #driver = null
  /** @type {Admission | null} */
  #admission = null
  /** @type {Room | null} */
  #room = null
  #events = new Emitter()
  #queue
  #flushQueued = false
  #compaction
  #openFailed = false
  // Some page failed to load: each operation lets such pages be read again.
  #corrupt = false
  /** Root anti-entropy digests while nothing changes (js/store/digest-cache.js). */
  #digests = new DigestCache()
  /** @type {Array<() => void> | null} run at the end of opening; null once open */
  #onOpen = []

  /**
   * Synchronous: the wasm module and the persisted manifest load in the
   * background; `ready` resolves when they are there, and every operation
   * queued before waits for it.
   * @param {StoreConfig} config
   * @param {import('../persistence/backend.js').Backend} backend
   * @param {{ beforeOpen?: () => Promise<void> }} [hooks] beforeOpen: runs
   *   before anything is read (the api takes the Web Lock there)
   */
  constructor(config, backend, { beforeOpen = async () => {} } = {}) {
    this.#config = config
    this.#compaction = new RunCompaction(
      {
        engine: () => this.#live(),
        isOpen: () => this.isOpen,
        run: (op) => this.#run(op),
        task: (fn) => this.#queue.task(fn),
        saveSoon: () => this.saveSoon(),
        reportError: (err) => this.reportError(err)
      },
      config.maxMemoryPages
    )
    this.#backend = backend
    /** Resolves once open; rejects with what failed. @type {Promise<void>} */
    this.ready = this.#open(beforeOpen)
    this.ready.catch(() => {
      this.#openFailed = true
    })
    const runs = new StoreRuns({
      engine: () => this.#live(),
      pager: () => /** @type {Pager} */ (this.#pager),
      flushAll: () => this.#flushAll(),
      admission: () => /** @type {Admission} */ (this.#admission),
      room: () => /** @type {Room} */ (this.#room),
      compaction: this.#compaction,
      run: (op) => this.#run(op),
      events: this.#events,
      maxMemoryPages: config.maxMemoryPages
    })
    this.#queue = new SerialQueue({
      ready: this.ready,
      runWrites: (ops) => runs.writes(ops),
      runReads: (keys) => runs.reads(keys)
    })
  }

  /**
   * @param {() => Promise<void>} beforeOpen
   * @throws {PagingStorageError} OPEN_FAILED (with the cause), or what
   *   beforeOpen threw when that is a PagingStorageError (LOCKED)
   */
  async #open(beforeOpen) {
    try {
      await this.#load(beforeOpen)
    } catch (err) {
      if (err instanceof PagingStorageError && (err.code === 'OPEN_FAILED' || err.code === 'LOCKED')) throw err
      throw new PagingStorageError('OPEN_FAILED', `store failed to open: ${/** @type {Error} */ (err).message}`, { cause: err })
    }
  }

  /** @param {() => Promise<void>} beforeOpen */
  async #load(beforeOpen) {
    await beforeOpen()
    const opened = await openStore(
      this.#config,
      this.#backend,
      (err) => {
        // A page that failed to load is asked for again by the next
        // operation (#run): the backend may heal.
        if (/** @type {any} */ (err).code === 'CORRUPT') {
          this.#corrupt = true
          this.#digests.changed()
        }
        this.reportError(err)
      },
      () => {
        this.#compaction.soon()
        this.#events.emit('saved')
      }
    )
    this.#pager = opened.pager
    this.#driver = opened.driver
    this.#admission = opened.admission
    this.#engine = opened.engine
    if (opened.peerId !== this.#config.peerId) this.#config = { ...this.#config, peerId: opened.peerId }
    this.#room = new Room({
      ...opened,
      purgeAll: () => this.#compact(MAX_HLC),
      purgeWhenFull: this.#config.purgeWhenFull === true
    })
    log('open: peer %s, %s', this.#config.peerId, opened.restored ? 'restored' : 'new')
    // A pass may be due at once: runs a recovering clock waits for
    // (cpp/src/clock_bound.h).
    this.#compaction.soon()
    const onOpen = /** @type {Array<() => void>} */ (this.#onOpen)
    this.#onOpen = null
    for (const fn of onOpen) fn()
  }

  /**
   * Runs fn once the store is open, before any queued operation runs (at
   * once if it is open already); never if it fails to open.
   * @param {() => void} fn
   */
  onOpen(fn) {
    if (this.#onOpen === null) fn()
    else this.#onOpen.push(fn)
  }

  /** The store has joined a network (now or once open): a full disk budget
   *  no longer purges young tombstones (StoreConfig.purgeWhenFull). */
  withPeers() {
    this.#config = { ...this.#config, purgeWhenFull: false }
    this.#room?.withPeers()
  }

  /** @returns {string} */
  get peerId() {
    return this.#config.peerId
  }

  /**
   * 'applied' (AppliedWrite[] after each write run that changed something;
   * versions are decoded only while someone listens), 'error' (a page that
   * failed to load, a save that failed) or 'saved' (a save stored every
   * write applied before it began).
   * @param {'applied' | 'error' | 'saved'} event
   * @param {(payload: any) => void} listener
   * @returns {() => void} unsubscribe
   */
  on(event, listener) {
    return this.#events.on(event, listener)
  }

  // ---- the Store interface ----

  /**
   * @param {StoreWrite[]} ops
   * @returns {Promise<import('../engine/codec.js').WriteResult[]>} one per op, in order
   * @throws {PagingStorageError} CLOSED, OPEN_FAILED, INTERNAL
   */
  write(ops) {
    this.#digests.changed()
    return this.#queue.write(ops)
  }

  /**
   * Live values (answers carry `json`).
   * @param {string[]} keys
   * @returns {Promise<import('../engine/codec.js').ReadAnswer[]>} one per key: OK, NOT_FOUND or an error code
   */
  read(keys) {
    return this.#queue.read(keys)
  }

  /**
   * Stored records, tombstones included (answers carry `record`).
   * @param {string[]} keys
   * @returns {Promise<import('../engine/codec.js').ReadAnswer[]>}
   */
  lookup(keys) {
    return this.#queue.task(() => this.#run(new ReadOperation(keys, (ks) => this.#live().lookupMany(ks))))
  }

  /**
   * Visits the records of a key range in order.
   * @param {import('../engine/codec.js').KeyRange} range
   * @param {(rec: import('../core/record.js').StoredRecord) => void} onRecord
   * @returns {Promise<void>}
   * @throws {PagingStorageError} CORRUPT when a page of the range failed to load
   */
  scan(range, onRecord) {
    return this.#queue.task(() => {
      const engine = this.#live()
      const position = engine.scanStart(range)
      if (position === null) return undefined
      return this.#run(new ScanOperation(engine, position, onRecord, range))
    })
  }

  /**
   * Anti-entropy answers about the records this peer shares with others on
   * `ring` (js/sync/anti-entropy.js). The ring is held until the scan ends.
   * @param {import('../engine/ring.js').RingView} ring
   * @param {number} rf replication factor
   * @param {Array<{ peer: string, bits: number, prefix: number, entries: boolean }>} queries
   * @returns {Promise<import('../engine/sync-codec.js').SyncAnswer[]>} one per query
   */
  syncScan(ring, rf, queries) {
    ring.retain()
    return this.#queue
      .task(() => {
        const self = ring.indexOf(this.peerId)
        // A peer that is not a member shares nothing; so does a query about self.
        const selfIndex = self >= 0 ? self : ring.members.length
        const q = queries.map((x) => ({ ...x, peer: ring.has(x.peer) ? ring.indexOf(x.peer) : selfIndex }))
        return this.#digests.scan(ring, rf, q, () => this.#run(new SyncScanOperation(this.#live(), ring, { rf, self: selfIndex, queries: q })))
      })
      .finally(() => ring.release())
  }

  /**
   * Tombstone garbage collection: removes the tombstones stamped before
   * `horizon`, then completes the merges of the pages that shrank (saved by
   * the next flush). The caller decides the horizon: no record older than it
   * may bring a purged key back.
   * @param {string | null} horizon an hlc (16 hex digits); null: merges only
   * @returns {Promise<number>} tombstones removed
   */
  compact(horizon) {
    this.#digests.changed()
    return this.#queue.task(() => this.#compact(horizon))
  }

  /** compact() inside a queued task. @param {string | null} horizon */
  async #compact(horizon) {
    const engine = this.#live()
    const chunk = Math.max(1, Math.floor(this.#config.maxMemoryPages / 2))
    const purged = horizon === null ? 0 : await this.#run(new PurgeOperation(engine, horizon, chunk))
    await this.#run(new MergeOperation(engine))
    // The purge loaded every page, so every run is applied: a save drops
    // them (space given back now, not at the next save).
    if (horizon !== null && engine.stats().runPages > 0) await /** @type {Pager} */ (this.#pager).flush()
    return purged
  }

  /**
   * Stores everything acknowledged. With the write path, when the runs hold
   * a large share of the data (a bulk load), a compaction pass first applies
   * them, so reads after the flush (or a reopen) load one page per key.
   * @returns {Promise<void>} once everything acknowledged is stored
   */
  async flush() {
    await this.#queue.task(() => this.#flushAll())
  }

  /** flush() inside a queued task (a bulk pass first, then a save). */
  async #flushAll() {
    if (!this.#pager) return
    const pager = this.#pager
    await this.#compaction.bulkPass(() => pager.flush())
    await pager.flush()
  }

  /** @returns {Promise<number>} clean pages dropped from memory */
  clearCache() {
    return this.#queue.task(() => this.#live().evictAllClean())
  }

  /** Queues a save unless one is queued already; failures are reported as
   *  'error' events, and the pages stay dirty for the next try. A save, not
   *  flush(): no bulk pass (background saves come between the steps of
   *  run merges, which a pass would give up). */
  saveSoon() {
    if (this.#flushQueued || !this.#engine || this.#engine.closed || !this.#engine.hasDirtyPages()) return
    this.#flushQueued = true
    this.#queue
      .task(() => /** @type {Pager} */ (this.#pager).flush())
      .catch(() => {})
      .finally(() => {
        this.#flushQueued = false
      })
  }

  /**
   * The save for a page going away (`pagehide`): when the queue is idle it
   * starts right here, so the backend opens its transaction before this
   * returns; otherwise it is queued behind the running operation (best effort).
   */
  saveNow() {
    const engine = this.#engine
    if (!engine || engine.closed || !engine.hasDirtyPages()) return
    if (!this.#queue.runNowIfIdle(() => /** @type {Pager} */ (this.#pager).flush())) this.saveSoon()
  }

  /**
   * Flushes, frees the engine, closes the backend. Operations queued before
   * complete; later ones reject with CLOSED.
   * @returns {Promise<void>}
   */
  close() {
    if (this.#openFailed) {
      this.#queue.close(new PagingStorageError('CLOSED', 'the store was shut down'))
      return Promise.resolve()
    }
    const closing = this.#queue.task(async () => {
      try {
        await this.#pager?.flush()
      } finally {
        this.#engine?.close()
        await this.#backend.close()
      }
    })
    this.#queue.close(new PagingStorageError('CLOSED', 'the store was shut down'))
    return closing
  }

  // ---- synchronous reads of engine state (never inside another engine call) ----

  /** @returns {boolean} open and not closed */
  get isOpen() {
    return this.#engine !== null && !this.#engine.closed
  }

  /** @returns {string | undefined} the engine's clock (greatest HLC issued or seen) */
  clock() {
    return this.isOpen ? this.#live().clock() : undefined
  }

  /** @returns {any} Engine::StatsJson, or null before open / after close */
  engineStats() {
    return this.isOpen ? this.#live().stats() : null
  }

  /** @returns {string} the engine's user data ('' when not open) */
  userData() {
    return this.isOpen ? this.#live().userData() : ''
  }

  /**
   * Merges fields into the user data (one JSON object whose top-level
   * fields belong to their writers: the sync period's v, since, last; the
   * store's peerId), kept with the engine state from the next flush on.
   * @param {Record<string, unknown>} fields
   */
  setUserFields(fields) {
    this.#live().setUserData(JSON.stringify({ ...userFields(this.userData()), ...fields }))
  }

  /** @returns {any[]} */
  listPages() {
    return this.isOpen ? this.#live().listPages() : []
  }

  /** @returns {{code: number, message: string}} */
  checkInvariants() {
    return this.#live().checkInvariants()
  }

  /**
   * @param {readonly string[]} members sorted by compareKeys
   * @param {readonly number[] | null} [weights] one per member (js/engine/ring.js)
   * @returns {import('../engine/ring.js').RingView} the caller holds its reference
   */
  ring(members, weights = null) {
    return this.#live().ring(members, weights)
  }

  /** @returns {boolean} peers' records fill their share of the disk budget (store/admission.js rule 4) */
  get peersFull() {
    return this.#admission?.peersFull ?? false
  }

  /** @returns {boolean} peers' records nearly fill their share: write them a few at a time */
  get peersNear() {
    return this.#admission?.peersNear ?? false
  }

  /** Counters for stats. */
  get counters() {
    return {
      queue: this.#queue.length,
      pageLoads: this.#pager?.pageLoads ?? 0,
      flushes: this.#pager?.flushes ?? 0,
      lastSave: this.#pager?.lastSave ?? null,
      quotaBlocked: this.#admission?.quotaBlocked ?? false
    }
  }

  // ---- internals ----

  #live() {
    if (this.#engine === null) throw new PagingStorageError('INTERNAL', 'the store is not open')
    return this.#engine
  }

  /**
   * @template R
   * @param {import('./paging-driver.js').Operation<R>} op
   */
  #run(op) {
    if (this.#corrupt && this.#live().retryCorruptPages() === 0) {
      this.#corrupt = false
      this.#digests.changed()
    }
    return /** @type {PagingDriver} */ (this.#driver).run(op)
  }

  /**
   * Reports a background failure as an 'error' event (the layers above report
   * theirs here too).
   * @param {Error} err
   */
  reportError(err) {
    this.#events.emit('error', err)
  }
}
