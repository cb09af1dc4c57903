// Lifecycle: what ties a store to its page and its persistenceKey. One
// instance at a time holds a backend (a Web Lock across tabs; within one
// realm, a registry of backends and names); saves happen on a timer and when
// the page is hidden or going away (browsers).
import { PagingStorageError } from '../core/errors.js'

// Backends and backend names held by an open store of this realm.
const heldBackends = new WeakSet()
/** @type {Set<string>} */
const heldNames = new Set()

export class Lifecycle {
  /** @type {(() => void) | null} ends our hold on the Web Lock */
  #releaseLock = null
  /** @type {(() => void) | null} */
  #removeListeners = null
  /** @type {any} */
  #timer = null

  /**
   * Makes this store the one user of its backend: of the backend object in
   * this realm, and of the backend's name (its persistenceKey) across tabs
   * through a Web Lock where Web Locks exist (browsers), within this realm
   * otherwise (Node). Two stores writing one set of pages would overwrite
   * each other's flushes.
   * @param {{ name?: string }} backend
   * @param {string} persistenceKey for the error message
   * @throws {PagingStorageError} LOCKED when another store (another tab, or
   *   this page, or this process) holds it
   */
  async acquireLock(backend, persistenceKey) {
    const name = backend.name
    const locked = () =>
      new PagingStorageError(
        'LOCKED',
        typeof name === 'string'
          ? `persistenceKey '${persistenceKey}' is open in another tab or instance; close it first or use another persistenceKey`
          : 'this persistence backend object is in use by another PagingStorage; shut that one down first or give each its own backend'
      )
    if (heldBackends.has(backend)) throw locked()
    heldBackends.add(backend)
    /** @type {Array<() => void>} */
    const release = [() => heldBackends.delete(backend)]
    this.#releaseLock = () => release.forEach((r) => r())
    if (typeof name !== 'string') return
    const locks = /** @type {any} */ (globalThis.navigator)?.locks
    if (!locks) {
      if (heldNames.has(name)) {
        this.releaseLock()
        throw locked()
      }
      heldNames.add(name)
      release.push(() => heldNames.delete(name))
      return
    }
    /** @type {() => void} */
    let releaseWebLock = () => {}
    const held = new Promise((resolve) => {
      releaseWebLock = () => resolve(undefined)
    })
    let granted
    try {
      granted = await new Promise((resolve, reject) => {
        locks
          .request(name, { ifAvailable: true }, (/** @type {unknown} */ lock) => {
            resolve(lock !== null)
            return lock === null ? undefined : held
          })
          .catch(reject)
      })
    } catch (err) {
      this.releaseLock()
      throw err
    }
    if (!granted) {
      this.releaseLock()
      throw locked()
    }
    release.push(releaseWebLock)
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
