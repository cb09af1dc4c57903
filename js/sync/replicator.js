// Replicator: pushes records to the peers that should hold them, until each
// push is acknowledged. Records wait per peer (pending); up to
// PUTS_IN_FLIGHT 'put' messages of about PUT_CHARS each are in flight per
// peer; what is not acknowledged within retryInterval goes out again, and
// when the ring changes the caller takes everything pending (reroute) and
// replicates it again under the new ring.
//
// Invariants:
//  1. pending holds, per peer and key, only the newest record queued.
//  2. An entry is either waiting (msg 0), in one in-flight message (msg id),
//     or acknowledged and proving (PROVING), or lacking at its audit (AGAIN:
//     below).
//  3. whenDrained() waiters settle as soon as nothing is pending, but never
//     between reroute() and the replicate() that queues its records again.
//
// A peer that leaves a record unacknowledged after MAX_TRIES sends and at
// least giveUpAfter ms is unresponsive (lossy links lose a send and its
// retries together with a chance of about 0.2^8): onUnresponsive(peer) is
// called, and the caller takes it out of the ring (reroute follows), so
// resends stop and its records go to replicas that answer.
//
// With an `audit` (js/sync/audits.js), an acknowledged record is not held
// yet: it stays pending (proving) until its replica proves a random sample
// of the records it acknowledged since its last audit (one audit in flight
// per replica); only then is it held (onHeld), so replicated() counts only
// audited replicas. What a replica lacks is sent again with the next
// retries; a replica that fails or never answers is excluded by the
// auditor (the ring change reroutes what it had); its records stop pending
// here.
import { compareVersions } from '../core/versions.js'
import { BulkPush } from './bulk-push.js'
import { Proving } from './proving.js'
import { putBatches } from './put-batches.js'
import { Waiters } from './waiters.js'

// Puts (js/sync/put-batches.js) awaiting their ack per peer, at most (a
// burst larger than a data channel's buffer is lost whole).
const PUTS_IN_FLIGHT = 8
// Sends of one record to one peer before it may be given up on.
const MAX_TRIES = 8
// An entry's msg while its replica proves it holds it (acknowledged, audit
// pending), and once it lacked it at its audit (sent again by the next retry).
const PROVING = -1
const AGAIN = -2

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {{rec: StoredRecord, msg: number, tries: number, first: number}} Entry a record waiting at a
 *  peer; msg: 0 waiting, PROVING, or the id of the put carrying it; tries: sends so far, first: ms of the first */

export class Replicator {
  #selfId
  #send
  #nextId
  #retryInterval
  #giveUpAfter
  #isMember
  /** @type {{ held: (peer: string, rec: StoredRecord) => void, unresponsive: (peer: string) => void,
   *  kept: (peer: string, rec: StoredRecord, kept: import('./protocol.js').Entry) => Promise<void> | undefined,
   *  refused: (peer: string, rec: StoredRecord) => void }} the constructor's callbacks */
  #on
  /** @type {Proving | null} acknowledged entries awaiting their replica's proof (none: held at the ack) */
  #proving = null
  /** onKept answers not settled yet (whenDrained waits for them) */
  #answering = 0
  #bulk
  /** @type {Map<string, Map<string, Entry>>} peer -> key -> entry */
  #pending = new Map()
  /** @type {Map<number, {peer: string, keys: string[], at: number}>} message id -> what it carries */
  #inFlight = new Map()
  #sendScheduled = false
  #closed = false
  #waiters = new Waiters()
  /** @type {Set<Entry>} entries AGAIN */
  #again = new Set()

  /**
   * @param {{ selfId: string, send: (peer: string, msg: import('./protocol.js').Message) => boolean | void,
   *           nextId: () => number, retryInterval: number,
   *           lookup?: (keys: string[]) => Promise<Array<StoredRecord | null>>,
   *           onHeld?: (peer: string, rec: StoredRecord) => void,
   *           onBulk?: (peer: string, n: number) => void,
   *           onUnresponsive?: (peer: string) => void, giveUpAfter?: number,
   *           isMember?: (peer: string) => boolean,
   *           onKept?: (peer: string, rec: StoredRecord, kept: import('./protocol.js').Entry) => Promise<void> | undefined,
   *           audit?: (peer: string, records: StoredRecord[]) => Promise<import('./audits.js').Verdict>,
   *           onRefused?: (peer: string, rec: StoredRecord) => void }} opts
   *   send: false when the message was not sent (past the peer's outgoing
   *   budget: sent again by a later retry); retryInterval in ms; lookup: the local store's records (for pushKeys);
   *   onHeld: a peer acknowledged holding a record; onBulk: pushKeys is
   *   about to queue n records for a peer; onUnresponsive: a peer left a
   *   record unacknowledged MAX_TRIES times over giveUpAfter ms at least
   *   (default 8 retry intervals); isMember: whether a peer is still in the
   *   ring (a push to one that is not stops); onKept: a peer acknowledged a
   *   record but keeps a newer version (js/sync/restamps.js); audit: a
   *   replica's verdict on a sample of what it acknowledged
   *   (js/sync/audits.js); none: acknowledged records are held;
   *   onRefused: a peer did not store a record (its ack named it)
   */
  constructor({
    selfId,
    send,
    nextId,
    retryInterval,
    lookup = async (keys) => keys.map(() => null),
    onHeld = () => {},
    onBulk = () => {},
    onUnresponsive = () => {},
    giveUpAfter = MAX_TRIES * retryInterval,
    isMember = () => true,
    onKept = () => undefined,
    audit,
    onRefused = () => {}
  }) {
    this.#on = { held: onHeld, unresponsive: onUnresponsive, kept: onKept, refused: onRefused }
    if (audit !== undefined) {
      this.#proving = new Proving({
        audit,
        current: (peer, e) => this.#pending.get(peer)?.get(e.rec.key) === e,
        held: (peer, entries) => this.#held(peer, /** @type {Entry[]} */ (entries)),
        // Lacking some: sent again with the next retries (js/sync/audits.js strikes).
        again: (_peer, entries) => {
          for (const e of /** @type {Entry[]} */ (entries)) this.#again.add(Object.assign(e, { msg: AGAIN }))
        },
        notHeld: (peer, entries) => this.#drop(peer, /** @type {Entry[]} */ (entries)),
        after: (peer) => {
          this.#waiters.settle()
          this.#bulk.wake(peer)
        }
      })
    }
    this.#isMember = isMember
    this.#giveUpAfter = giveUpAfter
    this.#selfId = selfId
    this.#send = send
    this.#nextId = nextId
    this.#retryInterval = retryInterval
    this.#bulk = new BulkPush({
      waiting: (peer) => this.#pending.get(peer)?.values() ?? null,
      lookup,
      queue: (peer, rec) => this.queue(peer, rec),
      onBulk,
      isMember,
      isPending: (peer, key) => this.isPending(peer, key)
    })
  }

  /** @returns {number} records (per peer) not yet acknowledged */
  get pending() {
    let n = this.#answering
    for (const m of this.#pending.values()) n += m.size
    return n
  }

  /**
   * Queues records for their replicas (this peer left out) and sends soon.
   * @param {readonly StoredRecord[]} records
   * @param {readonly string[][]} replicas per record, its replicas' peer ids
   */
  replicate(records, replicas) {
    if (this.#closed) return
    records.forEach((rec, i) => {
      for (const peer of replicas[i]) if (peer !== this.#selfId) this.queue(peer, rec)
    })
    this.#scheduleSend()
    this.#waiters.settle() // records with no other replica leave nothing pending
  }

  /**
   * Pushes the records this store holds for keys to one peer (keys it does
   * not hold are skipped), at the pace of its acknowledgements (js/sync/bulk-push.js).
   * @param {string} peer
   * @param {string[]} keys
   */
  pushKeys(peer, keys) {
    return this.#bulk.push(peer, keys)
  }

  /** @param {string} peer @param {string} key @returns {boolean} whether a record of key waits for the peer's acknowledgement or proof */
  isPending(peer, key) {
    return this.#pending.get(peer)?.has(key) ?? false
  }

  /** @param {string} peer @returns {boolean} whether a pushKeys() to it is under way */
  isPushing(peer) {
    return this.#bulk.pushing(peer)
  }

  /**
   * Queues one record for one peer (sent by the next flush of the queue).
   * @param {string} peer
   * @param {StoredRecord} rec
   */
  queue(peer, rec) {
    if (this.#closed) return
    let m = this.#pending.get(peer)
    if (!m) this.#pending.set(peer, (m = new Map()))
    const old = m.get(rec.key)
    if (old && compareVersions(old.rec.hlc, old.rec.origin, rec.hlc, rec.origin) >= 0) return
    m.set(rec.key, { rec, msg: 0, tries: 0, first: 0 })
    this.#scheduleSend()
  }

  /**
   * An ack from `from`.
   * @param {string} from
   * @param {number} id
   * @param {import('./protocol.js').Entry[]} [kept] newer versions the peer
   *   keeps over some of the records (not held: onKept)
   * @param {string[]} [refused] keys of records the peer did not store (not held)
   * @returns {boolean} whether it acknowledged one of our puts
   */
  onAck(from, id, kept = [], refused = []) {
    const f = this.#inFlight.get(id)
    if (!f || f.peer !== from) return false
    this.#inFlight.delete(id)
    const m = this.#pending.get(from)
    if (!m) return true
    const keptByKey = new Map(kept.map((e) => [e.key, e]))
    const notStored = new Set(refused)
    /** @type {Entry[]} */
    const held = []
    for (const k of f.keys) {
      const e = m.get(k)
      if (e?.msg !== id) continue
      if (notStored.has(k)) {
        m.delete(k) // refused: not held there (copies does not count it)
        this.#on.refused(from, e.rec)
        continue
      }
      const over = keptByKey.get(k)
      // An older version kept is a stale answer: held. The same version
      // kept is another value under it (an equivocated version): not held.
      if (over === undefined || compareVersions(over.hlc, over.origin, e.rec.hlc, e.rec.origin) < 0) {
        held.push(e)
        continue
      }
      m.delete(k)
      // Not held: the peer keeps a newer version, or another value of this
      // one. Waiters wait for what the writer does about it (a new version, queued).
      const answered = this.#on.kept(from, e.rec, over)
      if (answered) {
        this.#answering++
        answered.finally(() => {
          this.#answering--
          this.#waiters.settle()
        })
      }
    }
    if (this.#proving === null) this.#held(from, held)
    else {
      for (const e of held) e.msg = PROVING
      this.#proving.add(from, held)
    }
    if (m.size === 0) this.#pending.delete(from)
    else this.#scheduleSend() // the window has room again
    this.#waiters.settle()
    this.#bulk.wake(from)
    return true
  }

  /**
   * Entries a peer holds: they stop pending (onHeld).
   * @param {string} peer
   * @param {Entry[]} entries still current
   */
  #held(peer, entries) {
    this.#drop(peer, entries)
    for (const e of entries) this.#on.held(peer, e.rec)
  }

  /**
   * Entries that stop pending at a peer.
   * @param {string} peer
   * @param {Entry[]} entries still current
   */
  #drop(peer, entries) {
    const m = this.#pending.get(peer)
    for (const e of entries) m?.delete(e.rec.key)
    if (m?.size === 0) this.#pending.delete(peer)
  }

  /** Unacknowledged messages older than retryInterval go out again; a peer
   *  that never acknowledges is reported (onUnresponsive) instead. */
  retry() {
    const now = Date.now()
    const cutoff = now - this.#retryInterval
    let any = false
    /** @type {Set<string>} */
    const unresponsive = new Set()
    for (const [id, f] of this.#inFlight) {
      if (f.at > cutoff) continue
      this.#inFlight.delete(id)
      const m = this.#pending.get(f.peer)
      for (const k of f.keys) {
        const e = m?.get(k)
        if (e && e.msg === id) {
          e.msg = 0
          any = true
          if (e.tries >= MAX_TRIES && now - e.first >= this.#giveUpAfter) unresponsive.add(f.peer)
        }
      }
    }
    for (const e of this.#again) if (e.msg === AGAIN) e.msg = 0 // (else superseded, rerouted or dropped)
    this.#again.clear()
    for (const peer of unresponsive) this.#on.unresponsive(peer) // reroutes: resends stop
    // What waits for peers gone from the ring (queued to them directly:
    // catch-up, repairs, audits) is dropped: a reroute took the rest.
    for (const [peer, m] of this.#pending) {
      if (this.#isMember(peer)) continue
      this.#pending.delete(peer)
      for (const [id, f] of this.#inFlight) if (f.peer === peer) this.#inFlight.delete(id)
      if (m.size > 0) any = true
    }
    if (any) {
      this.#waiters.settle()
      this.#bulk.wake(null)
    }
    // Also what a peer's outgoing budget held back.
    if ((any || this.#pending.size > 0) && !this.#closed) this.#sendPending()
  }

  /**
   * Empties the queue for a new ring: the newest pending record of each key,
   * to replicate again to its replicas under that ring (replicate(); until
   * then, waiters stay waiting).
   * @returns {StoredRecord[]}
   */
  reroute() {
    /** @type {Map<string, StoredRecord>} */
    const recs = new Map()
    for (const m of this.#pending.values()) {
      for (const { rec } of m.values()) {
        const old = recs.get(rec.key)
        if (!old || compareVersions(old.hlc, old.origin, rec.hlc, rec.origin) < 0) recs.set(rec.key, rec)
      }
    }
    this.#pending.clear()
    this.#inFlight.clear()
    this.#again.clear()
    this.#proving?.clear()
    this.#bulk.wake(null)
    return [...recs.values()]
  }

  /**
   * Resolves once nothing is pending; rejects after timeoutMs.
   * @param {number} timeoutMs ms, >= 0; Infinity (or more than a timer
   *   holds, 2^31 - 1) waits without a limit
   * @returns {Promise<void>}
   * @throws {Error} with code TIMEOUT
   */
  whenDrained(timeoutMs) {
    return this.#waiters.wait(
      () => this.pending === 0,
      timeoutMs,
      () => `${this.pending} replications unacknowledged after ${timeoutMs} ms`
    )
  }

  /** Drops everything; waiters resolve (nothing is pending any more). */
  close() {
    this.#closed = true
    this.#pending.clear()
    this.#inFlight.clear()
    this.#again.clear()
    this.#proving?.close()
    this.#waiters.close()
    this.#bulk.close()
  }

  #scheduleSend() {
    if (this.#sendScheduled) return
    this.#sendScheduled = true
    setTimeout(() => {
      this.#sendScheduled = false
      this.#sendPending()
    }, 0)
  }

  #sendPending() {
    if (this.#closed) return
    const now = Date.now()
    /** @type {Map<string, number>} */
    const inFlight = new Map()
    for (const f of this.#inFlight.values()) inFlight.set(f.peer, (inFlight.get(f.peer) ?? 0) + 1)
    for (const [peer, m] of this.#pending) {
      let room = PUTS_IN_FLIGHT - (inFlight.get(peer) ?? 0)
      if (room <= 0) continue
      for (const batch of putBatches(waiting(m))) {
        const id = this.#nextId()
        // Past the peer's outgoing budget: the rest waits (retry).
        if (this.#send(peer, { t: 'put', id, records: batch.map((e) => e.rec) }) === false) break
        for (const e of batch) {
          e.msg = id
          if (e.tries++ === 0) e.first = now
        }
        this.#inFlight.set(id, { peer, keys: batch.map((e) => e.rec.key), at: now })
        if (--room <= 0) break
      }
    }
  }
}

/** @param {Map<string, Entry>} m a peer's pending entries @returns {Generator<Entry>} those waiting to be sent */
function* waiting(m) {
  for (const e of m.values()) if (e.msg === 0) yield e
}
