// LeaderElection: which tab holds a store, with a Web Lock named after it
// (the lock the store has always been opened under). The tab that holds the
// lock leads; the others wait in the lock's queue, so when the leader's tab
// closes or crashes (the browser then releases its locks) exactly one of
// them is granted it, in request order.
//
// After the Web Locks API (https://w3c.github.io/web-locks/): request()
// with ifAvailable answers at once; without it, it waits; an AbortSignal
// withdraws a waiting request.

export class LeaderElection {
  #locks
  #name
  /** @type {(() => void) | null} lets the held lock go */
  #release = null
  #abort = new AbortController()
  #closed = false

  /**
   * @param {{ request: Function }} locks navigator.locks (a LockManager)
   * @param {string} name the lock's name
   */
  constructor(locks, name) {
    this.#locks = locks
    this.#name = name
  }

  /** @returns {boolean} whether this tab holds the lock */
  get leading() {
    return this.#release !== null
  }

  /**
   * Takes the lock if nobody holds it.
   * @returns {Promise<boolean>} whether this tab leads now
   */
  tryLead() {
    return this.#request({ ifAvailable: true })
  }

  /**
   * Waits for the lock.
   * @returns {Promise<boolean>} true once this tab leads; false if release()
   *   withdrew the request first
   */
  waitToLead() {
    return this.#request({ signal: this.#abort.signal }).catch(() => false)
  }

  /** Lets the lock go, or withdraws a waiting request. */
  release() {
    this.#closed = true
    this.#abort.abort()
    this.#release?.()
    this.#release = null
  }

  /** @param {object} options @returns {Promise<boolean>} */
  #request(options) {
    if (this.#closed) return Promise.resolve(false)
    return new Promise((resolve, reject) => {
      this.#locks
        .request(this.#name, options, (/** @type {unknown} */ lock) => {
          if (lock === null) return resolve(false)
          if (this.#closed) return resolve(false) // granted as it was withdrawn: give it back at once
          resolve(true)
          return new Promise((done) => {
            this.#release = () => done(undefined)
          })
        })
        .catch(reject)
    })
  }
}
