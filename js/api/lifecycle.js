// Lifecycle: what ties a store to its page and its persistenceKey. One
// instance at a time holds the key (a Web Lock), saves happen on a timer and
// when the page is hidden or going away. Browsers only, where those APIs
// exist; in Node every part is a no-op.
import { PagingStorageError } from '../core/errors.js'

export class Lifecycle {
  /** @type {(() => void) | null} ends our hold on the Web Lock */
  #releaseLock = null
  /** @type {(() => void) | null} */
  #removeListeners = null
  /** @type {any} */
  #timer = null

  /**
   * Takes the Web Lock named after the backend, so that the data has a
   * single writer and two tabs cannot interleave flushes. Only where Web
   * Locks exist and for backends with a name (indexeddb, localstorage).
   * @param {string | undefined} name the backend's name
   * @param {string} persistenceKey for the error message
   * @throws {PagingStorageError} LOCKED when another tab or instance holds it
   */
  async acquireLock(name, persistenceKey) {
    const locks = /** @type {any} */ (globalThis.navigator)?.locks
    if (!locks || typeof name !== 'string') return
    /** @type {() => void} */
    let release = () => {}
    const held = new Promise((resolve) => {
      release = () => resolve(undefined)
    })
    const granted = await new Promise((resolve, reject) => {
      locks
        .request(name, { ifAvailable: true }, (/** @type {unknown} */ lock) => {
          resolve(lock !== null)
          return lock === null ? undefined : held
        })
        .catch(reject)
    })
    if (!granted) {
      throw new PagingStorageError(
        'LOCKED',
        `persistenceKey '${persistenceKey}' is open in another tab or instance; close it first or use another persistenceKey`
      )
    }
    this.#releaseLock = release
  }

  /**
   * Starts the automatic saves.
   * @param {{ every: number, saveSoon: () => void, saveNow: () => void }} savers every:
   *   ms between saves (0: none); saveSoon queues a save; saveNow starts one
   *   synchronously (a page going away may be gone once the handler returns)
   */
  watch({ every, saveSoon, saveNow }) {
    if (every > 0) {
      this.#timer = setInterval(saveSoon, every)
      this.#timer.unref?.()
    }
    const doc = globalThis.document
    if (typeof globalThis.addEventListener !== 'function' || !doc) return
    const onHide = () => saveNow()
    const onVisibility = () => {
      if (doc.visibilityState === 'hidden') saveSoon()
    }
    globalThis.addEventListener('pagehide', onHide)
    doc.addEventListener('visibilitychange', onVisibility)
    this.#removeListeners = () => {
      globalThis.removeEventListener('pagehide', onHide)
      doc.removeEventListener('visibilitychange', onVisibility)
    }
  }

  /** Stops the timer and the listeners. */
  stopWatching() {
    clearInterval(this.#timer)
    this.#removeListeners?.()
    this.#removeListeners = null
  }

  /** Lets another instance take the persistenceKey. */
  releaseLock() {
    this.#releaseLock?.()
    this.#releaseLock = null
  }
}
