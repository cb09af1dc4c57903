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
//
// Issue 15 added the ring-wide calls: deletes (js/sync/ring-deletes.js),
// range scans (ring-scans.js), subscriptions for watched keys (subscriber.js
// and publisher.js), and the copies each write has (copies.js).
import { StatusCode } from '../core/errors.js'
import { logger } from '../core/log.js'
import { handleMessage } from './handlers.js'
import { Interests } from './interests.js'
import { Membership } from './membership.js'
import { isRingDelete, writeWithRingDeletes } from './ring-deletes.js'
import { DEFAULT_ROLE, distributionOf, heartbeat, ringWeights } from './roles.js'
import { buildSyncParts, closeSyncParts, partsStats, pushShortWrites, pushStored, retryTick } from './sync-parts.js'

const log = logger('sync')
// How long an excluded peer stays out of the ring, in peer timeouts.
const EXCLUDE_TIMEOUTS = 10

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('../engine/ring.js').RingView} RingView */
/** @typedef {import('./sync-context.js').SyncOptions} SyncOptions */
/** @typedef {import('./sync-parts.js').SyncParts} SyncParts */

/**
 * What the apps watch, and what sync tells them.
 * @typedef {object} Watch
 * @property {Interests} interests what the apps watch (subscribed at the peers that hold it)
 * @property {(applied: import('../store/local-store.js').AppliedWrite[]) => void} announce
 *   changes peers pushed for watched keys this store does not hold
 * @property {(p: { task: 'catch-up' | 'range', done: number, total: number }) => void} progress
 *   long work under way (js/sync/catch-up.js, js/sync/ring-scans.js)
 * @property {import('../persistence/backend.js').Backend | null} [cacheBackend] where the
 *   remote cache persists (js/sync/remote-cache.js; none: in memory only)
 */

export class ReplicatedStore {
  #local
  #transport
  #opts
  #watch
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
  /** @type {SyncParts | null} created when the local store opens */
  #parts = null
  /** @type {Membership | null} */
  #membership = null
  /** This peer's ring weight and whether it acknowledges only what is on disk (its heartbeats say). */
  #role

  /**
   * Synchronous; sync starts when the local store opens, before any queued
   * operation runs.
   * @param {import('../store/local-store.js').LocalStore} local
   * @param {import('../transport/transport.js').Transport} transport
   * @param {SyncOptions} opts
   * @param {Watch} [watch] default: nothing watched, nothing told
   */
  constructor(local, transport, opts, watch = { interests: new Interests(), announce: () => {}, progress: () => {} }) {
    this.#role = { ...DEFAULT_ROLE, ...opts.role }
    this.#local = local
    this.#transport = transport
    this.#opts = opts
    this.#watch = { ...watch, cacheBackend: watch.cacheBackend ?? null }
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
      peersToAsk: () => this.#parts !== null && !this.#closed && (this.#ring?.members.length ?? 1) > 1,
      askReplicas: async (keys) => {
        const { records, answered } = await /** @type {SyncParts} */ (this.#parts).reads.lookup(keys, this.replicasFor(keys))
        return records.map((r, i) => (answered[i] ? r : null))
      },
      push: async (keys) => {
        if (this.#parts !== null) await pushStored(this.#parts, keys, (k) => this.replicasFor(k), { written: true })
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
    if (this.#parts && !this.#closed) return this.#parts.reads.read(keys, local)
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
    if (this.#parts === null || this.#closed || (this.#ring?.members.length ?? 1) < 2) return this.#local.scan(range, onRecord)
    return this.#parts.scans.scan(range, onRecord)
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

  /** @returns {Array<{peerId: string, self: boolean, connected: boolean, share: number, weight: number, durable: boolean}>} */
  distribution() {
    if (this.#ring === null || this.#closed) return [{ peerId: this.#selfId, self: true, connected: true, share: 1, ...this.#role }]
    return distributionOf(this.#ring, {
      selfId: this.#selfId,
      role: this.#role,
      rf: this.#opts.replicationFactor,
      connected: new Set(this.#transport.peers()),
      isDurable: (peer) => this.#membership?.isDurable(peer) ?? false
    })
  }

  /**
   * Resolves once every push so far is acknowledged and every write made
   * here is known to be held by at least `copies` peers (this one counted;
   * at most replicationFactor).
   * @param {number} timeoutMs
   * @param {number} [copies] 1: only the pushes' acknowledgements
   * @param {boolean} [durable] also wait until every write made here is on a
   *   server peer's disk (a peer whose heartbeats say it acknowledges so)
   * @returns {Promise<number>} the fewest copies known of a write made here
   * @throws {Error} code TIMEOUT
   */
  async replicated(timeoutMs, copies = 1, durable = false) {
    await this.#local.ready
    const end = Date.now() + timeoutMs
    await this.#parts?.replicator.whenDrained(timeoutMs)
    await this.#parts?.copies.whenAtLeast(copies, Math.max(0, end - Date.now()))
    if (durable) await this.#parts?.copies.whenDurable(Math.max(0, end - Date.now()))
    return this.#parts?.copies.least ?? 1
  }

  /**
   * Tombstone GC with peers (js/sync/freshness.js).
   * @param {string} horizon an hlc: tombstones older may go
   * @returns {Promise<number>} tombstones purged
   */
  async compact(horizon) {
    await this.#local.ready
    if (this.#parts === null || this.#closed) return 0
    return this.#parts.freshness.compact(horizon)
  }

  /**
   * Whether this version of its key was announced already as a change a
   * peer pushed (it reaches the store later, as a replica's copy: the
   * app's change events leave it out).
   * @param {{ key: string, hlc: string, origin: string }} rec
   */
  announced(rec) {
    return this.#parts !== null && this.#parts.cache.holds(rec)
  }

  /** Counters for stats; none of them does I/O. */
  get stats() {
    return {
      connectedPeers: this.#transport.peers().length,
      members: this.#ring?.members.length ?? 1,
      shares: this.#ring && !this.#closed ? this.#ring.shares(this.#opts.replicationFactor) : [1],
      ...partsStats(this.#parts),
      excludedPeers: this.#membership?.excluded ?? 0
    }
  }

  // ---- internals ----

  #start() {
    if (this.#closed) return
    const local = this.#local
    const { sync } = this.#opts
    // The store's id as it opened (a default id gives way to the one its data keeps).
    this.#selfId = local.peerId
    const selfId = this.#selfId
    this.#ring = local.ring([selfId], [this.#role.weight])
    const parts = buildSyncParts({
      local,
      transport: this.#transport,
      opts: this.#opts,
      watch: this.#watch,
      selfId,
      ring: () => /** @type {RingView} */ (this.#ring),
      isMember: (peer) => /** @type {Membership} */ (this.#membership).has(peer),
      isDurable: (peer) => this.#membership?.isDurable(peer) ?? false,
      nextId: () => this.#nextId++,
      reportError: (err) => this.#background(err),
      // Checked: hand off and reconcile what waited.
      onChecked: () => this.#rebalance(),
      excludePeer: (peer, why, ms) => this.#exclude(peer, why, ms)
    })
    this.#parts = parts
    const { messenger, catchUp, replicator, freshness, subscriber, cache } = parts
    cache.load().catch((err) => this.#background(err))
    this.#membership = new Membership(selfId, {
      peerTimeout: sync.peerTimeout,
      role: this.#role,
      onChange: (members) => this.#onMembers(members),
      onReturn: (peer, lastSeen) => catchUp.onReturn(peer, lastSeen),
      onFirstContact: (peer) => catchUp.onFirstContact(peer)
    })
    messenger.onMessage((from, msg) => this.#onMessage(from, msg))
    this.#unlisten.push(
      local.on('applied', (applied) => this.#onApplied(applied)),
      // The remote cache is saved after the store's saves, and gives its space up first.
      local.on('saved', () => cache.save().catch((err) => this.#background(err))),
      local.on('error', (err) => {
        if (/** @type {any} */ (err)?.code === 'QUOTA_EXCEEDED') cache.dropPersisted().catch(() => {})
      }),
      this.#transport.on('peer-joined', ({ peerId }) => {
        if (typeof peerId === 'string' && peerId !== selfId) {
          this.#membership?.heard(peerId)
          messenger.send(peerId, heartbeat(this.#role))
        }
      }),
      this.#transport.on('peer-left', ({ peerId }) => {
        this.#membership?.left(peerId)
        messenger.forget(peerId)
      })
    )
    this.#every(sync.heartbeatInterval, () => {
      messenger.broadcast(heartbeat(this.#role, local.clock()))
      this.#membership?.expire()
      freshness.tick(this.#ring?.members.length ?? 1, replicator.pending)
      subscriber.tick()
      parts.incoming.tick()
    })
    let retries = 0
    this.#every(sync.retryInterval, () => retryTick(parts, ++retries, (keys) => this.replicasFor(keys))?.catch((err) => this.#background(err)))
    if (sync.antiEntropyInterval > 0) {
      this.#every(sync.antiEntropyInterval, () => {
        this.#round(true)
        parts.auditRounds.round().catch((err) => this.#background(err))
      })
    }
    for (const p of this.#transport.peers()) this.#membership.heard(p)
    messenger.broadcast(heartbeat(this.#role))
  }

  /**
   * Takes a peer that does not do its part out of the ring for a while: its
   * keys get other replicas meanwhile.
   * @param {string} peer
   * @param {string} why
   * @param {number} [ms] default EXCLUDE_TIMEOUTS peer timeouts
   */
  #exclude(peer, why, ms = EXCLUDE_TIMEOUTS * this.#opts.sync.peerTimeout) {
    log('excluded peer %s for %d ms: %s', peer.slice(0, 8), ms, why)
    this.#membership?.exclude(peer, ms)
  }

  /** @param {readonly string[]} members the new membership, sorted */
  #onMembers(members) {
    const p = this.#parts
    if (this.#closed || p === null) return
    /** @type {RingView} */
    let ring
    try {
      const m = /** @type {Membership} */ (this.#membership)
      ring = this.#local.ring(members, ringWeights(members, this.#selfId, this.#role, (peer) => m.weightOf(peer)))
    } catch (err) {
      this.#background(err) // the old ring stays
      return
    }
    const before = this.#ring?.members.length ?? 1
    const known = new Set(this.#ring?.members ?? [])
    this.#ring?.release()
    this.#ring = ring
    log('%s: %d members', this.#selfId.slice(0, 8), members.length)
    p.freshness.onMembers(before, members.length)
    // Re-route what is unacknowledged to the replicas under the new ring.
    const pending = p.replicator.reroute()
    if (pending.length > 0) p.replicator.replicate(pending, this.replicasFor(pending.map((r) => r.key)))
    if (members.length > before) {
      const joined = members.filter((m) => !known.has(m))
      pushShortWrites(p, joined, (keys) => this.replicasFor(keys)).catch((err) => this.#background(err))
    }
    p.subscriber.refresh()
    // Let the membership settle, then hand off moved keys and reconcile.
    clearTimeout(this.#roundTimer)
    this.#roundTimer = setTimeout(() => this.#rebalance(), this.#opts.sync.heartbeatInterval)
  }

  /** Hands off moved keys, then starts a round; while stale, checks the old records first (which calls this again). */
  #rebalance() {
    const p = this.#parts
    if (this.#closed || p === null) return
    if (p.freshness.stale) return p.freshness.check()
    p.rebalancer
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
    const p = /** @type {SyncParts} */ (this.#parts)
    p.auditRounds.noteHeld(applied.map((a) => a.record.key))
    if (p.publisher.subscribers > 0) p.publisher.onApplied(applied.map((a) => a.record))
    const replicas = this.replicasFor(applied.map((a) => a.record.key))
    p.ownership.onApplied(applied, replicas)
    const push = []
    const to = []
    for (let i = 0; i < applied.length; i++) {
      if (!applied[i].replicate) continue
      p.copies.wrote(applied[i].record)
      push.push(applied[i].record)
      to.push(replicas[i])
    }
    if (push.length > 0) p.replicator.replicate(push, to)
  }

  /** @param {boolean} periodic */
  #round(periodic) {
    const p = this.#parts
    if (this.#closed || p === null) return
    if (p.freshness.stale) return p.freshness.check()
    p.antiEntropy.round(periodic).catch((err) => this.#background(err))
  }

  /**
   * @param {string} from
   * @param {import('./protocol.js').Message} msg validated
   */
  #onMessage(from, msg) {
    if (this.#closed || this.#parts === null) return
    this.#membership?.heard(from, msg.t === 'hb' ? { weight: msg.w ?? 1, durable: msg.d ?? false } : undefined)
    handleMessage(this.#parts, from, msg).catch((err) => this.#background(err))
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
    if (this.#parts) closeSyncParts(this.#parts)
    this.#ring?.release()
  }
}
