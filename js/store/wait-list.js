// WaitList: the items of a resumable operation (ops of a batch, keys of a
// read) set aside by the page each waits for, and the order the operation
// names those pages in: pages items began waiting on in the last step first.
// That order is what lets a page that needs another with it make progress:
// a base page loaded while it still applies a run names the run page next,
// and loading that run page before unrelated pages keeps the base page
// resident until the run page reaches it (at a budget of 8 pages a getMany
// of 500 keys over ~100 such pages otherwise reloaded them forever).

export class WaitList {
  /** @type {Map<number, number[]>} page id -> indices waiting on it, in the order they came */
  #byPage = new Map()
  /** @type {number[]} pages first waited on since the last need() */
  #fresh = []

  /** @returns {number} pages waited on */
  get size() {
    return this.#byPage.size
  }

  /**
   * @param {number} page
   * @param {number} index the item's index in its operation
   */
  add(page, index) {
    const waiting = this.#byPage.get(page)
    if (waiting) {
      waiting.push(index)
      return
    }
    this.#byPage.set(page, [index])
    this.#fresh.push(page)
  }

  /**
   * @param {number} page
   * @returns {number[] | undefined} the indices that waited on `page`, no longer waiting
   */
  take(page) {
    const waiting = this.#byPage.get(page)
    if (waiting !== undefined) this.#byPage.delete(page)
    return waiting
  }

  /** @returns {number[]} every page waited on: those first waited on since the last call first, then the others in the order they were first waited on */
  need() {
    const fresh = this.#fresh.filter((p) => this.#byPage.has(p))
    this.#fresh = []
    if (fresh.length === this.#byPage.size) return fresh
    const first = new Set(fresh)
    for (const p of this.#byPage.keys()) if (!first.has(p)) fresh.push(p)
    return fresh
  }
}
