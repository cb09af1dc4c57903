// Copies: how many peers are known to hold each write made here, for the
// writes that are short of replicationFactor copies. A write is pushed to
// its replicas under the ring of the moment; when the ring is smaller than
// replicationFactor (a partition, peers gone, a device offline) its pushes
// drain with fewer copies than asked for, and replicated() alone would not
// tell. Copies counts this peer and every replica that acknowledged the
// write's version, follows the writes still short, and has them pushed
// again when the ring grows.
//
// Bounds: at most MAX_TRACKED short writes are followed; beyond that the
// oldest are let go (counted in `untracked`; anti-entropy and hand-offs
// still bring them to their replicas, but replicated() no longer waits for
// them).
import { compareVersions } from '../core/versions.js'
import { Waiters } from './waiters.js'

const MAX_TRACKED = 10000

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

export class Copies {
  #selfId
  #rf
  /** @type {Map<string, {hlc: string, origin: string, holders: Set<string>}>} key -> its newest write here, short of rf copies */
  #short = new Map()
  /** @type {Map<string, Set<string>>} key of a short write -> peers that refused it since the last takeRefused() */
  #refused = new Map()
  /** @type {Map<string, {hlc: string, origin: string}>} key -> its newest write here, on no durable peer's disk yet */
  #notDurable = new Map()
  #isDurable
  #waiters = new Waiters()
  untracked = 0

  /**
   * @param {string} selfId
   * @param {number} rf replication factor
   * @param {(peer: string) => boolean} [isDurable] whether a peer acknowledges only
   *   what is on its disk (a server peer: js/sync/membership.js)
   */
  constructor(selfId, rf, isDurable = () => false) {
    this.#selfId = selfId
    this.#rf = rf
    this.#isDurable = isDurable
  }

  /** @returns {number} writes made here that no durable peer is known to hold */
  get notDurable() {
    return this.#notDurable.size
  }

  /** @returns {number} writes made here that fewer than replicationFactor peers are known to hold */
  get short() {
    return this.#short.size
  }

  /** @returns {number} the fewest copies known of any write made here (replicationFactor when none is short) */
  get least() {
    let least = this.#rf
    for (const e of this.#short.values()) least = Math.min(least, e.holders.size)
    return least
  }

  /**
   * Whether a peer is known to hold the write made here of key (only for
   * the short writes; false for the others).
   * @param {string} key
   * @param {string} peer
   */
  holds(key, peer) {
    return this.#short.get(key)?.holders.has(peer) ?? false
  }

  /** @returns {string[]} the keys of the short writes */
  keys() {
    return [...this.#short.keys()]
  }

  /** @returns {string[]} the keys of the writes made here that no durable peer is known to hold */
  notDurableKeys() {
    return [...this.#notDurable.keys()]
  }

  /** @param {string} peer @returns {boolean} whether it acknowledges only what is on its disk */
  isDurable(peer) {
    return this.#isDurable(peer)
  }

  /**
   * A write made here (this peer holds it), about to be pushed to its replicas.
   * @param {StoredRecord} rec
   */
  wrote(rec) {
    const old = this.#short.get(rec.key) ?? this.#notDurable.get(rec.key)
    if (old && compareVersions(old.hlc, old.origin, rec.hlc, rec.origin) > 0) return
    this.#notDurable.delete(rec.key)
    this.#notDurable.set(rec.key, { hlc: rec.hlc, origin: rec.origin })
    if (this.#notDurable.size > MAX_TRACKED) {
      this.#notDurable.delete(/** @type {string} */ (this.#notDurable.keys().next().value))
      this.untracked++
    }
    this.#short.delete(rec.key)
    if (this.#rf <= 1) return
    this.#short.set(rec.key, { hlc: rec.hlc, origin: rec.origin, holders: new Set([this.#selfId]) })
    if (this.#short.size > MAX_TRACKED) {
      this.#short.delete(/** @type {string} */ (this.#short.keys().next().value))
      this.untracked++
    }
  }

  /**
   * A peer acknowledged holding this version.
   * @param {string} peer
   * @param {StoredRecord} rec
   */
  held(peer, rec) {
    const d = this.#notDurable.get(rec.key)
    if (d && d.hlc === rec.hlc && d.origin === rec.origin && this.#isDurable(peer)) {
      this.#notDurable.delete(rec.key)
      this.#waiters.settle()
    }
    const e = this.#short.get(rec.key)
    if (!e || e.hlc !== rec.hlc || e.origin !== rec.origin) return
    e.holders.add(peer)
    if (e.holders.size >= this.#rf) {
      this.#short.delete(rec.key)
      this.#waiters.settle()
    }
  }

  /**
   * A peer refused this version (its ring did not make it a replica of the
   * key, or its share of the disk budget was full).
   * @param {string} peer
   * @param {StoredRecord} rec
   */
  refusedBy(peer, rec) {
    const e = this.#short.get(rec.key)
    if (!e || e.hlc !== rec.hlc || e.origin !== rec.origin) return
    const set = this.#refused.get(rec.key) ?? new Set()
    set.add(peer)
    this.#refused.set(rec.key, set)
  }

  /**
   * The short writes peers refused, to push to them again (their rings may
   * agree with this one by now), forgotten here.
   * @returns {Map<string, Set<string>>} key -> the peers that refused it
   */
  takeRefused() {
    const taken = new Map([...this.#refused].filter(([key]) => this.#short.has(key)))
    this.#refused.clear()
    return taken
  }

  /**
   * Resolves once every write made here is held by at least `want` peers
   * (at most replicationFactor); rejects after timeoutMs.
   * @param {number} want
   * @param {number} timeoutMs ms; Infinity: no limit
   * @returns {Promise<void>}
   * @throws {Error} code TIMEOUT
   */
  whenAtLeast(want, timeoutMs) {
    const need = Math.min(want, this.#rf)
    return this.#waiters.wait(
      () => this.least >= need,
      timeoutMs,
      () => `${this.#short.size} writes held by fewer than ${need} peers after ${timeoutMs} ms (the ring has fewer members, or they did not answer)`
    )
  }

  /**
   * Resolves once every write made here is known to be on a durable peer's
   * disk (acknowledged by a server peer: js/sync/membership.js); rejects
   * after timeoutMs.
   * @param {number} timeoutMs ms; Infinity: no limit
   * @returns {Promise<void>}
   * @throws {Error} code TIMEOUT
   */
  whenDurable(timeoutMs) {
    return this.#waiters.wait(
      () => this.#notDurable.size === 0,
      timeoutMs,
      () => `${this.#notDurable.size} writes on no server peer's disk after ${timeoutMs} ms (no server peer in the ring, or it did not answer)`
    )
  }

  /** Waiters resolve (closing). */
  close() {
    this.#waiters.close()
  }

}
