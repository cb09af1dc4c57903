// ReplicatedStore: the store with peers. It wraps the LocalStore and offers
// the same Store operations (write, read, scan, flush, ...), adding the
// network: writes that apply locally are pushed to their keys' replicas,
// reads ask the replicas and repair the local copy, the replicas compare and
// repair each other in the background, and the peers' messages are handled
// (js/sync/handlers.js: put, get, since, anti-entropy). The local store never
// calls it: it listens to the store's 'applied' writes, as a Yjs provider
// listens to its document's updates.
//
// Model (after Dynamo): the live members form a consistent-hash ring, built
// anew (an immutable RingView) at each membership change; a key's replicas
// are the first replicationFactor distinct peers clockwise from its token.
// The parts, one file each: membership (who is live), messenger (the wire),
// replicator (pushes and acks), routed-reads, anti-entropy, catch-up (deltas
// for new and returning peers), rebalance (hand-offs after ring changes),
// ownership (counts for stats), version-query and freshness (tombstone GC
// with peers, and the check of a store back after the grace period).
import { StatusCode } from '../core/errors.js'
import { logger } from '../core/log.js'
import { AntiEntropy } from './anti-entropy.js'
import { CatchUp } from './catch-up.js'
import { Copies } from './copies.js'
import { Freshness } from './freshness.js'
import { handleMessage, mergeRecords } from './handlers.js'
import { Interests } from './interests.js'
import { Membership } from './membership.js'
import { Messenger } from './messenger.js'
import { Ownership } from './ownership.js'
import { Rebalancer } from './rebalance.js'
import { isRingDelete, writeWithRingDeletes } from './ring-deletes.js'
import { Replicator } from './replicator.js'
import { Publisher } from './publisher.js'
import { RingScans } from './ring-scans.js'
import { RoutedReads } from './routed-reads.js'
import { Subscriber } from './subscriber.js'
import { VersionQuery } from './version-query.js'

const log = logger('sync')

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('../engine/ring.js').RingView} RingView */

/** @typedef {import('./sync-context.js').SyncContext} SyncContext */
/** @typedef {import('./sync-context.js').SyncOptions} SyncOptions */

export class ReplicatedStore {
  #local
  #transport
  #opts
  #selfId
  /** @type {RingView | null} the current ring; this class holds one reference */
  #ring = null
  #nextId = 1
  #closed = false
  /** @type {any[]} */
  #timers = []
  /** @type {any} */
  #roundTimer = null
  /** @type {Array<() => void>} */
  #unlisten = []
  // The parts; created when the local store opens.
  /** @type {Membership | null} */ #membership = null
  /** @type {Messenger | null} */ #messenger = null
  /** @type {Replicator | null} */ #replicator = null
  /** @type {RoutedReads | null} */ #reads = null
  /** @type {RingScans | null} */ #scans = null
  /** @type {Publisher | null} */ #publisher = null
  /** @type {Copies | null} */ #copies = null
  /** @type {Subscriber | null} */ #subscriber = null
  #watch
  /** @type {CatchUp | null} */ #catchUp = null
  /** @type {AntiEntropy | null} */ #antiEntropy = null
  /** @type {Rebalancer | null} */ #rebalancer = null
  /** @type {Ownership | null} */ #ownership = null
  /** @type {VersionQuery | null} */ #query = null
  /** @type {Freshness | null} */ #freshness = null
  /** @type {import('./handlers.js').Parts | null} what messages go to */
  #parts = null

  /**
   * Synchronous; sync starts when the local store opens, before any queued
   * operation runs.
   * @param {import('../store/local-store.js').LocalStore} local
   * @param {import('../transport/transport.js').Transport} transport
   * @param {SyncOptions} opts
   * @param {{ interests: import('./interests.js').Interests,
   *   announce: (applied: import('../store/local-store.js').AppliedWrite[]) => void }} watch
   *   interests: what the apps watch (subscribed at the peers that hold it);
   *   announce: changes pushed by peers to keys this store does not hold
   *   (default: nothing watched, nothing announced)
   */
  constructor(local, transport, opts, watch = { interests: new Interests(), announce: () => {} }) {
    this.#local = local
    this.#transport = transport
    this.#opts = opts
    this.#watch = watch
    this.#selfId = local.peerId
    local.onOpen(() => this.#start())
  }

  // ---- the Store operations ----

  /**
   * Writes; a delete (replicate: true) is ring-wide (js/sync/ring-deletes.js).
   * @param {import('../store/local-store.js').StoreWrite[]} ops
   */
  write(ops) {
    if (!ops.some(isRingDelete)) return this.#local.write(ops)
    return writeWithRingDeletes(ops, {
      write: (local) => this.#local.write(local),
      peersToAsk: () => this.#reads !== null && !this.#closed && (this.#ring?.members.length ?? 1) > 1,
      askReplicas: async (keys) => {
        const reads = /** @type {RoutedReads} */ (this.#reads)
        const { records, answered } = await reads.lookup(keys, this.replicasFor(keys))
        return records.map((r, i) => (answered[i] ? r : null))
      },
      push: async (keys) => {
        if (this.#replicator === null || this.#closed) return
        const recs = /** @type {StoredRecord[]} */ ((await this.#local.lookup(keys)).map((a) => a.record).filter(Boolean))
        for (const r of recs) this.#copies?.wrote(r)
        this.#replicator.replicate(recs, this.replicasFor(recs.map((r) => r.key)))
      }
    })
  }

  /**
   * Values of keys, here or at their replicas (js/sync/routed-reads.js).
   * @param {string[]} keys
   * @returns {Promise<import('../engine/codec.js').ReadAnswer[]>} OK with json, NOT_FOUND, or an error code
   */
  async read(keys) {
    // Queued now, so the read keeps its place among the calls; whether to
    // ask peers is decided when it has run (sync starts when the store opens).
    const local = await this.#local.lookup(keys)
    if (this.#reads && !this.#closed) return this.#reads.read(keys, local)
    return local.map((a) => {
      if (a.code !== StatusCode.OK) return a
      const rec = /** @type {StoredRecord} */ (a.record)
      return rec.deleted ? { code: StatusCode.NOT_FOUND } : { code: StatusCode.OK, json: /** @type {string} */ (rec.json) }
    })
  }

  /**
   * Records in range: of the whole ring when `range.scope` is 'ring' and
   * peers are there (js/sync/ring-scans.js), else this store's.
   * @type {import('../store/local-store.js').LocalStore['scan']}
   */
  async scan(range, onRecord) {
    if (range.scope !== 'ring' || range.tombstones) return this.#local.scan(range, onRecord)
    await this.#local.ready
    if (this.#scans === null || this.#closed || (this.#ring?.members.length ?? 1) < 2) return this.#local.scan(range, onRecord)
    return this.#scans.scan(range, onRecord)
  }

  flush() {
    return this.#local.flush()
  }

  clearCache() {
    return this.#local.clearCache()
  }

  /** Stops sync (the transport stays the app's), then closes the local store. */
  close() {
    this.#stop()
    return this.#local.close()
  }

  // ---- sync ----

  /**
   * @param {string[]} keys
   * @returns {string[][]} per key, its replicas under the current ring ([self] before sync starts)
   */
  replicasFor(keys) {
    if (this.#ring === null || this.#closed) return keys.map(() => [this.#selfId])
    return this.#ring.replicasFor(keys, this.#opts.replicationFactor)
  }

  /** @returns {Array<{peerId: string, self: boolean, connected: boolean, share: number}>} */
  distribution() {
    if (this.#ring === null || this.#closed) return [{ peerId: this.#selfId, self: true, connected: true, share: 1 }]
    const shares = this.#ring.shares(this.#opts.replicationFactor)
    const connected = new Set(this.#transport.peers())
    return this.#ring.members.map((peerId, i) => ({
      peerId,
      self: peerId === this.#selfId,
      connected: peerId === this.#selfId || connected.has(peerId),
      share: shares[i] ?? 0
    }))
  }

  /**
   * Resolves once every push so far is acknowledged and every write made
   * here is known to be held by at least `copies` peers (this one counted;
   * at most replicationFactor), with the fewest copies of any of them.
   * @param {number} timeoutMs
   * @param {number} [copies] 1: only the pushes' acknowledgements
   * @returns {Promise<number>} the fewest copies known of a write made here
   * @throws {Error} code TIMEOUT
   */
  async replicated(timeoutMs, copies = 1) {
    await this.#local.ready
    const end = Date.now() + timeoutMs
    await this.#replicator?.whenDrained(timeoutMs)
    await this.#copies?.whenAtLeast(copies, Math.max(0, end - Date.now()))
    return this.#copies?.least ?? 1
  }

  /**
   * Tombstone GC with peers (js/sync/freshness.js).
   * @param {string} horizon an hlc: tombstones older may go
   * @returns {Promise<number>} tombstones purged
   */
  async compact(horizon) {
    await this.#local.ready
    if (this.#freshness === null || this.#closed) return 0
    return this.#freshness.compact(horizon)
  }

  /** Counters for stats; none of them does I/O. */
  get stats() {
    const m = this.#messenger?.stats
    return {
      connectedPeers: this.#transport.peers().length,
      members: this.#ring?.members.length ?? 1,
      shares: this.#ring && !this.#closed ? this.#ring.shares(this.#opts.replicationFactor) : [1],
      ownedKeys: this.#ownership?.owned ?? 0,
      replicaKeys: this.#ownership?.replica ?? 0,
      pendingReplications: this.#replicator?.pending ?? 0,
      underReplicated: this.#copies?.short ?? 0,
      messagesIn: m?.messagesIn ?? 0,
      messagesOut: m?.messagesOut ?? 0,
      bytesIn: m?.bytesIn ?? 0,
      bytesOut: m?.bytesOut ?? 0,
      rejected: m?.rejected ?? 0,
      rejectedWhy: { ...(m?.rejectedWhy ?? {}) },
      remoteRecords: this.#reads?.size ?? 0,
      subscriptions: {
        ...(this.#subscriber?.counts ?? { watching: 0, keys: 0, prefixes: 0 }),
        subscribers: this.#publisher?.subscribers ?? 0,
        pubsIn: this.#subscriber?.stats.pubsIn ?? 0,
        pubsOut: this.#publisher?.stats.pubsOut ?? 0
      }
    }
  }

  // ---- internals ----

  #start() {
    if (this.#closed) return
    const local = this.#local
    const { sync, readTimeout, limits, replicationFactor: rf } = this.#opts
    // The store's id as it opened (a default id gives way to the one its data keeps).
    this.#selfId = local.peerId
    const selfId = this.#selfId
    this.#ring = local.ring([selfId])
    const messenger = new Messenger(this.#transport, selfId, { limits, rateLimit: sync.rateLimit, fragmentTtl: 4 * readTimeout })
    const send = (/** @type {string} */ peer, /** @type {import('./protocol.js').Message} */ msg) => messenger.send(peer, msg)
    const nextId = () => this.#nextId++
    const lookup = async (/** @type {string[]} */ keys) => (await local.lookup(keys)).map((a) => a.record ?? null)
    const copies = new Copies(selfId, rf)
    this.#copies = copies
    const replicator = new Replicator({ selfId, send, nextId, retryInterval: sync.retryInterval, lookup, onHeld: (peer, rec) => copies.held(peer, rec) })
    /** @type {SyncContext} */
    const ctx = {
      selfId,
      rf,
      retryInterval: sync.retryInterval,
      ring: () => /** @type {RingView} */ (this.#ring),
      isMember: (peer) => /** @type {Membership} */ (this.#membership).has(peer),
      send,
      nextId,
      syncScan: (ring, queries) => local.syncScan(ring, rf, queries),
      scanAll: (onRecord) => local.scan({ tombstones: true }, onRecord),
      lookup,
      merge: (records) => mergeRecords(local, records),
      reportError: (err) => this.#background(err),
      queue: (peer, rec) => replicator.queue(peer, rec),
      pushKeys: (peer, keys) => replicator.pushKeys(peer, keys)
    }
    const catchUp = new CatchUp(ctx, { peerTimeout: sync.peerTimeout, startHlc: local.clock() })
    this.#ownership = new Ownership(selfId, local.engineStats()?.liveKeys ?? 0)
    this.#messenger = messenger
    this.#replicator = replicator
    const reads = new RoutedReads(ctx, { readTimeout })
    this.#reads = reads
    this.#publisher = new Publisher(ctx, { scan: (range, onRecord) => local.scan(range, onRecord), reject: (peer, why) => messenger.reject(peer, why) })
    this.#subscriber = new Subscriber(ctx, {
      interests: this.#watch.interests,
      lease: Math.max(1000, 10 * sync.heartbeatInterval),
      remote: {
        cached: (key) => reads.cached(key),
        remember: (rec) => reads.remember(rec),
        announce: (records) => this.#watch.announce(records.map((record) => ({ record, replicate: false, existed: false })))
      }
    })
    this.#scans = new RingScans(ctx, { readTimeout, scanLocal: (range, onRecord) => local.scan(range, onRecord) })
    this.#catchUp = catchUp
    this.#antiEntropy = new AntiEntropy(ctx, catchUp)
    this.#rebalancer = new Rebalancer(ctx, this.#ownership)
    const query = new VersionQuery(ctx, { timeout: readTimeout, inSyncSince: () => freshness.inSyncSince })
    const freshness = new Freshness({
      local,
      grace: this.#opts.tombstoneGracePeriod,
      gc: {
        selfId,
        rf,
        ring: ctx.ring,
        ask: (peer, keys) => query.ask(peer, keys),
        scan: (range, onRecord) => local.scan(range, onRecord),
        write: (ops) => local.write(ops)
      },
      // Checked: hand off and reconcile what waited.
      onChecked: () => this.#rebalance(),
      reportError: (err) => this.#background(err)
    })
    this.#query = query
    this.#freshness = freshness
    this.#parts = {
      local,
      messenger,
      replicator,
      reads: this.#reads,
      scans: this.#scans,
      publisher: this.#publisher,
      subscriber: this.#subscriber,
      antiEntropy: this.#antiEntropy,
      catchUp,
      query,
      freshness,
      maxClockDrift: sync.maxClockDrift
    }
    this.#membership = new Membership(selfId, {
      peerTimeout: sync.peerTimeout,
      onChange: (members) => this.#onMembers(members),
      onReturn: (peer, lastSeen) => catchUp.onReturn(peer, lastSeen),
      onFirstContact: (peer) => catchUp.onFirstContact(peer)
    })
    messenger.onMessage((from, msg) => this.#onMessage(from, msg))
    this.#unlisten.push(
      local.on('applied', (applied) => this.#onApplied(applied)),
      this.#transport.on('peer-joined', ({ peerId }) => {
        if (typeof peerId === 'string' && peerId !== selfId) {
          this.#membership?.heard(peerId)
          messenger.send(peerId, { t: 'hb' })
        }
      }),
      this.#transport.on('peer-left', ({ peerId }) => {
        this.#membership?.left(peerId)
        messenger.forget(peerId)
      })
    )
    this.#every(sync.heartbeatInterval, () => {
      messenger.broadcast({ t: 'hb', h: local.clock() })
      this.#membership?.expire()
      freshness.tick(this.#ring?.members.length ?? 1, replicator.pending)
      this.#subscriber?.tick()
    })
    this.#every(sync.retryInterval, () => {
      replicator.retry()
      this.#publisher?.tick()
    })
    if (sync.antiEntropyInterval > 0) this.#every(sync.antiEntropyInterval, () => this.#round(true))
    for (const p of this.#transport.peers()) this.#membership.heard(p)
    messenger.broadcast({ t: 'hb' })
  }

  /** @param {readonly string[]} members the new membership, sorted */
  #onMembers(members) {
    if (this.#closed) return
    /** @type {RingView} */
    let ring
    try {
      ring = this.#local.ring(members)
    } catch (err) {
      this.#background(err) // the old ring stays
      return
    }
    const before = this.#ring?.members.length ?? 1
    this.#ring?.release()
    this.#ring = ring
    log('%s: %d members', this.#selfId.slice(0, 8), members.length)
    this.#freshness?.onMembers(before, members.length)
    // Re-route what is unacknowledged to the replicas under the new ring.
    const replicator = /** @type {Replicator} */ (this.#replicator)
    const pending = replicator.reroute()
    if (pending.length > 0) replicator.replicate(pending, this.replicasFor(pending.map((r) => r.key)))
    // The ring grew: writes short of copies go to their replicas again.
    if (members.length > before) this.#pushShort()
    this.#subscriber?.refresh()
    // Let the membership settle, then hand off moved keys and reconcile.
    clearTimeout(this.#roundTimer)
    this.#roundTimer = setTimeout(() => this.#rebalance(), this.#opts.sync.heartbeatInterval)
  }

  /** Pushes the writes made here that are short of copies to their replicas under the current ring. */
  #pushShort() {
    const keys = this.#copies?.keys() ?? []
    if (keys.length === 0) return
    this.#local
      .lookup(keys)
      .then((answers) => {
        if (this.#closed) return
        const recs = /** @type {StoredRecord[]} */ (answers.map((a) => a.record).filter(Boolean))
        this.#replicator?.replicate(recs, this.replicasFor(recs.map((r) => r.key)))
      })
      .catch((err) => this.#background(err))
  }

  /** Hands off moved keys, then starts a round; while stale, checks the old records first (which calls this again). */
  #rebalance() {
    if (this.#closed) return
    if (this.#freshness?.stale) return this.#freshness.check()
    const rebalancer = /** @type {Rebalancer} */ (this.#rebalancer)
    rebalancer
      .run()
      .catch((err) => this.#background(err))
      .then(() => this.#round(false))
  }

  /** @param {import('../store/local-store.js').AppliedWrite[]} applied */
  #onApplied(applied) {
    if (this.#closed) return
    // Called by the store's emitter, which swallows what a listener throws.
    try {
      this.#push(applied)
    } catch (err) {
      this.#background(err)
    }
  }

  /** @param {import('../store/local-store.js').AppliedWrite[]} applied */
  #push(applied) {
    this.#publisher?.onApplied(applied.map((a) => a.record))
    const replicas = this.replicasFor(applied.map((a) => a.record.key))
    this.#ownership?.onApplied(applied, replicas)
    const push = []
    const to = []
    for (let i = 0; i < applied.length; i++) {
      if (!applied[i].replicate) continue
      this.#copies?.wrote(applied[i].record)
      push.push(applied[i].record)
      to.push(replicas[i])
    }
    if (push.length > 0) this.#replicator?.replicate(push, to)
  }

  /** @param {boolean} periodic */
  #round(periodic) {
    if (this.#closed) return
    if (this.#freshness?.stale) return this.#freshness.check()
    this.#antiEntropy?.round(periodic).catch((err) => this.#background(err))
  }

  /**
   * @param {string} from
   * @param {import('./protocol.js').Message} msg validated
   */
  #onMessage(from, msg) {
    if (this.#closed) return
    this.#membership?.heard(from)
    handleMessage(/** @type {import('./handlers.js').Parts} */ (this.#parts), from, msg).catch((err) => this.#background(err))
  }

  /** @param {unknown} err */
  #background(err) {
    if (this.#closed || /** @type {any} */ (err)?.code === 'CLOSED') return
    this.#local.reportError(/** @type {Error} */ (err))
  }

  /** @param {number} ms @param {() => void} fn */
  #every(ms, fn) {
    const t = setInterval(fn, ms)
    t.unref?.()
    this.#timers.push(t)
  }

  #stop() {
    if (this.#closed) return
    this.#closed = true
    for (const t of this.#timers) clearInterval(t)
    clearTimeout(this.#roundTimer)
    for (const off of this.#unlisten) off()
    this.#messenger?.close()
    this.#replicator?.close()
    this.#reads?.close()
    this.#scans?.close()
    this.#subscriber?.close()
    this.#publisher?.close()
    this.#copies?.close()
    this.#catchUp?.close()
    this.#rebalancer?.close()
    this.#query?.close()
    this.#freshness?.close()
    this.#ring?.release()
  }
}
