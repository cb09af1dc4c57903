// Change events: a 'change' payload for every write that changed the store,
// local or from a peer, built from the local store's 'applied' writes. The
// feed listens to the store only while the app listens, so writes decode
// their versions only then.
import { PagingStorageError } from '../core/errors.js'
import { keyMatcher } from '../core/keys.js'
import { decodeValue } from '../core/values.js'

export class ChangeEvents {
  #store
  #events
  /** @type {(() => void) | null} unsubscribes from 'applied' */
  #offApplied = null

  /**
   * @param {import('../store/local-store.js').LocalStore} store
   * @param {import('../core/emitter.js').Emitter} events where 'change' is emitted
   */
  constructor(store, events) {
    this.#store = store
    this.#events = events
  }

  /**
   * @param {(e: import('../index.js').ChangeEvent) => void} listener
   * @returns {() => void} unsubscribe
   */
  on(listener) {
    this.#events.on('change', listener)
    if (this.#offApplied === null) this.#offApplied = this.#store.on('applied', (applied) => this.#emit(applied))
    return () => this.off(listener)
  }

  /** @param {(e: import('../index.js').ChangeEvent) => void} listener */
  off(listener) {
    this.#events.off('change', listener)
    if (!this.#events.has('change')) {
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
    return this.on((e) => {
      if (match(e.key)) listener(e)
    })
  }

  /** @param {import('../store/local-store.js').AppliedWrite[]} applied */
  #emit(applied) {
    for (const { record } of applied) {
      // A value parsed once on its way from a peer is not parsed again.
      const value = record.deleted ? undefined : record.value !== undefined ? record.value : decodeValue(/** @type {string} */ (record.json))
      this.#events.emit('change', { key: record.key, value, deleted: record.deleted, origin: record.origin, hlc: record.hlc })
    }
  }
}
