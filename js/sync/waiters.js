// Waiters: promises that resolve once a condition holds, or reject with
// TIMEOUT. The owner calls settle() whenever the condition may have become
// true, and close() when it stops (every waiter resolves). Used by the
// replicator (whenDrained) and copies (whenAtLeast).

// The longest delay setTimeout holds (ms); a longer one fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1

export class Waiters {
  /** @type {Set<{ready: () => boolean, resolve: () => void, timer: any}>} */
  #waiting = new Set()

  /**
   * @param {() => boolean} ready whether this waiter may resolve
   * @param {number} timeoutMs ms, >= 0; Infinity (or more than a timer
   *   holds, 2^31 - 1) waits without a limit
   * @param {() => string} why the TIMEOUT error's message, at the timeout
   * @returns {Promise<void>} resolves at once when ready() already holds
   * @throws {Error} code TIMEOUT
   */
  wait(ready, timeoutMs, why) {
    if (ready()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      /** @type {{ready: () => boolean, resolve: () => void, timer: any}} */
      const w = { ready, resolve, timer: null }
      if (timeoutMs <= MAX_TIMER_MS) {
        w.timer = setTimeout(() => {
          this.#waiting.delete(w)
          reject(Object.assign(new Error(why()), { code: 'TIMEOUT' }))
        }, timeoutMs)
      }
      this.#waiting.add(w)
    })
  }

  /** Resolves the waiters whose condition holds now. */
  settle() {
    for (const w of this.#waiting) {
      if (!w.ready()) continue
      clearTimeout(w.timer)
      this.#waiting.delete(w)
      w.resolve()
    }
  }

  /** Every waiter resolves (its owner stops). */
  close() {
    for (const w of this.#waiting) {
      clearTimeout(w.timer)
      w.resolve()
    }
    this.#waiting.clear()
  }
}
