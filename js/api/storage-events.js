// The events of a PagingStorage, for its on(), off() and watch(): 'change'
// (js/api/change-events.js), 'error' and 'role' (told by the backing when it
// is made), and 'progress' (the backing's long work, passed on only while
// the app listens, and the import's own).
import { PagingStorageError } from '../core/errors.js'
import { Emitter } from '../core/emitter.js'
import { ChangeEvents } from './change-events.js'

/** @typedef {'error' | 'change' | 'role' | 'progress'} StorageEvent */

export class StorageEvents {
  #emitter = new Emitter()
  /** @type {import('./store-host.js').Backing | null} */
  #backing = null
  /** @type {ChangeEvents | null} */
  #changes = null
  /** @type {(() => void) | null} stops passing on the backing's progress */
  #offProgress = null

  /**
   * The backing whose changes and progress these are (once it is made: it
   * tells 'error' and 'role' through emit() from the start).
   * @param {import('./store-host.js').Backing} backing
   */
  bind(backing) {
    this.#backing = backing
    this.#changes = new ChangeEvents(backing)
  }

  /**
   * @param {'error' | 'role' | 'progress'} event
   * @param {unknown} payload
   */
  emit(event, payload) {
    this.#emitter.emit(event, payload)
  }

  /**
   * @param {StorageEvent} event
   * @param {(payload: any) => void} listener
   * @returns {() => void} unsubscribe
   * @throws {PagingStorageError} INVALID_ARGUMENT for another event or a listener that is not a function
   */
  on(event, listener) {
    checkListener(event, listener)
    if (event === 'change') return this.#bound().on(listener)
    if (event === 'progress' && this.#offProgress === null) {
      this.#offProgress = /** @type {import('./store-host.js').Backing} */ (this.#backing).on('progress', (p) => this.emit('progress', p))
    }
    this.#emitter.on(event, listener)
    return () => this.off(event, listener)
  }

  /**
   * @param {StorageEvent} event
   * @param {(payload: any) => void} listener
   * @throws {PagingStorageError} INVALID_ARGUMENT
   */
  off(event, listener) {
    checkListener(event, listener)
    if (event === 'change') return this.#bound().off(listener)
    this.#emitter.off(event, listener)
    if (event === 'progress' && !this.#emitter.has('progress')) {
      this.#offProgress?.()
      this.#offProgress = null
    }
  }

  /**
   * @param {string | {key: string} | {prefix: string}} target
   * @param {(e: import('../index.js').ChangeEvent) => void} listener
   * @returns {() => void} unsubscribe
   * @throws {PagingStorageError} INVALID_ARGUMENT
   */
  watch(target, listener) {
    return this.#bound().watch(target, listener)
  }

  #bound() {
    if (this.#changes === null) throw new PagingStorageError('INTERNAL', 'storage events used before their backing was bound')
    return this.#changes
  }
}

/**
 * @param {unknown} event
 * @param {unknown} listener
 * @throws {PagingStorageError} INVALID_ARGUMENT unless a known event and a function
 */
function checkListener(event, listener) {
  if (event !== 'change' && event !== 'error' && event !== 'role' && event !== 'progress') {
    throw new PagingStorageError('INVALID_ARGUMENT', `unknown event ${JSON.stringify(String(event))} (use 'change', 'error', 'role' or 'progress')`)
  }
  if (typeof listener !== 'function') throw new PagingStorageError('INVALID_ARGUMENT', 'the listener must be a function')
}
