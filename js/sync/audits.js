// Audits: this peer checks that the replicas it counts on hold what they
// acknowledged (issue 16: one attacker under 30 peer ids acknowledged every
// put and stored nothing; once the writer left, 14% of the writes that
// replicated() had resolved for were readable). A replica proves it holds a
// record by hashing it with a fresh nonce (js/sync/audit-proofs.js).
//
// A challenge audits a sample of records at one replica. Who challenges:
// the replicator after each acknowledgement (js/sync/proving.js: a record
// is held only once its replica proved a sample of what it acknowledged),
// and the audit rounds (js/sync/audit-rounds.js: records held here at their
// other replicas, later, and on refusals).
//
// Verdicts. A record the replica does not prove (it answers nothing, an
// older version, a wrong proof, or another value under the version) is
// lacking. Lacking a record it never acknowledged is no fault: it is sent
// the record. Lacking one it acknowledged is a strike: a crash may lose
// what a replica acknowledged before its pages were saved, so it is sent
// the record again, and only lacking a record it was struck for, once it
// had STRIKE_GRACE_RETRIES retry intervals to take it again, fails (strikes
// are remembered for FAILED_EXCLUDE_MS). An acknowledgement always means
// the exact record is held: a replica holding its version with another
// value (an equivocated version) says so in its ack (engine `other_value`),
// so no writer of two values under one version can make honest replicas
// fail. Answers that break the protocol (an answer for another key) fail
// at once. A replica that fails is excluded from this peer's ring (onFailed:
// for FAILED_EXCLUDE_MS, logged, counted in stats); one that never answers
// is unresponsive, like a replica that never acknowledges. Answers to other
// peers' audits cost at most AUDIT_CHARS of hashing each and HASH_RATE
// characters per second per peer.
import { logger } from '../core/log.js'
import { isFromFuture } from '../core/versions.js'
import { AUDIT_ENTRIES, answerAudit, checkAnswers, newNonce, sampleLive } from './audit-proofs.js'
import { RateLimiter } from './rate-limit.js'

const log = logger('sync')
/** How long a replica that failed an audit stays out of this peer's ring
 *  (ms): it showed it does not hold what it acknowledged. Strikes are
 *  remembered as long. */
export const FAILED_EXCLUDE_MS = 60 * 60 * 1000
/** Sends of one audit before its replica counts as unresponsive. */
const AUDIT_TRIES = 8
/** Retry intervals a struck replica has to take the record again; its
 *  follow-ups come after that many, then twice as many each time, up to
 *  FOLLOW_UP_RETRIES (a replica that drops what it took again is found
 *  whether it holds it seconds or minutes). */
const STRIKE_GRACE_RETRIES = 2
const FOLLOW_UP_RETRIES = 256
/** Strikes and proven records remembered (the oldest forgotten first). */
const MAX_STRIKES = 10000
const PROVEN_KEYS = 4096
/** Characters of records a peer's audits may make this one hash per second
 *  (bursts of twice that). */
const HASH_RATE = 4 << 20

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {'proven' | 'lacking' | 'failed' | 'gone'} Verdict */

/**
 * @typedef {object} Challenge
 * @property {string} peer
 * @property {string} nonce
 * @property {StoredRecord[]} records the sample audited
 * @property {(rec: StoredRecord) => boolean} acked
 * @property {boolean} repair merge the newer versions it shows
 * @property {boolean} push send it the records it lacks
 * @property {number} tries sends so far
 * @property {number} first ms of the first send
 * @property {number} at ms of the last send
 * @property {(verdict: Verdict) => void} resolve
 */

/** A strike's key: peer, key and version of the record lacking. @param {string} peer @param {StoredRecord} rec */
const strikeId = (peer, rec) => `${peer}\n${rec.hlc}\n${rec.origin}\n${rec.key}`

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
  /** @type {Map<string, {peer: string, key: string, at: number, next: number, gap: number}>}
   *  strikeId -> when struck, and its next follow-up (ms; Infinity: none more) */
  #struck = new Map()
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
   * Audits a replica on a sample of `records` (the ones it was struck for
   * first, then live ones at random). Resolves 'proven' when it proved the
   * sample, 'lacking' when it lacks some (sent them, if `push`; struck, if
   * it acknowledged them), 'failed' when it failed (onFailed was called),
   * 'gone' when it did not answer (onUnresponsive was called), left the
   * ring, or this peer closed; 'proven' at once when no record is live.
   * @param {string} peer
   * @param {readonly StoredRecord[]} records the candidates, held here
   * @param {{ acked?: (rec: StoredRecord) => boolean, repair?: boolean, push?: boolean }} [opts]
   *   acked: whether it acknowledged holding a record (default: all);
   *   repair: merge the newer versions it shows (default: true; not for
   *   keys this peer does not hold); push: send it what it lacks (default:
   *   false: the replicator sends its records again itself)
   * @returns {Promise<Verdict>}
   */
  challenge(peer, records, { acked = () => true, repair = true, push = false } = {}) {
    if (this.#closed) return Promise.resolve('gone')
    const struck = records.filter((r) => !r.deleted && this.#struck.has(strikeId(peer, r)))
    const sample = [...struck.slice(0, AUDIT_ENTRIES), ...sampleLive(records.filter((r) => !struck.includes(r)))].slice(0, AUDIT_ENTRIES)
    if (sample.length === 0) return Promise.resolve('proven')
    return new Promise((resolve) => {
      const id = this.#ctx.nextId()
      const now = this.#now()
      /** @type {Challenge} */
      const c = { peer, nonce: newNonce(), records: sample, acked, repair, push, tries: 0, first: now, at: now, resolve }
      this.#inFlight.set(id, c)
      this.#send(id, c)
    })
  }

  /** @returns {Set<string>} the peers with an audit in flight */
  busy() {
    return new Set([...this.#inFlight.values()].map((c) => c.peer))
  }

  /**
   * Whether a replica acknowledged holding this record: it proved holding
   * it (noteProven), or was struck for lacking it after acknowledging it.
   * @param {string} peer
   * @param {StoredRecord} rec
   */
  acknowledged(peer, rec) {
    const e = this.#proven.get(rec.key)
    if (e !== undefined && e.hlc === rec.hlc && e.origin === rec.origin && e.peers.has(peer)) return true
    return this.#struck.has(strikeId(peer, rec))
  }

  /**
   * The strikes due a follow-up audit: did the replica keep the record it
   * was sent again?
   * @returns {Array<{peer: string, key: string}>}
   */
  followUps() {
    const now = this.#now()
    const out = []
    for (const s of this.#struck.values()) {
      if (s.next > now) continue
      s.gap *= 2
      s.next = s.gap > FOLLOW_UP_RETRIES * this.#ctx.retryInterval ? Infinity : now + s.gap
      out.push({ peer: s.peer, key: s.key })
    }
    return out
  }

  /** @returns {boolean} whether some strike awaits a follow-up (rounds go on for it) */
  get following() {
    for (const s of this.#struck.values()) if (s.next !== Infinity) return true
    return false
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
    const now = this.#now()
    const verdict = checkAnswers(c.nonce, c.records, answers)
    let failed = verdict.failed
    const member = this.#ctx.isMember(from)
    for (const rec of verdict.lacking) {
      if (failed !== null) break
      if (c.acked(rec)) {
        const sid = strikeId(from, rec)
        const strike = this.#struck.get(sid)
        if (strike !== undefined && now - strike.at >= STRIKE_GRACE_RETRIES * this.#ctx.retryInterval) {
          failed = 'a record it acknowledged again is still not held'
          break
        }
        if (strike === undefined) this.#strike(sid, from, rec.key, now)
      }
      if (c.push && member) this.#ctx.queue(from, rec)
    }
    if (failed !== null) {
      this.stats.failed++
      log('audit of %s failed: %s', from.slice(0, 8), failed)
      this.#onFailed(from, failed, this.#forget(from))
      c.resolve('failed')
      return
    }
    this.stats.passed++
    c.resolve(verdict.lacking.length > 0 ? 'lacking' : 'proven')
    // Newer versions it holds (read repair); one from beyond the drift is not taken.
    const newer = verdict.newer.filter((r) => !isFromFuture(r.hlc, now, this.#maxClockDrift))
    if (c.repair && newer.length > 0) await this.#merge(newer)
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
   * audit of this version at that replica counts it as acknowledged (the
   * last PROVEN_KEYS keys are remembered).
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

  /** Resends audits unanswered for retryInterval; gives up on replicas that never answer. */
  retry() {
    const now = this.#now()
    for (const [id, c] of this.#inFlight) {
      if (!this.#ctx.isMember(c.peer)) {
        this.#inFlight.delete(id) // gone from the ring: nothing to count on there
        c.resolve('gone')
        continue
      }
      if (now - c.at < this.#ctx.retryInterval) continue
      if (c.tries >= AUDIT_TRIES && now - c.first >= this.#giveUpAfter) {
        this.#inFlight.delete(id)
        log('audit of %s unanswered after %d sends', c.peer.slice(0, 8), c.tries)
        this.#onUnresponsive(c.peer)
        c.resolve('gone')
      } else this.#send(id, c)
    }
    for (const [sid, s] of this.#struck) {
      if (now - s.at < FAILED_EXCLUDE_MS) break // in the order struck
      this.#struck.delete(sid)
    }
  }

  /** Challenges in flight settle ('gone'). */
  close() {
    this.#closed = true
    for (const c of this.#inFlight.values()) c.resolve('gone')
    this.#inFlight.clear()
  }

  /** @param {string} sid @param {string} peer @param {string} key @param {number} now */
  #strike(sid, peer, key, now) {
    const gap = STRIKE_GRACE_RETRIES * this.#ctx.retryInterval
    this.#struck.set(sid, { peer, key, at: now, next: now + gap, gap })
    if (this.#struck.size > MAX_STRIKES) this.#struck.delete(/** @type {string} */ (this.#struck.keys().next().value))
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
