// RingView: one immutable membership of the consistent-hash ring
// (paging_storage/ring.h), through the wasm RingHandle. A membership change
// makes a new view; a view never changes, so an operation that spans awaits
// (an anti-entropy scan, a rebalance) sees one ring from start to end.
//
// Ownership: the view owns its RingHandle. Whoever creates a view holds one
// reference; an operation that uses it across awaits takes another with
// retain() and gives it back with release(). The handle is deleted when the
// last reference goes.
import { PagingStorageError, StatusCode } from '../core/errors.js'
import { encodeKeys } from './codec.js'
import { decodeReplicas, decodeShares, encodeMembers } from './sync-codec.js'
import { Writer } from './wire.js'

export class RingView {
  /** @type {any} the embind RingHandle; null once released */
  #handle
  #refs = 1
  /** @type {Map<string, number>} peer id -> member index */
  #index
  /** @type {Map<number, number[]>} rf -> shares (the ring never changes) */
  #shares = new Map()

  /**
   * @param {any} module the Emscripten module
   * @param {readonly string[]} members peer ids, non-empty, strictly
   *   increasing in UTF-8 byte order (core/keys.js compareKeys)
   * @param {number} virtualNodes tokens per member, 1 to MAX_VIRTUAL_NODES
   * @param {readonly number[] | null} [weights] one per member: 0 a full
   *   replica (every key), 1..16 that many times virtualNodes tokens; null:
   *   every weight 1
   * @throws {PagingStorageError} INVALID_ARGUMENT for members out of order, a bad virtualNodes or weight
   */
  constructor(module, members, virtualNodes, weights = null) {
    this.#handle = new module.RingHandle()
    const all1 = weights === null || weights.every((w) => w === 1)
    const status = this.#handle._init(encodeMembers(members, all1 ? null : weights), virtualNodes)
    if (status.code !== StatusCode.OK) {
      this.#handle.delete()
      throw new PagingStorageError('INVALID_ARGUMENT', `ring: ${status.message}`)
    }
    /** The members, self included, in ring (byte) order. @type {readonly string[]} */
    this.members = Object.freeze([...members])
    /** Each member's weight, same order. @type {readonly number[]} */
    this.weights = Object.freeze(all1 ? members.map(() => 1) : [...weights])
    this.#index = new Map(members.map((m, i) => [m, i]))
  }

  /**
   * @param {string} peerId
   * @returns {number} its member index, or -1
   */
  indexOf(peerId) {
    return this.#index.get(peerId) ?? -1
  }

  /**
   * @param {string} peerId
   * @returns {boolean}
   */
  has(peerId) {
    return this.#index.has(peerId)
  }

  /**
   * The replicas of each key: the first min(rf, members on the circle)
   * distinct members clockwise from the key's token, then every full
   * replica (weight 0).
   * @param {readonly string[]} keys
   * @param {number} rf replication factor
   * @returns {string[][]} per key, peer ids in ring order
   */
  replicasFor(keys, rf) {
    const handle = this.#live()
    if (keys.length === 0) return []
    const w = new Writer(64 + keys.length * 16)
    encodeKeys(w, keys)
    const members = this.members
    return decodeReplicas(handle._replicasFor(w.finish(), rf)).map((ix) => ix.map((i) => members[i]))
  }

  /**
   * @param {number} rf replication factor
   * @returns {number[]} per member (same order), the fraction of the key
   *   space it replicates; they sum to min(rf, members)
   */
  shares(rf) {
    // Checked first: a cached answer must not hide a use after release.
    const handle = this.#live()
    let shares = this.#shares.get(rf)
    if (shares === undefined) this.#shares.set(rf, (shares = decodeShares(handle._shares(rf))))
    return shares
  }

  /** The embind handle, for the engine's sync scan. @returns {any} */
  handle() {
    return this.#live()
  }

  /** Takes a reference for an operation that spans awaits. @returns {this} */
  retain() {
    this.#live()
    this.#refs++
    return this
  }

  /** Gives a reference back; the last one deletes the handle. */
  release() {
    if (this.#handle === null) return
    if (--this.#refs === 0) {
      this.#handle.delete()
      this.#handle = null
    }
  }

  #live() {
    if (this.#handle === null) throw new PagingStorageError('INTERNAL', 'ring view used after its release')
    return this.#handle
  }
}
