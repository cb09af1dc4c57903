// A LockManager (navigator.locks) for Node, where Web Locks do not exist:
// exclusive locks by name, granted in request order, with ifAvailable and
// an AbortSignal, after https://w3c.github.io/web-locks/. Shared by every
// "tab" of a test (one realm plays several tabs).

export class FakeLockManager {
  /** @type {Set<string>} */
  #held = new Set()
  /** @type {Map<string, Array<() => void>>} waiting grants, in request order */
  #queue = new Map()

  /**
   * @param {string} name
   * @param {object | Function} options
   * @param {Function} [callback]
   * @returns {Promise<unknown>} what the callback's promise resolves to
   */
  request(name, options, callback) {
    if (typeof options === 'function') {
      callback = options
      options = {}
    }
    const opts = /** @type {{ ifAvailable?: boolean, signal?: AbortSignal }} */ (options)
    const cb = /** @type {Function} */ (callback)
    return new Promise((resolve, reject) => {
      const grant = () => {
        this.#held.add(name)
        Promise.resolve()
          .then(() => cb({ name, mode: 'exclusive' }))
          .then(
            (v) => {
              this.#release(name)
              resolve(v)
            },
            (e) => {
              this.#release(name)
              reject(e)
            }
          )
      }
      if (!this.#held.has(name)) return grant()
      if (opts.ifAvailable) return void Promise.resolve().then(() => cb(null)).then(resolve, reject)
      if (opts.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'))
      const waiting = this.#queue.get(name) ?? []
      this.#queue.set(name, waiting)
      waiting.push(grant)
      opts.signal?.addEventListener('abort', () => {
        const i = waiting.indexOf(grant)
        if (i >= 0) {
          waiting.splice(i, 1)
          reject(new DOMException('aborted', 'AbortError'))
        }
      })
    })
  }

  /** @param {string} name @returns {boolean} */
  isHeld(name) {
    return this.#held.has(name)
  }

  /** @param {string} name */
  #release(name) {
    this.#held.delete(name)
    const next = this.#queue.get(name)?.shift()
    if (next) next()
  }
}
