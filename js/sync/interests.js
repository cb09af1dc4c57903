// Interests: the keys and key prefixes this store's apps watch (watch(),
// useKey, useRange), for the subscriptions at the peers that hold them
// (js/sync/subscriber.js). Each owner — this tab's app, or a follower tab
// whose watches its leader holds for it — sets its whole list at once; the
// interests are the union.
import { PagingStorageError } from '../core/errors.js'

/** @typedef {{key: string} | {prefix: string}} Target */

export class Interests {
  /** @type {Map<string, readonly Target[]>} owner -> its targets */
  #owners = new Map()
  /** @type {Set<() => void>} */
  #listeners = new Set()

  /**
   * Replaces an owner's targets ([] removes it).
   * @param {string} owner 'self', or a follower tab's id
   * @param {readonly Target[]} targets
   * @throws {PagingStorageError} INVALID_ARGUMENT for a target not {key} or {prefix}
   */
  set(owner, targets) {
    if (!Array.isArray(targets) || !targets.every(isTarget)) {
      throw new PagingStorageError('INVALID_ARGUMENT', 'interests: a list of { key } or { prefix } targets')
    }
    if (targets.length === 0 && !this.#owners.has(owner)) return
    if (targets.length === 0) this.#owners.delete(owner)
    else this.#owners.set(owner, targets.map((t) => ('key' in t ? { key: t.key } : { prefix: t.prefix })))
    for (const fn of [...this.#listeners]) fn()
  }

  /** @returns {string[]} the watched keys, each once (also those under a
   *  watched prefix: a key's subscription brings its current value, a
   *  prefix's only its changes) */
  keys() {
    const keys = new Set()
    for (const list of this.#owners.values()) for (const t of list) if ('key' in t) keys.add(t.key)
    return [...keys]
  }

  /** @returns {string[]} the watched prefixes, none covered by another */
  prefixes() {
    const all = new Set()
    for (const list of this.#owners.values()) for (const t of list) if ('prefix' in t) all.add(t.prefix)
    const sorted = [...all].sort((a, b) => a.length - b.length)
    /** @type {string[]} */
    const out = []
    for (const p of sorted) if (!out.some((q) => p.startsWith(q))) out.push(p)
    return out
  }

  /** @returns {boolean} whether anything is watched */
  get any() {
    return this.#owners.size > 0
  }

  /**
   * @param {() => void} fn called after every change
   * @returns {() => void} stop
   */
  onChange(fn) {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }
}

/** @param {unknown} t */
function isTarget(t) {
  const x = /** @type {any} */ (t)
  return x !== null && typeof x === 'object' && (typeof x.key === 'string' || typeof x.prefix === 'string')
}
