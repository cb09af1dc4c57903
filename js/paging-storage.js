// PagingStorage: the public API (the seed README's). Every async method goes
// through one serial queue, so calls keep their order and never interleave
// inside the engine; runs of consecutive writes (or reads) are coalesced into
// one wasm call. With a `pigeon` (or any `transport`), a PeerSync replicates
// writes and routes reads (js/sync/); without one the store is local-only.
import { PagingStorageError, StatusCode, errorFromStatus } from './errors.js'
import { Emitter } from './emitter.js'
import { keyMatcher } from './key-matcher.js'
import { loadModule } from './engine/load-module.js'
import { WasmEngine } from './engine/wasm-engine.js'
import { OpType, ScanFlag, Writer, utf8 } from './engine/wire.js'
import { logger } from './log.js'
import { normalizeOptions } from './options.js'
import { Pager } from './pager.js'
import { createBackend } from './persistence/index.js'
import { PeerSync } from './sync/peer-sync.js'
import { compareVersions, protocolLimits } from './sync/protocol.js'
import { PeerPigeonTransport } from './transport/peerpigeon.js'
import { decodeValue, encodeValue, normalizeKey } from './values.js'

const log = logger('storage')

// Ops per wasm call: bounds the re-decoding when a batch stops for a page.
const OPS_PER_CALL = 512
// Ops or keys coalesced into one run of the queue.
const RUN_LIMIT = 8192
const HEX16 = /^[0-9a-f]{16}$/
const ZERO_DIGEST = '0000000000000000'

export class PagingStorage {
  #opts
  #module = null
  #engine = null
  #backend = null
  #pager = null
  #state = 'opening' // opening | open | closing | closed | failed
  #queue = []
  #draining = false
  #events = new Emitter()
  #timer = null
  #flushQueued = false
  #closed = null // the promise shutdown() returns, once called
  #releaseLock = null // ends our hold on the Web Lock for persistenceKey
  #removeLifecycleListeners = null
  #pageCount = 0 // pages, as of the last write or stats read
  // Set when a save failed for lack of space: new values are refused (with
  // QUOTA_EXCEEDED) until a save succeeds; deletes still go through.
  #quotaBlocked = false
  // Reused encode buffers. Only the serial queue uses them, one run at a
  // time, and embind copies their bytes during each wasm call.
  #opsWriter = new Writer(4096)
  #keysWriter = new Writer(1024)
  #transport = null
  #sync = null // PeerSync, once open with a transport
  #ringMembers = [] // the engine ring's members, in its index order
  #ownership = { owned: 0, replica: 0, at: 0, running: false }

  /**
   * Synchronous: the wasm module and the persisted data load in the
   * background; every async method waits for them, and `ready` resolves
   * when they are there (or rejects with OPEN_FAILED).
   * @param {object} [options] see README "Options"
   */
  constructor(options = {}) {
    this.#opts = normalizeOptions(options)
    this.#transport = this.#opts.transport ?? (this.#opts.pigeon ? new PeerPigeonTransport(this.#opts.pigeon) : null)
    if (this.#transport) {
      if (options.peerId !== undefined && options.peerId !== this.#transport.peerId) {
        throw new PagingStorageError('INVALID_ARGUMENT', 'option peerId differs from the transport\'s peer id')
      }
      this.#opts.peerId = this.#transport.peerId
    }
    this.#backend = createBackend(this.#opts.persistence)
    /** @type {string} */
    this.peerId = this.#opts.peerId
    /** @type {Promise<void>} */
    this.ready = this.#open()
    this.ready.catch(() => {}) // surfaced by every method instead
  }

  async #open() {
    try {
      await this.#acquireLock()
      const [module, manifest] = await Promise.all([loadModule(), this.#backend.loadManifest()])
      this.#module = module
      this.#engine = new WasmEngine(module, this.#opts, manifest)
      this.#pageCount = this.#engine.stats().pages
      this.#pager = new Pager(this.#engine, this.#backend, (err) => this.#onBackgroundError(err))
      this.#pager.onSaved = () => {
        this.#quotaBlocked = false
      }
      const every = this.#opts.persistence.autoSaveInterval
      if (every > 0 && this.#state === 'opening') {
        this.#timer = setInterval(() => this.#saveSoon(), every)
        this.#timer.unref?.()
      }
      if (this.#state === 'opening') this.#watchLifecycle()
      if (this.#state === 'opening' && this.#transport) {
        this.#sync = new PeerSync(this.#syncHost(), this.#transport, {
          ...this.#opts.sync,
          readTimeout: this.#opts.readTimeout
        }, protocolLimits(this.#opts))
      }
      // shutdown() may have been called while opening: it wins.
      if (this.#state === 'opening') this.#state = 'open'
      log('open: peer %s, %s', this.peerId, manifest ? 'restored' : 'new')
    } catch (err) {
      if (this.#state === 'opening') this.#state = 'failed'
      this.#releaseLock?.()
      throw err instanceof PagingStorageError && (err.code === 'OPEN_FAILED' || err.code === 'LOCKED')
        ? err
        : new PagingStorageError('OPEN_FAILED', `store failed to open: ${err.message}`, { cause: err })
    }
  }

  /**
   * One instance at a time owns a persistenceKey: the data has a single
   * writer, so two tabs cannot interleave flushes. A second instance (another
   * tab, or the same page) fails to open with LOCKED. Only where Web Locks
   * exist (browsers) and for backends with a name (indexeddb, localstorage).
   */
  async #acquireLock() {
    const locks = globalThis.navigator?.locks
    const name = this.#backend.name
    if (!locks || typeof name !== 'string') return
    let release
    const held = new Promise((resolve) => {
      release = resolve
    })
    const granted = await new Promise((resolve, reject) => {
      locks
        .request(name, { ifAvailable: true }, (lock) => {
          resolve(lock !== null)
          return lock === null ? undefined : held
        })
        .catch(reject)
    })
    if (!granted) {
      throw new PagingStorageError(
        'LOCKED',
        `persistenceKey '${this.#opts.persistence.persistenceKey}' is open in another tab or instance; ` +
          'close it first or use another persistenceKey'
      )
    }
    this.#releaseLock = release
  }

  /** Saves when the page is hidden or going away (browsers). */
  #watchLifecycle() {
    const doc = globalThis.document
    if (typeof globalThis.addEventListener !== 'function' || !doc) return
    const onHide = () => this.#saveBeforeUnload()
    const onVisibility = () => {
      if (doc.visibilityState === 'hidden') this.#saveSoon()
    }
    globalThis.addEventListener('pagehide', onHide)
    doc.addEventListener('visibilitychange', onVisibility)
    this.#removeLifecycleListeners = () => {
      globalThis.removeEventListener('pagehide', onHide)
      doc.removeEventListener('visibilitychange', onVisibility)
    }
  }

  /**
   * On pagehide the page may be gone once the handler returns, so when the
   * queue is idle the save starts right here, synchronously: the backend
   * creates and commits its transaction before this returns. (Busy queue: the
   * save is queued behind the running operation, best effort.)
   */
  #saveBeforeUnload() {
    if (this.#state !== 'open' || !this.#engine.hasDirtyPages()) return
    if (this.#draining) {
      this.#saveSoon()
      return
    }
    this.#draining = true
    this.#pager
      .flush()
      .catch(() => {}) // reported by the pager
      .finally(() => {
        this.#draining = false
        if (this.#queue.length > 0) {
          this.#draining = true
          queueMicrotask(() => this.#drain())
        }
      })
  }

  #onBackgroundError(err) {
    if (err?.code === 'QUOTA_EXCEEDED') this.#quotaBlocked = true
    this.#events.emit('error', err)
  }

  // ---- events ----

  /**
   * Subscribes to 'error' (background failures: a flush, a corrupt page, a
   * sync step) or 'change' ({key, value, deleted, origin, hlc}: every write
   * that changed the store, local or from a peer; origin + hlc are the
   * write's version, origin the writer's peer id).
   * @returns {() => void} unsubscribe
   */
  on(event, listener) {
    return this.#events.on(event, listener)
  }

  /**
   * Calls `listener` with every change to keys starting with `prefix` (a
   * whole key is its own prefix: watch 'doc:1:' rather than 'doc:1' when
   * 'doc:10' exists), or exactly `{ key }`.
   * @returns {() => void} unsubscribe
   */
  watch(target, listener) {
    const match = keyMatcher(target)
    if (typeof listener !== 'function') throw new PagingStorageError('INVALID_ARGUMENT', 'watch expects a listener function')
    return this.on('change', (e) => {
      if (match(e.key)) listener(e)
    })
  }

  off(event, listener) {
    this.#events.off(event, listener)
  }

  // ---- writes ----

  /** Stores a JSON value under key; with peers, it is then pushed to the
   *  key's replicas (resolves after the local write: see flush()). */
  async set(key, value) {
    const result = (await this.#write([this.#putOp(key, value, true)]))[0]
    if (result.code !== StatusCode.OK) throw errorFromStatus(result.code, result.message, key)
  }

  /** Removes key (everywhere, with peers: a tombstone replicates).
   *  @returns {Promise<boolean>} whether a live key was removed here */
  delete(key) {
    return this.#delete(key, true)
  }

  /** Like set, without pushing to replicas (anti-entropy may still copy the
   *  value to the key's other replicas when this peer is one of them). */
  async setLocal(key, value) {
    const result = (await this.#write([this.#putOp(key, value, false)]))[0]
    if (result.code !== StatusCode.OK) throw errorFromStatus(result.code, result.message, key)
  }

  deleteLocal(key) {
    return this.#delete(key, false)
  }

  async #delete(key, replicate) {
    const k = normalizeKey(key, this.#opts.maxKeyBytes)
    const result = (await this.#write([{ type: OpType.DELETE, key: k, replicate }]))[0]
    if (result.code !== StatusCode.OK) throw errorFromStatus(result.code, result.message, k)
    return result.existed
  }

  /**
   * Stores many pairs in one batch. Invalid entries fail alone.
   * @param {Iterable<[unknown, unknown]>} entries
   * @returns {Promise<Array<{key: string, success: boolean, error?: PagingStorageError}>>}
   */
  async setMany(entries) {
    const pairs = this.#pairs(entries)
    const out = new Array(pairs.length)
    const ops = []
    const slots = []
    pairs.forEach(([key, value], i) => {
      try {
        const op = this.#putOp(key, value, true)
        ops.push(op)
        slots.push(i)
        out[i] = { key: op.key, success: false }
      } catch (err) {
        out[i] = { key: typeof key === 'string' ? key : String(key), success: false, error: err }
      }
    })
    const results = ops.length > 0 ? await this.#write(ops) : []
    results.forEach((r, j) => {
      const slot = out[slots[j]]
      if (r.code === StatusCode.OK) slot.success = true
      else slot.error = errorFromStatus(r.code, r.message, slot.key)
    })
    return out
  }

  // ---- reads ----

  /** The value, here or (with peers) at the key's replicas.
   *  @returns {Promise<unknown>} the value, or undefined when absent */
  async get(key) {
    const k = normalizeKey(key, this.#opts.maxKeyBytes)
    if (this.#transport) return decodeRecord((await this.#routedLookup([k]))[0])
    const r = (await this.#read([k]))[0]
    return this.#valueOf(r, k)
  }

  /** The value stored on this peer only (no network). */
  async getLocal(key) {
    const k = normalizeKey(key, this.#opts.maxKeyBytes)
    const r = (await this.#read([k]))[0]
    return this.#valueOf(r, k)
  }

  /** @returns {Promise<boolean>} whether key holds a live value (anywhere, with peers) */
  async has(key) {
    const k = normalizeKey(key, this.#opts.maxKeyBytes)
    if (this.#transport) {
      const rec = (await this.#routedLookup([k]))[0]
      return rec !== null && rec[3] === 0
    }
    const r = (await this.#read([k]))[0]
    if (r.code === StatusCode.OK) return true
    if (r.code === StatusCode.NOT_FOUND) return false
    throw errorFromStatus(r.code, r.message, k)
  }

  /**
   * @param {Iterable<unknown>} keys
   * @returns {Promise<Map<string, unknown>>} every requested key (as a
   *   string), absent ones mapped to undefined
   */
  async getMany(keys) {
    if (keys == null || typeof keys[Symbol.iterator] !== 'function') {
      throw new PagingStorageError('INVALID_ARGUMENT', 'getMany expects an iterable of keys')
    }
    const list = [...keys].map((k) => normalizeKey(k, this.#opts.maxKeyBytes))
    const out = new Map()
    if (list.length > 0 && this.#transport) {
      const records = await this.#routedLookup(list)
      list.forEach((k, i) => out.set(k, decodeRecord(records[i])))
      return out
    }
    const results = list.length > 0 ? await this.#read(list) : []
    list.forEach((k, i) => out.set(k, this.#valueOf(results[i], k)))
    return out
  }

  /**
   * Entries in key order (Unicode code point order, i.e. UTF-8 bytes).
   * @param {{gte?: string, gt?: string, lt?: string, lte?: string,
   *          prefix?: string, limit?: number, reverse?: boolean}} [query]
   * @returns {Promise<Array<[string, unknown]>>}
   */
  async range(query = {}) {
    const scan = this.#scanBytes(query)
    if (scan === null) return []
    const out = []
    await this.#task(() => this.#scanAll(scan, (r) => out.push([r.key, decodeValue(r.value)]), query))
    return out
  }

  /** @returns {Promise<string[]>} keys with the prefix ('' for all), in order */
  async keys(prefix = '') {
    const scan = this.#scanBytes({ prefix })
    if (scan === null) return []
    const out = []
    await this.#task(() => this.#scanAll(scan, (r) => out.push(r.key)))
    return out
  }

  // ---- data management ----

  /** Every live key, resident or not, with its version.
   *  @returns {Promise<{peerId, exportedAt, totalKeys, data: Array<{key, value, hlc, origin}>}>} */
  async exportData() {
    const data = []
    await this.#task(() =>
      this.#scanAll(this.#scanBytes({}), (r) =>
        data.push({ key: r.key, value: decodeValue(r.value), hlc: r.hlc, origin: r.origin })
      )
    )
    return { peerId: this.peerId, exportedAt: new Date().toISOString(), totalKeys: data.length, data }
  }

  /**
   * Imports an export. Entries with a version merge by last-writer-wins (an
   * import never overwrites a newer write); entries without one are plain
   * writes. @returns {Promise<Array<{key, imported: boolean, error?, reason?}>>}
   */
  async importData(backup) {
    if (backup === null || typeof backup !== 'object' || !Array.isArray(backup.data)) {
      throw new PagingStorageError('INVALID_ARGUMENT', 'importData expects an exportData() result')
    }
    const out = []
    const ops = []
    const slots = []
    backup.data.forEach((entry, i) => {
      const key = entry !== null && typeof entry === 'object' ? entry.key : undefined
      try {
        if (key === undefined) throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} is not {key, value}`)
        const k = normalizeKey(key, this.#opts.maxKeyBytes)
        const json = encodeValue(entry.value, this.#opts.maxValueBytes, k)
        const versioned = entry.hlc !== undefined || entry.origin !== undefined
        if (versioned && !(typeof entry.hlc === 'string' && HEX16.test(entry.hlc) &&
            entry.hlc !== '0000000000000000' && typeof entry.origin === 'string' &&
            entry.origin.length > 0 && entry.origin.length <= 255)) {
          throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} has a malformed version`, { key: k })
        }
        ops.push(versioned
          ? { type: OpType.MERGE, key: k, json, hlc: entry.hlc, origin: entry.origin, replicate: true }
          : { type: OpType.PUT, key: k, json, replicate: true })
        slots.push(out.length)
        out.push({ key: k, imported: false })
      } catch (err) {
        out.push({ key: typeof key === 'string' ? key : String(key), imported: false, error: err })
      }
    })
    const results = ops.length > 0 ? await this.#write(ops) : []
    results.forEach((r, j) => {
      const slot = out[slots[j]]
      if (r.code !== StatusCode.OK) slot.error = errorFromStatus(r.code, r.message, slot.key)
      else if (r.applied) slot.imported = true
      else slot.reason = 'a newer version is stored'
    })
    return out
  }

  /** Drops clean pages from memory (they stay in the backend).
   *  @returns {Promise<number>} pages dropped */
  clearCache() {
    return this.#task(() => this.#engine.evictAllClean())
  }

  /** Writes every dirty page to the backend now.
   *  @returns {Promise<void>} resolves once they are stored */
  flush() {
    return this.#task(async () => {
      await this.#pager.flush()
    })
  }

  /** Flushes, frees the engine, closes the backend. Calls made before it
   *  complete; calls after it reject with CLOSED. */
  async shutdown() {
    if (this.#state === 'closed' || this.#state === 'closing') return this.#closed
    const wasFailed = this.#state === 'failed'
    this.#sync?.close()
    if (!this.#opts.transport) this.#transport?.close()
    const done = wasFailed
      ? Promise.resolve()
      : this.#task(async () => {
          try {
            await this.#pager.flush()
          } finally {
            this.#engine.close()
            await this.#backend.close()
            this.#removeLifecycleListeners?.()
            this.#releaseLock?.()
          }
        })
    this.#state = 'closing'
    clearInterval(this.#timer)
    this.#closed = done.finally(() => {
      this.#state = 'closed'
      log('closed')
    })
    return this.#closed
  }

  // ---- introspection (synchronous) ----

  /** Counters of the store; zeros until `ready`. */
  getStats() {
    const s = this.#engine && this.#state !== 'closed' ? this.#engine.stats() : null
    if (s) this.#pageCount = s.pages
    const max = this.#opts.persistence.maxMemoryPages
    const maxDisk = this.#opts.persistence.maxDiskPages
    return {
      ready: this.#state === 'open',
      peerId: this.peerId,
      totalPages: s?.pages ?? 0,
      totalKeys: s?.liveKeys ?? 0,
      tombstones: s?.tombstones ?? 0,
      bytes: s?.bytes ?? 0,
      connectedPeers: this.#sync?.connectedPeers ?? 0,
      cache: {
        residentPages: s?.residentPages ?? 0,
        maxMemoryPages: max,
        memoryPressure: s?.memoryPressure ?? 0,
        dirtyPages: s?.dirtyPages ?? 0,
        corruptPages: s?.corruptPages ?? 0,
        pageLoads: this.#pager?.pageLoads ?? 0,
        flushes: this.#pager?.flushes ?? 0,
        lastSave: this.#pager?.lastSave ?? null,
        maxCachePages: this.#opts.maxCachePages,
        maxDiskPages: maxDisk,
        diskPressure: (s?.pages ?? 0) / maxDisk,
        quotaBlocked: this.#quotaBlocked
      },
      dht: this.#dhtStats(s),
      sync: {
        pendingReplications: this.#sync?.pendingReplications ?? 0,
        messagesIn: this.#sync?.stats.messagesIn ?? 0,
        messagesOut: this.#sync?.stats.messagesOut ?? 0,
        bytesIn: this.#sync?.stats.bytesIn ?? 0,
        bytesOut: this.#sync?.stats.bytesOut ?? 0,
        rejected: this.#sync?.stats.rejected ?? 0,
        rejectedWhy: { ...(this.#sync?.stats.rejectedWhy ?? {}) }
      },
      queue: this.#queue.length
    }
  }

  /** @returns {Array<{id, firstKey, keyCount, bytes, resident, dirty, corrupt, lastModified}>} */
  listPages() {
    if (!this.#engine || this.#state === 'closed') return []
    return this.#engine.listPages().map((p) => ({
      id: p.id,
      firstKey: p.lowerKey,
      keyCount: p.keyCount,
      bytes: p.bytes,
      resident: p.resident,
      dirty: p.dirty,
      corrupt: p.corrupt,
      lastModified: p.lastModifiedMs === 0 ? null : p.lastModifiedMs
    }))
  }

  /** Health report: invariants, corrupt pages, stats. */
  diagnose() {
    const stats = this.getStats()
    if (!this.#engine || this.#state === 'closed') {
      return { ok: false, state: this.#state, issues: [`store is ${this.#state}`], stats }
    }
    const inv = this.#engine.checkInvariants()
    const pages = this.listPages()
    const issues = []
    if (inv.code !== StatusCode.OK) issues.push(`invariant broken: ${inv.message}`)
    for (const p of pages) if (p.corrupt) issues.push(`page ${p.id} is corrupt (keys from '${p.firstKey}')`)
    return { ok: issues.length === 0, state: this.#state, issues, stats, pages: pages.length }
  }

  /** The ring's members, this peer included, in ring order, each with the
   *  fraction of the key space it replicates (the shares sum to
   *  min(replicationFactor, peers)). [] before ready; this peer alone with
   *  share 1 without peers.
   *  @returns {Array<{peerId: string, self: boolean, connected: boolean, share: number}>} */
  getPeerDistribution() {
    if (this.#state !== 'open') return []
    if (!this.#sync) return [{ peerId: this.peerId, self: true, connected: true, share: 1 }]
    const shares = this.#engine.ringShare(this.#opts.replicationFactor)
    const connected = new Set(this.#transport.peers())
    return this.#ringMembers.map((peerId, i) => ({
      peerId,
      self: peerId === this.peerId,
      connected: peerId === this.peerId || connected.has(peerId),
      share: shares[i] ?? 0
    }))
  }

  /** The peer ids holding `key` under the current ring, in ring order
   *  (this peer alone without peers; [] before ready). */
  replicasFor(key) {
    const k = normalizeKey(key, this.#opts.maxKeyBytes)
    if (this.#state !== 'open') return []
    if (!this.#sync) return [this.peerId]
    return this.#replicasFor([k])[0]
  }

  /** Waits for a replication push of every write so far to be acknowledged
   *  by the replicas (with peers); rejects with TIMEOUT after timeoutMs. */
  async replicated({ timeout = 10000 } = {}) {
    await this.ready
    if (!this.#sync) return
    try {
      await this.#sync.replicated(timeout)
    } catch (err) {
      throw new PagingStorageError('TIMEOUT', err.message)
    }
  }

  // ---- internals ----

  #dhtStats(s) {
    const rf = this.#opts.replicationFactor
    const base = { enabled: this.#sync !== null, virtualNodes: this.#opts.virtualNodes, replicationFactor: rf }
    if (!this.#sync || !s) {
      return { ...base, peers: this.#sync ? 1 : 0, ownedKeys: s?.liveKeys ?? 0, replicaKeys: 0, loadStdDev: 0, isLoadBalanced: true }
    }
    const shares = this.#engine.ringShare(rf)
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length
    const variance = shares.reduce((a, b) => a + (b - mean) ** 2, 0) / shares.length
    const loadStdDev = mean > 0 ? Math.sqrt(variance) / mean : 0
    this.#refreshOwnership()
    return {
      ...base,
      peers: this.#ringMembers.length,
      ownedKeys: this.#ownership.owned,
      replicaKeys: this.#ownership.replica,
      loadStdDev,
      isLoadBalanced: loadStdDev <= 0.1
    }
  }

  /** Recounts, in the background and at most every 10 s, the live keys this
   *  peer holds as their first replica (owned) or as another replica. */
  #refreshOwnership() {
    const o = this.#ownership
    if (o.running || Date.now() - o.at < 10000 || this.#state !== 'open') return
    o.running = true
    const keys = []
    this.#task(() => this.#scanAll(this.#scanBytes({}), (r) => keys.push(r.key)))
      .then(() => {
        let owned = 0
        let replica = 0
        const replicas = this.#replicasFor(keys)
        replicas.forEach((peers) => {
          if (peers[0] === this.peerId) owned++
          else if (peers.includes(this.peerId)) replica++
        })
        Object.assign(o, { owned, replica, at: Date.now() })
      })
      .catch(() => {})
      .finally(() => {
        o.running = false
      })
  }

  /** Peer ids of each key's replicas under the current ring. */
  #replicasFor(keys) {
    const members = this.#ringMembers
    if (keys.length === 0) return []
    return this.#engine.replicasFor(keys, this.#opts.replicationFactor).map((ix) => ix.map((i) => members[i]))
  }

  /**
   * Records for keys: the local one when this peer is a replica and holds
   * the key; otherwise the newest of the local one and the replicas'
   * answers. A newer answer for a key this peer replicates is merged here
   * (read repair). The local lookup is queued at once, so the call keeps
   * its place in the order of calls. @returns {Promise<Array<record | null>>}
   */
  async #routedLookup(keys) {
    const local = await this.#task(() => this.#lookupAll(keys))
    const errors = []
    const recs = local.map((r, i) => {
      if (r.code === StatusCode.OK) return toRecord(keys[i], r)
      if (r.code !== StatusCode.NOT_FOUND) errors[i] = errorFromStatus(r.code, r.message, keys[i])
      return null
    })
    const alone = this.#sync === null || this.#ringMembers.length < 2
    const replicas = alone ? [] : this.#replicasFor(keys)
    const mine = alone ? keys.map(() => true) : replicas.map((peers) => peers.includes(this.peerId))
    const ask = []
    keys.forEach((k, i) => {
      if (!(recs[i] && mine[i])) ask.push(i)
    })
    if (ask.length > 0 && !alone) {
      const { records } = await this.#sync.remoteLookup(ask.map((i) => keys[i]))
      const repair = []
      ask.forEach((i, j) => {
        const r = records[j]
        if (r && (!recs[i] || compareVersions(recs[i][1], recs[i][2], r[1], r[2]) < 0)) {
          recs[i] = r
          errors[i] = undefined
          if (mine[i]) repair.push(r)
        }
      })
      if (repair.length > 0) this.#mergeRecords(repair).catch((err) => this.#onBackgroundError(err))
    }
    const failed = errors.find((e) => e !== undefined)
    if (failed) throw failed
    return recs
  }

  /** Records from peers, kept only where their version wins. */
  async #mergeRecords(records) {
    const ops = records.map(([key, hlc, origin, tomb, json]) => ({ type: OpType.MERGE, key, hlc, origin, tomb: tomb === 1, json }))
    const results = await this.#write(ops)
    const bad = results.find((r) => r.code !== StatusCode.OK)
    if (bad) throw errorFromStatus(bad.code, bad.message)
  }

  /** Stored records (tombstones too) of keys, loading pages as needed.
   *  @returns one raw engine result per key */
  async #lookupAll(keys) {
    const lookup = (ks) => this.#engine.lookupMany(ks).records
    const out = lookup(keys)
    if (!this.#engine.overBudget() && !out.some((r) => r.code === StatusCode.NOT_RESIDENT)) return out
    return this.#finishReads(keys, out, lookup)
  }

  /** Anti-entropy digests (see PeerSync), over every page, merged across
   *  page loads. queries: [{peer: peerId, bits, prefix, entries}] */
  async #syncScanAll(queries) {
    const members = this.#ringMembers
    const self = members.indexOf(this.peerId)
    const q = queries.map((x) => {
      const i = members.indexOf(x.peer)
      return { peer: i >= 0 ? i : self, bits: x.bits, prefix: x.prefix, entries: x.entries }
    })
    const out = q.map((x) =>
      x.entries ? { entries: [] } : { counts: new Array(16).fill(0), digests: new Array(16).fill(ZERO_DIGEST) }
    )
    let start = ''
    for (;;) {
      const r = this.#engine.syncScan({ rf: this.#opts.replicationFactor, self, start, queries: q })
      r.answers.forEach((a, i) => {
        const o = out[i]
        if (o.entries) {
          for (const e of a.entries) o.entries.push(e)
          return
        }
        for (let c = 0; c < 16; c++) {
          o.counts[c] += a.counts[c]
          if (a.counts[c] > 0) o.digests[c] = xorHex(o.digests[c], a.digests[c])
        }
      })
      if (r.code === StatusCode.OK) break
      if (r.code !== StatusCode.NOT_RESIDENT) throw errorFromStatus(r.code, r.message)
      await this.#loadAhead(r.missingPage, false)
      start = r.resume
    }
    if (this.#engine.overBudget()) await this.#pager.afterOp()
    return out
  }

  /**
   * Keys (tombstones included) this peer must hand over after the ring
   * changed from `before` to the current `after`: those it was a replica of
   * and is no longer. [{key, to: the replicas new under `after`}]
   */
  async #ringMoves(before, after) {
    const keys = []
    const all = new Writer(16)
    all.byte(ScanFlag.TOMBSTONES)
    all.bytes(new Uint8Array(0))
    all.varint(0)
    await this.#scanAll(all.finish().slice(), (r) => keys.push(r.key))
    if (keys.length === 0 || this.#ringMembers !== after) return []
    let old
    try {
      const r = this.#engine.setRing(before, this.#opts.virtualNodes)
      if (r.code !== StatusCode.OK) return []
      old = this.#engine.replicasFor(keys, this.#opts.replicationFactor).map((ix) => ix.map((i) => before[i]))
    } finally {
      this.#engine.setRing(after, this.#opts.virtualNodes)
    }
    const now = this.#replicasFor(keys)
    const moves = []
    keys.forEach((key, i) => {
      // A peer that stays a replica leaves the newcomers to anti-entropy,
      // which sends only what they lack; a peer that drops out of the
      // replica set hands its copy over (every such peer: their copies may
      // differ, and nothing else compares them with the new replicas).
      if (now[i].includes(this.peerId) || !old[i].includes(this.peerId)) return
      const to = now[i].filter((p) => !old[i].includes(p))
      if (to.length > 0) moves.push({ key, to })
    })
    return moves
  }

  /** What PeerSync may do with this store; every engine access is queued. */
  #syncHost() {
    return {
      peerId: this.peerId,
      setRing: (members) => {
        if (this.#state === 'closed') return
        const r = this.#engine.setRing(members, this.#opts.virtualNodes)
        if (r.code !== StatusCode.OK) throw errorFromStatus(r.code, `ring: ${r.message}`)
        this.#ringMembers = members
      },
      replicasFor: (keys) => (this.#state === 'closed' ? keys.map(() => []) : this.#replicasFor(keys)),
      merge: (records) => this.#mergeRecords(records),
      lookup: (keys) =>
        this.#task(() => this.#lookupAll(keys)).then((rs) =>
          rs.map((r, i) => (r.code === StatusCode.OK ? toRecord(keys[i], r) : null))
        ),
      syncScan: (queries) => this.#task(() => this.#syncScanAll(queries)),
      ringMoves: (before, after) => this.#task(() => this.#ringMoves(before, after)),
      hlc: () => (this.#engine && this.#state !== 'closed' ? this.#engine.stats().hlc : undefined),
      reportError: (err) => this.#onBackgroundError(err)
    }
  }

  /** Change events and replication pushes for the writes that applied. */
  #afterWrites(ops, results) {
    const sync = this.#sync
    const notify = this.#events.has('change')
    if (!sync && !notify) return
    const push = []
    for (let i = 0; i < ops.length; i++) {
      const r = results[i]
      if (r.code !== StatusCode.OK || !r.applied) continue
      const op = ops[i]
      const deleted = op.type === OpType.DELETE || (op.type === OpType.MERGE && op.tomb === true)
      if (sync && op.replicate) push.push([op.key, r.hlc, r.origin, deleted ? 1 : 0, deleted ? null : op.json])
      if (notify) {
        this.#events.emit('change', {
          key: op.key,
          value: deleted ? undefined : decodeValue(op.json),
          deleted,
          origin: r.origin,
          hlc: r.hlc
        })
      }
    }
    if (push.length > 0) sync.replicate(push)
  }

  #putOp(key, value, replicate) {
    const k = normalizeKey(key, this.#opts.maxKeyBytes)
    return { type: OpType.PUT, key: k, json: encodeValue(value, this.#opts.maxValueBytes, k), replicate }
  }

  #pairs(entries) {
    if (entries instanceof Map) return [...entries]
    if (entries == null || typeof entries[Symbol.iterator] !== 'function') {
      throw new PagingStorageError('INVALID_ARGUMENT', 'setMany expects an iterable of [key, value] pairs')
    }
    return [...entries].map((e, i) => {
      if (!Array.isArray(e) || e.length !== 2) {
        throw new PagingStorageError('INVALID_ARGUMENT', `setMany entry ${i} is not a [key, value] pair`)
      }
      return e
    })
  }

  #valueOf(r, key) {
    if (r.code === StatusCode.OK) return decodeValue(r.value)
    if (r.code === StatusCode.NOT_FOUND) return undefined
    throw errorFromStatus(r.code, r.message, key)
  }

  #write(ops) {
    return this.#enqueue({ kind: 'write', ops, size: ops.length })
  }

  #read(keys) {
    return this.#enqueue({ kind: 'read', keys, size: keys.length })
  }

  #task(fn) {
    return this.#enqueue({ kind: 'task', fn, size: 1 })
  }

  #enqueue(job) {
    if (this.#state === 'closing' || this.#state === 'closed') {
      return Promise.reject(new PagingStorageError('CLOSED', 'the store was shut down'))
    }
    return new Promise((resolve, reject) => {
      job.resolve = resolve
      job.reject = reject
      this.#queue.push(job)
      if (!this.#draining) {
        this.#draining = true
        queueMicrotask(() => this.#drain())
      }
    })
  }

  async #drain() {
    try {
      if (this.#state !== 'open') await this.ready
    } catch (err) {
      for (const job of this.#queue.splice(0)) job.reject(err)
      this.#draining = false
      return
    }
    while (this.#queue.length > 0) {
      const head = this.#queue[0]
      if (head.kind === 'task') {
        this.#queue.shift()
        try {
          head.resolve(await head.fn())
        } catch (err) {
          head.reject(err)
        }
        continue
      }
      const run = []
      let size = 0
      while (this.#queue.length > 0 && this.#queue[0].kind === head.kind && size < RUN_LIMIT) {
        const job = this.#queue.shift()
        run.push(job)
        size += job.size
      }
      try {
        // Runs finish synchronously unless they need I/O (a page load, a
        // flush); then they hand back a promise.
        let results = head.kind === 'write' ? this.#runWrites(run) : this.#runReads(run)
        if (results instanceof Promise) results = await results
        if (run.length === 1) {
          run[0].resolve(results)
        } else {
          let at = 0
          for (const job of run) {
            job.resolve(results.slice(at, at + job.size))
            at += job.size
          }
        }
      } catch (err) {
        for (const job of run) job.reject(err)
      }
    }
    this.#draining = false
  }

  /** @returns {Array|Promise<Array>} one result per op, in order */
  #runWrites(jobs) {
    const w = this.#opsWriter.reset()
    const offsets = []
    // New values are refused while the disk budget or the browser quota is
    // full; deletes go through, since they are how space comes back.
    const full = this.#quotaBlocked || this.#pageCount >= this.#opts.persistence.maxDiskPages
    const refused = []
    const slots = []
    const all = []
    let n = 0
    for (const job of jobs) {
      for (const op of job.ops) {
        all.push(op)
        const slot = n++
        if (full && op.type !== OpType.DELETE) {
          refused.push(slot)
          continue
        }
        slots.push(slot)
        offsets.push(w.pos)
        w.byte(op.type)
        w.string(op.key)
        if (op.type === OpType.PUT) {
          w.string(op.json)
        } else if (op.type === OpType.MERGE) {
          w.fixed64Hex(op.hlc)
          w.string(op.origin)
          w.byte(op.tomb ? 1 : 0)
          if (!op.tomb) w.string(op.json)
        }
      }
    }
    offsets.push(w.pos)
    const batch = { bytes: w.finish(), offsets, total: offsets.length - 1, done: 0, results: null }
    batch.results = new Array(batch.total)
    const finish = () => {
      const results = this.#placeResults(batch.results, slots, refused, n)
      this.#afterWrites(all, results)
      return results
    }
    while (batch.done < batch.total) {
      const r = this.#applyChunk(batch)
      if (r.code === StatusCode.NOT_RESIDENT || r.overBudget) return this.#finishWrites(batch, r).then(finish)
    }
    return finish()
  }

  /** Engine results back in op order, with the refused ops' results. */
  #placeResults(engineResults, slots, refused, n) {
    if (refused.length === 0) return engineResults
    const out = new Array(n)
    slots.forEach((slot, i) => {
      out[slot] = engineResults[i]
    })
    const message = this.#quotaBlocked
      ? 'the browser storage quota is full: delete data to make room'
      : `the disk budget of ${this.#opts.persistence.maxDiskPages} pages (maxDiskPages) is full`
    for (const slot of refused) out[slot] = { code: StatusCode.QUOTA, message, existed: false, applied: false }
    return out
  }

  /** One wasm call over the next ops of `batch`; records their results. */
  #applyChunk(batch) {
    const { bytes, offsets, total, results } = batch
    const i = batch.done
    const end = Math.min(total, i + OPS_PER_CALL)
    const r = this.#engine.applyBatch(bytes.subarray(offsets[i], offsets[end]), Date.now(), this.#sync !== null || this.#events.has('change'))
    if (r.code !== StatusCode.OK && r.code !== StatusCode.NOT_RESIDENT) {
      throw new PagingStorageError('INTERNAL', `batch rejected: ${r.results[0]?.message}`)
    }
    if (r.results.length === 0 && r.code !== StatusCode.NOT_RESIDENT) {
      throw new PagingStorageError('INTERNAL', 'batch made no progress')
    }
    for (let k = 0; k < r.results.length; k++) results[i + k] = r.results[k]
    batch.done += r.results.length
    this.#pageCount = r.pages
    return r
  }

  /** The rest of a write run once it needs I/O. A large batch stays within
   *  the page budget as it goes, not just once it is done. */
  async #finishWrites(batch, r) {
    for (;;) {
      if (r.code === StatusCode.NOT_RESIDENT) await this.#pager.load(r.missingPage)
      else if (r.overBudget) await this.#pager.afterOp()
      if (batch.done >= batch.total) break
      r = this.#applyChunk(batch)
    }
    if (this.#engine.overBudget()) await this.#pager.afterOp()
    return batch.results
  }

  /** @returns {Array|Promise<Array>} one result per key, in order */
  #runReads(jobs) {
    const keys = []
    for (const job of jobs) for (const k of job.keys) keys.push(k)
    const results = this.#getMany(keys)
    if (!results.overBudget && !results.some((r) => r.code === StatusCode.NOT_RESIDENT)) {
      return results
    }
    return this.#finishReads(keys, results)
  }

  /** Settles the NOT_RESIDENT results of a read of keys, loading their
   *  pages. read(keys) → one result per key (#getMany or a lookup). */
  async #finishReads(keys, results, read = (ks) => this.#getMany(ks)) {
    // Keys on pages that are not resident, grouped by page.
    const waiting = new Map()
    results.forEach((r, i) => {
      if (r.code !== StatusCode.NOT_RESIDENT) return
      if (!waiting.has(r.page)) waiting.set(r.page, [])
      waiting.get(r.page).push(i)
    })
    // Pages come in chunks of half the budget, one backend read each (one
    // IndexedDB transaction), then their keys are asked again together.
    const pages = [...waiting.keys()]
    const chunk = Math.max(1, Math.floor(this.#opts.persistence.maxMemoryPages / 2))
    for (let i = 0; i < pages.length; i += chunk) {
      const ids = pages.slice(i, i + chunk)
      await this.#pager.loadMany(ids)
      const indices = ids.flatMap((id) => waiting.get(id))
      const again = read(indices.map((j) => keys[j]))
      again.forEach((r, j) => {
        if (r.code !== StatusCode.NOT_RESIDENT) results[indices[j]] = r
      })
      // Keys whose page was pushed out again (dirty pages filling the
      // budget) go through the one-page path below.
      for (const id of ids) {
        const left = waiting.get(id).filter((j) => results[j].code === StatusCode.NOT_RESIDENT)
        if (left.length === 0) waiting.delete(id)
        else waiting.set(id, left)
      }
    }
    for (const [page, indices] of waiting) {
      await this.#pager.load(page)
      let pending = indices
      // Loading one page keeps it resident, so one retry settles its keys;
      // the loop only guards against a page changing under us.
      for (let attempt = 0; pending.length > 0 && attempt < 4; attempt++) {
        const again = read(pending.map((i) => keys[i]))
        const still = []
        again.forEach((r, j) => {
          if (r.code === StatusCode.NOT_RESIDENT) still.push(pending[j])
          else results[pending[j]] = r
        })
        pending = still
        if (pending.length > 0) await this.#pager.load(again.find((r) => r.page).page)
      }
      if (pending.length > 0) {
        throw new PagingStorageError('INTERNAL', `page ${page} would not stay resident`)
      }
    }
    if (this.#engine.overBudget()) await this.#pager.afterOp()
    return results
  }

  #getMany(keys) {
    const w = this.#keysWriter.reset()
    w.varint(keys.length)
    for (const k of keys) w.string(k)
    return this.#engine.getMany(w.finish())
  }

  /** Runs a scan to its end, loading pages as it goes (see #loadAhead).
   *  `reverse`/`limit`: those of the scan, to fetch the right pages ahead. */
  async #scanAll(scan, onRecord, { reverse = false, limit = 0 } = {}) {
    let bytes = scan
    let seen = 0
    for (;;) {
      const r = this.#engine.scan(bytes)
      for (const rec of r.records) onRecord(rec)
      seen += r.records.length
      if (r.code === StatusCode.OK) break
      if (r.code !== StatusCode.NOT_RESIDENT) throw errorFromStatus(r.code, r.message)
      // A bounded scan near its end reads few more pages.
      await this.#loadAhead(r.missingPage, reverse, limit > 0 && limit - seen < 64 ? 1 : Infinity)
      bytes = r.resume
    }
    if (this.#engine.overBudget()) await this.#pager.afterOp()
  }

  /** Loads the page a scan stopped at and the non-resident pages it reads
   *  after it (at most a quarter of the page budget, and `most`), with one
   *  backend read. The page needed first is loaded last, so that loading
   *  the others never evicts it: each call makes progress. */
  #loadAhead(page, descending, most = Infinity) {
    const n = Math.max(1, Math.min(most, Math.floor(this.#opts.persistence.maxMemoryPages / 4)))
    const ids = this.#engine.pagesAhead(page, n, descending)
    return this.#pager.loadMany(ids.length > 0 ? ids.reverse() : [page])
  }

  /** Wire `scan` bytes for a range query, or null for an empty range. */
  #scanBytes({ gte, gt, lt, lte, prefix, limit = 0, reverse = false }) {
    const bound = (name, v) => {
      if (v === undefined) return undefined
      if (typeof v !== 'string') {
        throw new PagingStorageError('INVALID_ARGUMENT', `range: ${name} must be a string`)
      }
      return utf8(v)
    }
    if (!Number.isInteger(limit) || limit < 0) {
      throw new PagingStorageError('INVALID_ARGUMENT', 'range: limit must be a whole number')
    }
    // Byte bounds: start inclusive, end exclusive. x + 0x00 is the first
    // key after x, so gt and lte turn into those.
    let start = bound('gte', gte) ?? new Uint8Array(0)
    const gtBytes = bound('gt', gt)
    if (gtBytes) start = maxBytes(start, withZero(gtBytes))
    let end = bound('lt', lt)
    const lteBytes = bound('lte', lte)
    if (lteBytes) end = minBytes(end, withZero(lteBytes))
    const prefixBytes = bound('prefix', prefix)
    if (prefixBytes && prefixBytes.length > 0) {
      start = maxBytes(start, prefixBytes)
      end = minBytes(end, successor(prefixBytes))
    }
    if (end !== undefined && compareBytes(start, end) >= 0) return null
    const w = new Writer(64)
    w.byte((end !== undefined ? ScanFlag.HAS_END : 0) | (reverse ? ScanFlag.REVERSE : 0))
    w.bytes(start)
    if (end !== undefined) w.bytes(end)
    w.varint(limit)
    return w.finish().slice()
  }

  /** Queues a save unless one is queued already; failures are reported as
   *  'error' events by the pager, and the pages stay dirty for the next try. */
  #saveSoon() {
    if (this.#state !== 'open' || this.#flushQueued || !this.#engine.hasDirtyPages()) return
    this.#flushQueued = true
    this.#task(() => this.#pager.flush())
      .catch(() => {})
      .finally(() => {
        this.#flushQueued = false
      })
  }
}

/** [key, hlc, origin, tomb, json|null] from an engine lookup result. */
function toRecord(key, r) {
  return [key, r.hlc, r.origin, r.tombstone ? 1 : 0, r.tombstone ? null : r.value]
}

/** The value a record holds (undefined: absent or deleted). */
function decodeRecord(rec) {
  return rec === null || rec[3] === 1 ? undefined : decodeValue(rec[4])
}

/** XOR of two 16-hex-digit digests. */
function xorHex(a, b) {
  const hi = (parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) >>> 0
  const lo = (parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16)) >>> 0
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0')
}

function withZero(bytes) {
  const out = new Uint8Array(bytes.length + 1)
  out.set(bytes)
  return out
}

/** The first byte string after every string starting with `bytes`
 *  (UTF-8 never contains 0xff, so incrementing the last byte works). */
function successor(bytes) {
  const out = bytes.slice()
  out[out.length - 1]++
  return out
}

function compareBytes(a, b) {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

function maxBytes(a, b) {
  return compareBytes(a, b) >= 0 ? a : b
}

function minBytes(a, b) {
  if (a === undefined) return b
  return compareBytes(a, b) <= 0 ? a : b
}
