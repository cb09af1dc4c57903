// PagingStorage: the public API (the seed README's). It checks every
// argument before anything is queued, then hands the work to its Backing
// (js/api/store-host.js): the store held in this tab — the LocalStore, or
// once a network is attached (a `pigeon` or `transport` option, or
// attach()) the ReplicatedStore that wraps it and routes reads and pushes
// writes (js/sync/) — or, when another tab of the app holds the store, that
// tab (js/tabs/). The store opens from its backend without waiting for any
// network. Calls keep their order: the store runs them one at a time.
//
// Besides the error codes each method lists, every async method rejects
// with the open error (OPEN_FAILED, or LOCKED) when the store failed to
// open, and with CLOSED after shutdown().
import { PagingStorageError } from '../core/errors.js'
import { normalizeKey } from '../core/keys.js'
import { logger } from '../core/log.js'
import { decodeValue, encodeValue } from '../core/values.js'
import { okOrThrow, presenceOf, valueOf } from './answers.js'
import { createBacking } from './backing.js'
import { exportData, importData } from './backup.js'
import { entriesOf, pairOf, writeEach } from './batch-results.js'
import { normalizeOptions } from './options.js'
import { rangeQuery } from './range-query.js'
import { StorageEvents } from './storage-events.js'

const log = logger('storage')

/** @typedef {import('../store/local-store.js').StoreWrite} StoreWrite */

export class PagingStorage {
  #opts
  /** @type {'opening' | 'open' | 'closing' | 'closed' | 'failed'} */
  #state = 'opening'
  /** Where every call goes. @type {import('./store-host.js').Backing} */
  #backing
  #events = new StorageEvents()
  /** @type {Promise<void> | null} what shutdown() returns, once called */
  #closed = null

  /**
   * Synchronous: the wasm module and the persisted data load in the
   * background; every async method waits for them, and `ready` resolves
   * when they are there.
   * @param {import('../index.js').PagingStorageOptions} [options] see README "Options"
   * @throws {PagingStorageError} INVALID_ARGUMENT for bad options
   */
  constructor(options = {}) {
    const opts = normalizeOptions(options)
    this.#opts = opts
    this.#backing = createBacking(
      opts,
      options,
      (err) => this.#events.emit('error', err),
      (role) => this.#events.emit('role', role)
    )
    this.#events.bind(this.#backing)
    /** Resolves once the store is open; rejects with OPEN_FAILED or LOCKED. @type {Promise<void>} */
    this.ready = this.#backing.ready.then(
      () => {
        if (this.#state === 'opening') this.#state = 'open' // shut down while opening: that wins
      },
      (err) => {
        if (this.#state === 'opening') this.#state = 'failed'
        throw err
      }
    )
    this.ready.catch(() => {}) // surfaced by every method instead
  }

  /** This peer's id, stamped on every write. @returns {string} */
  get peerId() {
    return this.#backing.peerId
  }

  /**
   * 'local': alone on its persistenceKey; 'leader': this tab holds the store
   * the app's tabs share; 'follower': another tab holds it, and calls go
   * there (a 'role' event tells when this tab takes the lead).
   * @returns {'local' | 'leader' | 'follower'}
   */
  get role() {
    return this.#backing.role
  }

  /**
   * The peer id a store made with these options has: `peerId` if given,
   * else (IndexedDB or localStorage backend, in a browser) the one kept for
   * its persistenceKey in this profile, else a fresh one. Create a mesh
   * under it (`new PeerPigeonMesh({ peerId })`) to attach() it later.
   * @param {import('../index.js').PagingStorageOptions} [options]
   * @returns {string}
   * @throws {PagingStorageError} INVALID_ARGUMENT for bad options
   */
  static peerIdFor(options = {}) {
    return normalizeOptions(options).peerId
  }

  // ---- events ----

  /**
   * Subscribes to 'error' (background failures: a flush, a corrupt page, a
   * sync step), 'change' ({key, value, deleted, origin, hlc}: every write
   * that changed the store, local or from a peer or another tab, and the
   * changes peers push for watched keys; origin + hlc are the write's
   * version, origin the writer's peer id), 'role' ('leader': this tab has
   * taken the shared store over) or 'progress' ({task, done, total} of long
   * work: 'import' (entries written), 'catch-up' (records a joining or
   * returning peer receives, of those its peers announced), 'range' (peers
   * that finished answering a ring-wide range, this store counted)).
   * @param {'error' | 'change' | 'role' | 'progress'} event
   * @param {(payload: any) => void} listener
   * @returns {() => void} unsubscribe
   */
  on(event, listener) {
    return this.#events.on(event, listener)
  }

  /**
   * @param {'error' | 'change' | 'role' | 'progress'} event
   * @param {(payload: any) => void} listener
   */
  off(event, listener) {
    this.#events.off(event, listener)
  }

  /**
   * Calls `listener` with every change to keys starting with `prefix` (a
   * whole key is its own prefix: watch 'doc:1:' rather than 'doc:1' when
   * 'doc:10' exists), or exactly `{ key }`.
   * @param {string | {key: string} | {prefix: string}} target
   * @param {(e: import('../index.js').ChangeEvent) => void} listener
   * @returns {() => void} unsubscribe
   * @throws {PagingStorageError} INVALID_ARGUMENT
   */
  watch(target, listener) {
    return this.#events.watch(target, listener)
  }

  // ---- network ----

  /**
   * Attaches a network: a PeerPigeon mesh (after `init()`; connected or not
   * yet) or any Transport, in place of the one attached before. The store
   * works offline without one; once attached, what was written meanwhile
   * syncs with the peers as they come (anti-entropy and catch-up). Allowed
   * before `ready`.
   * @param {unknown} network its peer id must be this store's `peerId`
   *   (create the mesh with `{ peerId: storage.peerId }`)
   * @throws {PagingStorageError} INVALID_ARGUMENT (not a mesh or transport,
   *   or another peer id); CLOSED after shutdown()
   */
  attach(network) {
    if (this.#closed) throw new PagingStorageError('CLOSED', 'attach: the store is shut down')
    this.#backing.attach(network)
  }

  /** Detaches the network (the peers leave the ring; the store goes on
   *  offline, and a mesh stays the app's). A no-op when none is attached. */
  detach() {
    this.#backing.detach()
  }

  /** @returns {boolean} whether a network is attached (see attach) */
  get attached() {
    return this.#backing.attached
  }

  // ---- writes ----

  /**
   * Stores a JSON value under key; with peers, it is then pushed to the
   * key's replicas (resolves after the local write: see replicated()).
   * @param {string | number} key
   * @param {unknown} value
   * @returns {Promise<void>}
   * @throws {PagingStorageError} INVALID_KEY, INVALID_VALUE, QUOTA_EXCEEDED, CLOSED, OPEN_FAILED
   */
  set(key, value) {
    return this.#put(key, value, true)
  }

  /**
   * Like set, without pushing to replicas (anti-entropy may still copy the
   * value to the key's other replicas when this peer is one of them).
   * @param {string | number} key
   * @param {unknown} value
   * @returns {Promise<void>}
   */
  setLocal(key, value) {
    return this.#put(key, value, false)
  }

  /**
   * Removes key (everywhere, with peers: a tombstone replicates).
   * @param {string | number} key
   * @returns {Promise<boolean>} whether a live key was removed here
   */
  async delete(key) {
    return (await this.#writeOne({ type: 'delete', key: this.#key(key), replicate: true })).existed
  }

  /** @param {string | number} key @returns {Promise<boolean>} */
  async deleteLocal(key) {
    return (await this.#writeOne({ type: 'delete', key: this.#key(key), replicate: false })).existed
  }

  /**
   * Stores many pairs in one batch. Invalid entries (a bad key or value, or
   * not a [key, value] pair) fail alone.
   * @param {Iterable<readonly [unknown, unknown]> | Map<unknown, unknown>} entries
   * @returns {Promise<Array<{key: string, success: boolean, error?: PagingStorageError}>>}
   * @throws {PagingStorageError} INVALID_ARGUMENT when entries is not iterable
   */
  async setMany(entries) {
    return writeEach(
      entriesOf(entries),
      (entry, i) => {
        const [key, value] = pairOf(entry, i)
        return this.#putOp(key, value, true)
      },
      (entry) => (Array.isArray(entry) ? entry[0] : undefined),
      (ops) => this.#backing.write(ops),
      (key, error) => (error ? { key, success: false, error } : { key, success: true })
    )
  }

  // ---- reads ----

  /**
   * The value, here or (with peers) at the key's replicas.
   * @template [T=unknown]
   * @param {string | number} key
   * @returns {Promise<T | undefined>} the value, or undefined when absent
   * @throws {PagingStorageError} INVALID_KEY, CORRUPT, CLOSED, OPEN_FAILED
   */
  async get(key) {
    const k = this.#key(key)
    return /** @type {T | undefined} */ (valueOf((await this.#backing.read([k]))[0], k))
  }

  /**
   * The value stored on this peer only (no network).
   * @template [T=unknown]
   * @param {string | number} key
   * @returns {Promise<T | undefined>}
   */
  async getLocal(key) {
    const k = this.#key(key)
    return /** @type {T | undefined} */ (valueOf((await this.#backing.readLocal([k]))[0], k))
  }

  /**
   * @param {string | number} key
   * @returns {Promise<boolean>} whether key holds a live value (anywhere, with peers)
   */
  async has(key) {
    const k = this.#key(key)
    return presenceOf((await this.#backing.read([k]))[0], k)
  }

  /**
   * @param {Iterable<unknown>} keys
   * @returns {Promise<Map<string, import('../core/values.js').JsonValue | undefined>>} every requested key (as a
   *   string), absent ones mapped to undefined
   * @throws {PagingStorageError} INVALID_ARGUMENT, INVALID_KEY, CORRUPT
   */
  async getMany(keys) {
    if (keys == null || typeof keys === 'string' || typeof (/** @type {any} */ (keys)[Symbol.iterator]) !== 'function') {
      throw new PagingStorageError('INVALID_ARGUMENT', 'getMany expects an iterable of keys, such as an array (not a string)')
    }
    const list = [...keys].map((k) => this.#key(k))
    const answers = list.length > 0 ? await this.#backing.read(list) : []
    const out = new Map()
    list.forEach((k, i) => out.set(k, valueOf(answers[i], k)))
    return out
  }

  /**
   * Entries in key order (Unicode code point order, i.e. UTF-8 bytes): with
   * peers, of the whole ring (every member is asked, a page at a time, and
   * the newest version of each key wins; see README "How peers sync");
   * `scope: 'local'` reads this store only. The next page of a limited
   * range starts after the last key: `gt: lastKey` (`lt` when reverse).
   * @param {{gte?: string, gt?: string, lt?: string, lte?: string,
   *          prefix?: string, limit?: number, reverse?: boolean, scope?: 'ring' | 'local'}} [query]
   * @returns {Promise<Array<[string, import('../core/values.js').JsonValue]>>}
   * @throws {PagingStorageError} INVALID_ARGUMENT, CORRUPT
   */
  async range(query = {}) {
    /** @type {Array<[string, import('../core/values.js').JsonValue]>} */
    const out = []
    await this.#backing.scan(rangeQuery(query), (r) => out.push([r.key, decodeValue(/** @type {string} */ (r.json))]))
    return out
  }

  /**
   * @param {string} [prefix] '' for all
   * @param {{ scope?: 'ring' | 'local' }} [options] as in range()
   * @returns {Promise<string[]>} keys with the prefix, in order (of the whole ring, with peers)
   * @throws {PagingStorageError} INVALID_ARGUMENT
   */
  async keys(prefix = '', options = {}) {
    /** @type {string[]} */
    const out = []
    await this.#backing.scan(rangeQuery({ prefix, scope: options?.scope }), (r) => out.push(r.key))
    return out
  }

  // ---- data management ----

  /** Every live key, resident or not, with its version.
   *  @returns {Promise<import('./backup.js').Backup>} */
  exportData() {
    return exportData(this.#backing, this.peerId)
  }

  /**
   * Imports an export. Entries with a version merge by last-writer-wins (an
   * import never overwrites a newer write); entries without one are plain
   * writes.
   * @param {unknown} backup
   * @returns {Promise<Array<{key: string, imported: boolean, error?: PagingStorageError, reason?: string}>>}
   * @throws {PagingStorageError} INVALID_ARGUMENT when backup is not an export
   */
  importData(backup) {
    return importData(
      backup,
      this.#opts,
      (ops) => this.#backing.write(ops),
      (p) => this.#events.emit('progress', p)
    )
  }

  /**
   * Tombstone garbage collection now (it also runs on a timer): purges the
   * tombstones of deletes older than tombstoneGracePeriod, and merges the
   * pages they leave half empty; the backend's pages and bytes come back
   * down at the next save. With peers, only tombstones every replica of
   * the key confirms (see README, "Deletes and space").
   * @returns {Promise<{purged: number, pages: number}>} purged: tombstones
   *   removed; pages: the store's pages after
   * @throws {PagingStorageError} CORRUPT, IO_ERROR, CLOSED
   */
  compact() {
    return this.#backing.compact()
  }

  /** Drops clean pages from memory (they stay in the backend).
   *  @returns {Promise<number>} pages dropped */
  clearCache() {
    return this.#backing.clearCache()
  }

  /** Writes every dirty page to the backend now.
   *  @returns {Promise<void>} resolves once they are stored
   *  @throws {PagingStorageError} QUOTA_EXCEEDED, IO_ERROR, CLOSED */
  flush() {
    return this.#backing.flush()
  }

  /** Flushes, frees the engine, closes the backend. Calls made before it
   *  complete; calls after it reject with CLOSED.
   *  @returns {Promise<void>} */
  shutdown() {
    if (this.#closed) return this.#closed
    this.#state = 'closing'
    this.#closed = this.#backing.close().finally(() => {
      this.#state = 'closed'
      log('closed')
    })
    return this.#closed
  }

  // ---- introspection (synchronous) ----

  /** Counters of the store; zeros until `ready`. @returns {import('../index.js').StorageStats} */
  getStats() {
    return this.#backing.stats(this.#state)
  }

  /** @returns {import('../index.js').PageSummary[]} */
  listPages() {
    return this.#state === 'closed' ? [] : this.#backing.pages()
  }

  /** Health report: invariants, corrupt pages, stats. @returns {import('../index.js').Diagnosis} */
  diagnose() {
    return this.#backing.diagnose(this.#state)
  }

  /** The ring's members, this peer included, in ring order, each with the
   *  fraction of the key space it replicates (the shares sum to
   *  min(replicationFactor, peers)). [] before ready; this peer alone with
   *  share 1 without peers.
   *  @returns {Array<{peerId: string, self: boolean, connected: boolean, share: number, weight: number, durable: boolean}>} */
  getPeerDistribution() {
    if (this.#state !== 'open') return []
    return this.#backing.distribution()
  }

  /** The peer ids holding `key` under the current ring, in ring order
   *  (this peer alone without peers; [] before ready).
   *  @param {string | number} key
   *  @returns {string[]} */
  replicasFor(key) {
    const k = this.#key(key)
    if (this.#state !== 'open') return []
    return this.#backing.replicasFor([k])[0]
  }

  /** Waits for a replication push of every write so far to be acknowledged
   *  by the replicas under the current ring (with peers), and, with
   *  `copies`, for every write made here to be known to be held by that
   *  many peers (this one counted). It answers how many copies the
   *  least-copied write has: fewer than replicationFactor when the ring is
   *  smaller than that (partitioned, or offline: 1 means on this device
   *  only). With `durable: true` it also waits until every write made here
   *  is on a server peer's disk (`npx paging-storage serve`: it
   *  acknowledges only what it has flushed).
   *  @param {{ timeout?: number, copies?: number, durable?: boolean }} [options] timeout in ms
   *    (>= 0; Infinity: none); copies: 1 (default) to replicationFactor; durable: false (default)
   *  @returns {Promise<{ copies: number, replicationFactor: number }>}
   *  @throws {PagingStorageError} TIMEOUT after timeout ms; INVALID_ARGUMENT for a bad timeout or copies */
  async replicated({ timeout = 10000, copies = 1, durable = false } = {}) {
    if (typeof timeout !== 'number' || !(timeout >= 0)) {
      throw new PagingStorageError('INVALID_ARGUMENT', 'replicated: timeout must be a number of ms, 0 or more')
    }
    if (!Number.isInteger(copies) || copies < 1) throw new PagingStorageError('INVALID_ARGUMENT', 'replicated: copies must be a whole number, 1 or more')
    if (typeof durable !== 'boolean') throw new PagingStorageError('INVALID_ARGUMENT', 'replicated: durable must be a boolean')
    await this.ready
    try {
      const least = await this.#backing.replicated(timeout, copies, durable)
      return { copies: least, replicationFactor: this.#opts.replicationFactor }
    } catch (err) {
      if (err instanceof PagingStorageError) throw err
      throw new PagingStorageError('TIMEOUT', /** @type {Error} */ (err).message)
    }
  }

  // ---- internals ----

  /** @param {unknown} key */
  #key(key) {
    return normalizeKey(key, this.#opts.maxKeyBytes)
  }

  /**
   * @param {unknown} key
   * @param {unknown} value
   * @param {boolean} replicate
   * @returns {StoreWrite}
   */
  #putOp(key, value, replicate) {
    const k = this.#key(key)
    return { type: 'put', key: k, json: encodeValue(value, this.#opts.maxValueBytes, k), replicate }
  }

  /**
   * set and setLocal, in one async function: the awaited single write is
   * the hot path, and each async layer costs a promise and a turn.
   * @param {unknown} key
   * @param {unknown} value
   * @param {boolean} replicate
   * @returns {Promise<void>}
   */
  async #put(key, value, replicate) {
    const op = this.#putOp(key, value, replicate)
    okOrThrow((await this.#backing.write([op]))[0], op.key)
  }

  /** @param {StoreWrite} op */
  async #writeOne(op) {
    return okOrThrow((await this.#backing.write([op]))[0], op.key)
  }
}

