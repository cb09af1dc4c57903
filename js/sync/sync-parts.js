// The parts of a replicated store, built once its local store is open: the
// SyncContext they share and one object of each part, wired to each other,
// and their counters for stats.
// ReplicatedStore (js/sync/replicated-store.js) owns them, drives them from
// its timers and membership, and hands peers' messages to them
// (js/sync/handlers.js).
import { AntiEntropy } from './anti-entropy.js'
import { AuditRounds } from './audit-rounds.js'
import { Audits, FAILED_EXCLUDE_MS } from './audits.js'
import { CatchUp } from './catch-up.js'
import { Copies } from './copies.js'
import { Freshness } from './freshness.js'
import { Incoming } from './incoming.js'
import { mergeRecords } from './handlers.js'
import { Messenger } from './messenger.js'
import { Ownership } from './ownership.js'
import { Publisher } from './publisher.js'
import { Rebalancer } from './rebalance.js'
import { RemoteCache } from './remote-cache.js'
import { Replicator } from './replicator.js'
import { Restamps } from './restamps.js'
import { RingScans } from './ring-scans.js'
import { RoutedReads } from './routed-reads.js'
import { Subscriber } from './subscriber.js'
import { VersionQuery } from './version-query.js'

/** @typedef {import('../engine/ring.js').RingView} RingView */
/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

// Pushes of at least this many records to one peer are announced to it
// ('delta'), for its progress (js/sync/incoming.js).
const ANNOUNCE_AT_LEAST = 100
// A put's records are stored for keys whose first rf + RING_SLACK replicas
// include this peer (js/sync/accept-puts.js).
const RING_SLACK = 2
// The writes short of copies that replicas refused are pushed to them again
// every this many retry intervals (pushRefusedWrites).
const REFUSED_PUSH_RETRIES = 4

/**
 * Every part, with the context they share.
 * @typedef {Omit<import('./handlers.js').Parts, 'freshness'> & { ctx: import('./sync-context.js').SyncContext,
 *   copies: Copies, cache: RemoteCache, ownership: Ownership, rebalancer: Rebalancer, freshness: Freshness,
 *   restamps: Restamps, audits: Audits, auditRounds: AuditRounds }} SyncParts
 */

/**
 * @param {{ local: import('../store/local-store.js').LocalStore,
 *   transport: import('../transport/transport.js').Transport,
 *   opts: import('./sync-context.js').SyncOptions,
 *   watch: import('./replicated-store.js').Watch,
 *   selfId: string, ring: () => RingView, isMember: (peer: string) => boolean,
 *   isDurable: (peer: string) => boolean, nextId: () => number,
 *   reportError: (err: unknown) => void, onChecked: () => void,
 *   excludePeer: (peer: string, why: string, ms?: number) => void }} host
 *   ring: the current ring; isDurable: the peer acknowledges only what is on
 *   its disk (js/sync/membership.js); onChecked: a stale store's old records are
 *   checked (js/sync/freshness.js); excludePeer: take a peer that does not
 *   do its part out of the ring for a while (ms; default: a few peer timeouts)
 * @returns {SyncParts}
 */
export function buildSyncParts({ local, transport, opts, watch, selfId, ring, isMember, isDurable, nextId, reportError, onChecked, excludePeer }) {
  const { sync, readTimeout, limits, replicationFactor: rf } = opts
  const messenger = new Messenger(transport, selfId, { limits, rateLimit: sync.rateLimit, fragmentTtl: 4 * readTimeout })
  const send = (/** @type {string} */ peer, /** @type {import('./protocol.js').Message} */ msg) => messenger.send(peer, msg)
  const lookup = async (/** @type {string[]} */ keys) => (await local.lookup(keys)).map((a) => a.record ?? null)
  const scanLocal = local.scan.bind(local)
  const copies = new Copies(selfId, rf, isDurable)
  const announce = (/** @type {string} */ peer, /** @type {number} */ n) => {
    if (n >= ANNOUNCE_AT_LEAST) send(peer, { t: 'delta', n })
  }
  const restamps = new Restamps(selfId, (ops) => local.write(ops))
  const giveUpAfter = Math.max(8 * sync.retryInterval, 4 * sync.peerTimeout)
  const replicator = new Replicator({
    selfId,
    send,
    nextId,
    retryInterval: sync.retryInterval,
    lookup,
    onHeld: (peer, rec) => {
      copies.held(peer, rec)
      audits.noteProven(peer, rec)
    },
    onBulk: announce,
    onUnresponsive: (peer) => excludePeer(peer, 'unresponsive'),
    giveUpAfter,
    isMember,
    onKept: (_peer, rec, kept) => restamps.onKept(rec, kept),
    audit: (peer, records) => audits.challenge(peer, records),
    onRefused: (peer, rec) => copies.refusedBy(peer, rec)
  })
  /** @type {import('./sync-context.js').SyncContext} */
  const ctx = {
    selfId,
    rf,
    retryInterval: sync.retryInterval,
    ring,
    isMember,
    send,
    nextId,
    syncScan: (view, queries) => local.syncScan(view, rf, queries),
    scanAll: (onRecord) => local.scan({ tombstones: true }, onRecord),
    lookup,
    merge: async (records) => {
      await mergeRecords(local, records)
    },
    reportError,
    queue: (peer, rec) => replicator.queue(peer, rec),
    pushKeys: (peer, keys) => replicator.pushKeys(peer, keys),
    isPushingTo: (peer) => replicator.isPushing(peer),
    announce
  }
  // (The replicator's audit and onHeld use it: called only once it exists.)
  const audits = new Audits(ctx, {
    onFailed: (peer, why, keys) => {
      excludePeer(peer, `failed an audit: ${why}`, FAILED_EXCLUDE_MS)
      // What it had proved holding may have no other copy: pushed again
      // under the ring without it, and this peer's writes among it counted anew.
      pushStored(parts, keys, (ks) => ring().replicasFor(ks, rf), { written: (rec) => rec.origin === selfId }).catch(reportError)
    },
    onUnresponsive: (peer) => excludePeer(peer, 'audits unanswered'),
    merge: ctx.merge,
    maxClockDrift: sync.maxClockDrift,
    giveUpAfter
  })
  const catchUp = new CatchUp(ctx, { peerTimeout: sync.peerTimeout, startHlc: local.clock() })
  const ownership = new Ownership(selfId, local.engineStats()?.liveKeys ?? 0)
  const cache = new RemoteCache({ maxCachePages: opts.maxCachePages, pageSize: opts.pageSize, backend: watch.cacheBackend ?? null, limits })
  const reads = new RoutedReads(ctx, { readTimeout, cache })
  const subscriber = new Subscriber(ctx, {
    interests: watch.interests,
    lease: Math.max(1000, 10 * sync.heartbeatInterval),
    remote: {
      cached: (key) => cache.get(key),
      remember: (rec) => cache.put(rec),
      announce: (records) => watch.announce(records.map((record) => ({ record, replicate: false, existed: false })))
    }
  })
  const query = new VersionQuery(ctx, { timeout: readTimeout, inSyncSince: () => freshness.inSyncSince })
  const freshness = new Freshness({
    local,
    grace: opts.tombstoneGracePeriod,
    gc: { selfId, rf, ring, ask: (peer, keys) => query.ask(peer, keys), scan: scanLocal, write: (ops) => local.write(ops) },
    onChecked,
    reportError
  })
  /** @type {SyncParts} */
  const parts = {
    ctx,
    local,
    messenger,
    replicator,
    restamps,
    audits,
    auditRounds: new AuditRounds(ctx, audits),
    // Two places of slack: a sender's ring may lack a peer this one has
    // (one it excluded: js/sync/membership.js, or one it has not heard yet).
    replicates: (keys) => ring().replicasFor(keys, rf + RING_SLACK).map((peers) => peers.includes(selfId)),
    peersFull: () => local.peersFull,
    peersNear: () => local.peersNear,
    lookup,
    copies,
    cache,
    reads,
    scans: new RingScans(ctx, { readTimeout, scanLocal, onProgress: watch.progress }),
    publisher: new Publisher(ctx, { scan: scanLocal, reject: (peer, why) => messenger.reject(peer, why) }),
    subscriber,
    incoming: new Incoming({ stallMs: 4 * sync.retryInterval, onProgress: watch.progress }),
    antiEntropy: new AntiEntropy(ctx, catchUp),
    catchUp,
    ownership,
    rebalancer: new Rebalancer(ctx, ownership),
    query,
    freshness,
    maxClockDrift: sync.maxClockDrift,
    durableAcks: opts.role?.durable ?? false
  }
  return parts
}

/**
 * Closes every part (in-flight work settles with what it has).
 * @param {SyncParts} p
 */
export function closeSyncParts(p) {
  p.cache.close().catch(() => {}) // saved last (a failure gives the space back: nothing to report)
  for (const part of [p.messenger, p.replicator, p.audits, p.auditRounds, p.reads, p.scans, p.subscriber, p.publisher, p.copies, p.catchUp, p.rebalancer, p.query, p.freshness]) part.close()
}

/**
 * Pushes the records stored for keys to their replicas.
 * @param {SyncParts} p
 * @param {string[]} keys
 * @param {(keys: string[]) => string[][]} replicasFor under the current ring (self alone once closed)
 * @param {{ written?: boolean | ((rec: StoredRecord) => boolean), to?: (peer: string, key: string) => boolean }} [opts]
 *   written: writes made here (their copies are counted from now), all of
 *   them or those it says; to: which replicas each key goes to (default: all)
 */
export async function pushStored(p, keys, replicasFor, { written = false, to } = {}) {
  /** @param {string[]} ks @returns {string[][]} per key, the peers it goes to */
  const targets = (ks) => {
    const replicas = replicasFor(ks)
    return to === undefined ? replicas : replicas.map((peers, i) => peers.filter((x) => to(x, ks[i])))
  }
  // A key with no peer to go to is not looked up (unless written here: its copies are counted from now).
  let wanted = keys
  if (written !== true) {
    const before = targets(keys)
    wanted = keys.filter((_, i) => before[i].some((x) => x !== p.ctx.selfId))
  }
  if (wanted.length === 0) return
  const recs = /** @type {StoredRecord[]} */ ((await p.ctx.lookup(wanted)).filter(Boolean))
  if (written !== false) for (const r of recs) if (written === true || written(r)) p.copies.wrote(r)
  p.replicator.replicate(recs, targets(recs.map((r) => r.key))) // under the ring of now (the lookup took a while)
}

/**
 * The ring grew: the writes short of copies go to their replicas again, but
 * not to the replicas that acknowledged them already (before, b was sent
 * again every write a made while x was away), nor to the peers new to the
 * ring: they ask for what they lack (catch-up, 'since'), which brings these
 * too (sent twice, the catch-up benchmark's bytes had gone from 1.05x to
 * 2.57x the changed entries).
 * @param {SyncParts} p
 * @param {string[]} joined the peers new to the ring
 * @param {(keys: string[]) => string[][]} replicasFor
 */
export function pushShortWrites(p, joined, replicasFor) {
  const fresh = new Set(joined)
  return pushStored(p, p.copies.keys(), replicasFor, { to: (peer, key) => !fresh.has(peer) && !p.copies.holds(key, peer) })
}

/**
 * The work of each retry interval: what waits for an answer goes again
 * (puts, audits, pubs), and every REFUSED_PUSH_RETRIES-th time the writes
 * short of copies that replicas refused and the writes no durable peer
 * acknowledged.
 * @param {SyncParts} p
 * @param {number} tick the retry intervals so far (1, 2, ...)
 * @param {(keys: string[]) => string[][]} replicasFor
 * @returns {Promise<void> | undefined} the push of the refused writes, if one started
 */
export function retryTick(p, tick, replicasFor) {
  p.replicator.retry()
  p.audits.retry()
  p.publisher.tick()
  if (tick % REFUSED_PUSH_RETRIES !== 0) return undefined
  const pushes = []
  if (p.copies.short > 0) pushes.push(pushRefusedWrites(p, replicasFor))
  // (Without a durable member, as in a mesh of browsers only, there is nowhere to push them.)
  if (p.copies.notDurable > 0 && p.ctx.ring().members.some((m) => p.copies.isDurable(m))) pushes.push(pushUndurableWrites(p, replicasFor))
  return pushes.length > 0 ? Promise.all(pushes).then(() => {}) : undefined
}

/**
 * The writes made here that no durable peer acknowledged go to the durable
 * replicas of their keys that have no push of them under way. A durable
 * peer back after being away may have received them from another replica
 * (a catch-up sends each key from one peer only), which tells this peer
 * nothing; its acknowledgement of this push does (it comes once they are
 * on its disk).
 * @param {SyncParts} p
 * @param {(keys: string[]) => string[][]} replicasFor
 */
export function pushUndurableWrites(p, replicasFor) {
  return pushStored(p, p.copies.notDurableKeys(), replicasFor, {
    to: (peer, key) => p.copies.isDurable(peer) && !p.replicator.isPending(peer, key)
  })
}

/**
 * The writes short of copies that peers refused go to them again, if they
 * are still their replicas (a replica whose ring differed for a moment, or
 * held a cheat this peer had excluded, takes them once the rings agree).
 * @param {SyncParts} p
 * @param {(keys: string[]) => string[][]} replicasFor
 */
export function pushRefusedWrites(p, replicasFor) {
  const refused = p.copies.takeRefused()
  return pushStored(p, [...refused.keys()], replicasFor, { to: (peer, key) => refused.get(key)?.has(peer) ?? false })
}

/**
 * The parts' counters for stats (zeros before they exist); no I/O.
 * @param {SyncParts | null} p
 */
export function partsStats(p) {
  const m = p?.messenger.stats
  return {
    ownedKeys: p?.ownership.owned ?? 0,
    replicaKeys: p?.ownership.replica ?? 0,
    pendingReplications: p?.replicator.pending ?? 0,
    underReplicated: p?.copies.short ?? 0,
    messagesIn: m?.messagesIn ?? 0,
    messagesOut: m?.messagesOut ?? 0,
    bytesIn: m?.bytesIn ?? 0,
    bytesOut: m?.bytesOut ?? 0,
    rejected: m?.rejected ?? 0,
    rejectedWhy: { ...(m?.rejectedWhy ?? {}) },
    refusedWhy: { ...(m?.refusedWhy ?? {}) },
    partialChars: p?.messenger.partialChars ?? 0,
    throttled: m?.throttled ?? 0,
    restamped: p?.restamps.stats.restamped ?? 0,
    audits: { ...(p?.audits.stats ?? { sent: 0, passed: 0, failed: 0, answered: 0 }) },
    remoteRecords: p?.cache.size ?? 0,
    remoteBytes: p?.cache.bytes ?? 0,
    remotePages: p?.cache.pages ?? 0,
    subscriptions: {
      ...(p?.subscriber.counts ?? { watching: 0, keys: 0, prefixes: 0 }),
      subscribers: p?.publisher.subscribers ?? 0,
      pubsIn: p?.subscriber.stats.pubsIn ?? 0,
      pubsOut: p?.publisher.stats.pubsOut ?? 0
    }
  }
}
