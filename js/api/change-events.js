// Change events: a 'change' payload for every write that changed the store,
// local or from a peer, built from the backing's 'applied' writes (which
// include the changes peers push for watched keys held elsewhere: every
// watch() target is given to the backing, which subscribes to it at the
// peers that hold it, js/sync/subscriber.js). The
// feed listens to the store only while the app listens, so writes decode
// their versions only then. Every listener gets an event of its own whose
// value is its own copy, decoded when first read (a listener that mutates
// its value changes nobody else's; one that never reads it costs nothing).
import { PagingStorageError } from '../core/errors.js'
import { keyMatcher, watchTarget } from '../core/keys.js'
import { decodeValue } from '../core/values.js'

export class ChangeEvents {
  #store
  /** @type {Set<(e: import('../index.js').ChangeEvent) => void>} */
  #listeners = new Set()
  /** @type {(() => void) | null} unsubscribes from 'applied' */
  #offApplied = null

  /** @type {Map<string, {target: import('../sync/interests.js').Target, count: number}>} watched targets, by their JSON */
  #targets = new Map()

  /** @param {{ on(event: 'applied', fn: (applied: import('../store/local-store.js').AppliedWrite[]) => void): () => void,
   *   watch(targets: import('../sync/interests.js').Target[]): void }} store
   *   what announces the writes that applied, and subscribes to watched targets (a Backing) */
  constructor(store) {
    this.#store = store
  }

  /**
   * @param {(e: import('../index.js').ChangeEvent) => void} listener
   * @returns {() => void} unsubscribe
   */
  on(listener) {
    this.#listeners.add(listener)
    if (this.#offApplied === null) this.#offApplied = this.#store.on('applied', (applied) => this.#emit(applied))
    return () => this.off(listener)
  }

  /** @param {(e: import('../index.js').ChangeEvent) => void} listener */
  off(listener) {
    this.#listeners.delete(listener)
    if (this.#listeners.size === 0) {
      this.#offApplied?.()
      this.#offApplied = null
    }
  }

  /**
   * Changes to keys starting with `prefix`, or exactly `{ key }`.
   * @param {string | {key: string} | {prefix: string}} target
   * @param {(e: import('../index.js').ChangeEvent) => void} listener
   * @returns {() => void} unsubscribe
   * @throws {PagingStorageError} INVALID_ARGUMENT
   */
  watch(target, listener) {
    const match = keyMatcher(target)
    if (typeof listener !== 'function') throw new PagingStorageError('INVALID_ARGUMENT', 'watch expects a listener function')
    const t = watchTarget(target)
    const id = JSON.stringify(t)
    const entry = this.#targets.get(id)
    if (entry) entry.count++
    else {
      this.#targets.set(id, { target: t, count: 1 })
      this.#store.watch([...this.#targets.values()].map((e) => e.target))
    }
    const off = this.on((e) => {
      if (match(e.key)) listener(e)
    })
    let done = false
    return () => {
      if (done) return
      done = true
      off()
      const e = /** @type {{count: number}} */ (this.#targets.get(id))
      if (--e.count > 0) return
      this.#targets.delete(id)
      this.#store.watch([...this.#targets.values()].map((x) => x.target))
    }
  }

  /** @param {import('../store/local-store.js').AppliedWrite[]} applied */
  #emit(applied) {
    const listeners = [...this.#listeners]
    for (const { record } of applied) {
      // A value parsed once on its way from a peer goes to the first
      // listener that reads it; the others parse their own.
      let parsed = record.value
      for (const listener of listeners) {
        /** @type {unknown} */
        let value
        let read = record.deleted
        const event = {
          key: record.key,
          get value() {
            if (!read) {
              read = true
              if (parsed !== undefined) {
                value = parsed
                parsed = undefined
              } else {
                value = decodeValue(/** @type {string} */ (record.json))
              }
            }
            return value
          },
          deleted: record.deleted,
          origin: record.origin,
          hlc: record.hlc
        }
        try {
          listener(/** @type {any} */ (event))
        } catch {
          // Listener errors are the app's; swallowing keeps the store running.
        }
      }
    }
  }
}
