// Audits: this peer checks that the replicas it counts on hold what they
// acknowledged (issue 16: one attacker under 30 peer ids acknowledged every
// put and stored nothing; once the writer left, 14% of the writes that
// replicated() had resolved for were readable). A replica proves it holds a
// record by hashing it with a fresh nonce (js/sync/audit-proofs.js).
//
// Three kinds of audit, one mechanism (challenge):
//  - after an acknowledgement: the replicator counts a replica as holding
//    the records of its acknowledged puts only once it proved a random
//    sample of them (js/sync/replicator.js), so replicated() counts only
//    audited replicas;
//  - afterwards: every round (sync.antiEntropyInterval, while the store
//    changes and ACTIVE_ROUNDS rounds more, else every IDLE_ROUND_MS), a
//    sample of the records held here is audited at their other replicas; a
//    replica that lacks one it proved holding before fails, one that lacks
//    one it never acknowledged is sent it (its acknowledgement is audited);
//  - on refusal: a peer's records this peer refused (they are not its keys
//    under its ring) are audited at the replicas that rank before it, so
//    that a peer which excluded a cheat and pushes its keys to honest
//    replicas makes those replicas find the cheat too.
//
// A replica that answers a wrong proof, or does not hold what it
// acknowledged, is excluded from this peer's ring (onFailed: for
// FAILED_EXCLUDE_MS, logged, counted in stats); one that never answers is
// unresponsive, like a replica that never acknowledges. Answers to other
// peers' audits cost at most AUDIT_CHARS of hashing each and HASH_RATE
// characters per second per peer.
import { logger } from '../core/log.js'
import { isFromFuture } from '../core/versions.js'
import { answerAudit, checkAnswers, newNonce, sampleLive } from './audit-proofs.js'
import { RateLimiter } from './rate-limit.js'

const log = logger('sync')
/** How long a replica that failed an audit stays out of this peer's ring
 *  (ms): it showed it does not hold what it acknowledged. */
export const FAILED_EXCLUDE_MS = 60 * 60 * 1000
/** Sends of one audit before its replica counts as unresponsive. */
const AUDIT_TRIES = 8
/** Keys sampled per round, peers audited per round, and the reservoir of
 *  keys held here they are drawn from. */
const ROUND_KEYS = 16
const ROUND_PEERS = 32
const RESERVOIR = 256
/** Keys whose audited replicas are remembered (noteProven). */
const PROVEN_KEYS = 4096
/** Rounds go on for this many rounds after the first one following the
 *  last write applied here; then one is made every IDLE_ROUND_MS (a round reads pages, here and at
 *  the audited replicas: an idle store reads none in between, and its
 *  anti-entropy re-reads them as often: js/store/digest-cache.js). */
const ACTIVE_ROUNDS = 3
const IDLE_ROUND_MS = 10 * 60 * 1000
/** Audits of other replicas, made on refusals, in flight at once. */
const REFUSAL_AUDITS = 8
/** Characters of records a peer's audits may make this one hash per second
 *  (bursts of twice that). */
const HASH_RATE = 4 << 20

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('./audit-proofs.js').AuditVerdict} AuditVerdict */

/**
 * @typedef {object} Challenge
 * @property {string} peer
 * @property {string} nonce
 * @property {StoredRecord[]} records
 * @property {(rec: StoredRecord) => boolean} acked whether it acknowledged holding a record
 * @property {number} tries sends so far
 * @property {number} first ms of the first send
 * @property {number} at ms of the last send
 * @property {(ok: boolean | null) => void} resolve
 */

export class Audits {
  #ctx
  #onFailed
  #onUnresponsive
  #merge
  #maxClockDrift
  #giveUpAfter
  #now
  /** @type {Map<number, Challenge>} audit id -> challenge in flight */
  #inFlight = new Map()
  /** @type {string[]} keys held here, a uniform sample of those written or merged (Algorithm R) */
  #reservoir = []
  #seen = 0
  /** Rounds since the last write applied here. */
  #quiet = 0
  #lastRound = 0
  #refusalAudits = 0
  /** @type {Map<string, {hlc: string, origin: string, peers: Set<string>}>} key -> the replicas that proved holding that version */
  #proven = new Map()
  #hashLimiter = new RateLimiter({ messages: 1e9, bytes: HASH_RATE })
  #closed = false
  stats = { sent: 0, passed: 0, failed: 0, answered: 0 }

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {{ onFailed: (peer: string, why: string, keys: string[]) => void, onUnresponsive: (peer: string) => void,
   *           merge: (records: StoredRecord[]) => Promise<void>, maxClockDrift: number,
   *           giveUpAfter: number, now?: () => number }} opts
   *   onFailed: a replica failed an audit (exclude it, and push the keys it
   *   had proved holding to their replicas again); onUnresponsive: one
   *   left an audit unanswered AUDIT_TRIES times over giveUpAfter ms at
   *   least; merge: newer versions replicas showed; maxClockDrift in ms
   */
  constructor(ctx, { onFailed, onUnresponsive, merge, maxClockDrift, giveUpAfter, now = () => Date.now() }) {
    this.#ctx = ctx
    this.#onFailed = onFailed
    this.#onUnresponsive = onUnresponsive
    this.#merge = merge
    this.#maxClockDrift = maxClockDrift
    this.#giveUpAfter = giveUpAfter
    this.#now = now
  }

  /**
   * Audits a replica: resolves true when it proved the records it was
   * asked about (what it lacks, if it had not acknowledged them, is pushed
   * to it), false when it failed (onFailed was called), null when it did
   * not answer (onUnresponsive was called), left the ring, or this peer closed.
   * @param {string} peer
   * @param {StoredRecord[]} records 1 to AUDIT_ENTRIES (audit-proofs.js sampleLive)
   * @param {(rec: StoredRecord) => boolean} [acked] whether it acknowledged
   *   holding a record (not holding it then fails the audit); default: all
   * @returns {Promise<boolean | null>}
   */
  challenge(peer, records, acked = () => true) {
    if (this.#closed || records.length === 0) return Promise.resolve(null)
    return new Promise((resolve) => {
      const id = this.#ctx.nextId()
      const now = this.#now()
      /** @type {Challenge} */
      const c = { peer, nonce: newNonce(), records, acked, tries: 0, first: now, at: now, resolve }
      this.#inFlight.set(id, c)
      this.#send(id, c)
    })
  }

  /**
   * A proof from `from`.
   * @param {string} from
   * @param {number} id
   * @param {Array<string | StoredRecord | null>} answers
   */
  async onProof(from, id, answers) {
    const c = this.#inFlight.get(id)
    if (!c || c.peer !== from) return
    this.#inFlight.delete(id)
    const verdict = checkAnswers(c.nonce, c.records, answers, c.acked)
    const future = verdict.newer.find((r) => isFromFuture(r.hlc, this.#now(), this.#maxClockDrift))
    if (verdict.failed === null && future) verdict.failed = 'a version from the future'
    if (verdict.failed !== null) {
      this.stats.failed++
      log('audit of %s failed: %s', from.slice(0, 8), verdict.failed)
      this.#onFailed(from, verdict.failed, this.#forget(from))
      c.resolve(false)
      return
    }
    this.stats.passed++
    // Sent what it lacks (its acknowledgement is audited), if it is still a replica here.
    if (this.#ctx.isMember(from)) for (const rec of verdict.lacking) this.#ctx.queue(from, rec)
    c.resolve(true)
    if (verdict.newer.length > 0) await this.#merge(verdict.newer)
  }

  /**
   * Answers a peer's audit from the records held here.
   * @param {string} from
   * @param {{ id: number, nonce: string, entries: import('./protocol.js').Entry[] }} msg
   * @returns {Promise<boolean>} false: past the peer's hashing budget, not answered
   */
  async answer(from, msg) {
    // The cost is known once the records are looked up: a peer in debt
    // (past HASH_RATE) gets no answer until its budget refills.
    if (!this.#hashLimiter.has(from, 1)) return false
    const { answers, chars } = await answerAudit(this.#ctx.lookup, msg.nonce, msg.entries)
    this.#hashLimiter.charge(from, chars)
    this.stats.answered++
    this.#ctx.send(from, { t: 'proof', id: msg.id, answers })
    return true
  }

  /**
   * A replica proved it holds what it acknowledged, rec among it: a later
   * audit of this version at that replica fails if it no longer holds it
   * (the last PROVEN_KEYS keys are remembered).
   * @param {string} peer
   * @param {StoredRecord} rec
   */
  noteProven(peer, rec) {
    const old = this.#proven.get(rec.key)
    this.#proven.delete(rec.key) // re-inserted last: the map stays in LRU order
    const e = old && old.hlc === rec.hlc && old.origin === rec.origin ? old : { hlc: rec.hlc, origin: rec.origin, peers: new Set() }
    e.peers.add(peer)
    this.#proven.set(rec.key, e)
    if (this.#proven.size > PROVEN_KEYS) this.#proven.delete(/** @type {string} */ (this.#proven.keys().next().value))
  }

  /**
   * Writes applied here (made here or merged): the keys sampled for rounds.
   * @param {readonly string[]} keys
   */
  noteHeld(keys) {
    this.#quiet = 0
    for (const key of keys) {
      this.#seen++
      if (this.#reservoir.length < RESERVOIR) this.#reservoir.push(key)
      else {
        const j = Math.floor(Math.random() * this.#seen)
        if (j < RESERVOIR) this.#reservoir[j] = key
      }
    }
  }

  /**
   * One round of audits of other replicas: a sample of the live records
   * held here, each at its other replicas under the current ring.
   * @returns {Promise<void>}
   */
  async round() {
    const now = this.#now()
    if (this.#closed || this.#reservoir.length === 0) return
    if (this.#quiet++ > ACTIVE_ROUNDS && now - this.#lastRound < IDLE_ROUND_MS) return
    this.#lastRound = now
    const keys = [...new Set(Array.from({ length: ROUND_KEYS }, () => this.#reservoir[Math.floor(Math.random() * this.#reservoir.length)]))]
    const found = await this.#ctx.lookup(keys)
    if (this.#closed) return
    const gone = new Set(keys.filter((_, i) => found[i] === null))
    if (gone.size > 0) this.#reservoir = this.#reservoir.filter((k) => !gone.has(k))
    const live = /** @type {StoredRecord[]} */ (found.filter((r) => r !== null && !r.deleted))
    this.#auditAt(live, () => true, ROUND_PEERS)
  }

  /**
   * A peer's records this peer refused (not its keys under its ring): a
   * sample is audited at the replicas ranked before this peer.
   * @param {StoredRecord[]} records
   */
  onRefused(records) {
    if (this.#closed || this.#refusalAudits >= REFUSAL_AUDITS) return
    this.#auditAt(sampleLive(records, 2), () => this.#refusalAudits < REFUSAL_AUDITS, REFUSAL_AUDITS, true)
  }

  /** Resends audits unanswered for retryInterval; gives up on replicas that never answer. */
  retry() {
    const now = this.#now()
    for (const [id, c] of this.#inFlight) {
      if (!this.#ctx.isMember(c.peer)) {
        this.#inFlight.delete(id) // gone from the ring: nothing to count on there
        c.resolve(null)
        continue
      }
      if (now - c.at < this.#ctx.retryInterval) continue
      if (c.tries >= AUDIT_TRIES && now - c.first >= this.#giveUpAfter) {
        this.#inFlight.delete(id)
        log('audit of %s unanswered after %d sends', c.peer.slice(0, 8), c.tries)
        this.#onUnresponsive(c.peer)
        c.resolve(null)
      } else this.#send(id, c)
    }
  }

  /** Challenges in flight settle (null). */
  close() {
    this.#closed = true
    for (const c of this.#inFlight.values()) c.resolve(null)
    this.#inFlight.clear()
  }

  /**
   * Audits records at their replicas other than this peer (at most
   * AUDIT_ENTRIES per replica, `peers` replicas, none with an audit in flight).
   * @param {StoredRecord[]} records
   * @param {() => boolean} more whether to start another
   * @param {number} peers
   * @param {boolean} [refusal] counted in #refusalAudits while in flight
   */
  #auditAt(records, more, peers, refusal = false) {
    if (records.length === 0) return
    const { selfId, rf } = this.#ctx
    const replicas = this.#ctx.ring().replicasFor(
      records.map((r) => r.key),
      rf
    )
    const busy = new Set([...this.#inFlight.values()].map((c) => c.peer))
    /** @type {Map<string, StoredRecord[]>} */
    const byPeer = new Map()
    records.forEach((rec, i) => {
      for (const p of replicas[i]) {
        if (p === selfId || busy.has(p)) continue
        const list = byPeer.get(p) ?? []
        list.push(rec)
        byPeer.set(p, list)
      }
    })
    let started = 0
    for (const [peer, list] of byPeer) {
      if (started >= peers || !more()) break
      started++
      if (refusal) this.#refusalAudits++
      const acked = (/** @type {StoredRecord} */ rec) => {
        const e = this.#proven.get(rec.key)
        return e !== undefined && e.hlc === rec.hlc && e.origin === rec.origin && e.peers.has(peer)
      }
      this.challenge(peer, sampleLive(list), acked).finally(() => {
        if (refusal) this.#refusalAudits--
      })
    }
  }

  /**
   * Forgets what a peer proved it held.
   * @param {string} peer
   * @returns {string[]} the keys it had proved holding (its copies are not counted on any more)
   */
  #forget(peer) {
    /** @type {string[]} */
    const keys = []
    for (const [key, e] of this.#proven) if (e.peers.delete(peer)) keys.push(key)
    return keys
  }

  /** @param {number} id @param {Challenge} c */
  #send(id, c) {
    c.at = this.#now()
    const entries = c.records.map((r) => ({ key: r.key, hlc: r.hlc, origin: r.origin, deleted: r.deleted }))
    if (this.#ctx.send(c.peer, { t: 'audit', id, nonce: c.nonce, entries }) === false) return
    c.tries++
    this.stats.sent++
  }
}
