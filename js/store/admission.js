// Admission: whether the store takes new values. New values are refused
// (QUOTA_EXCEEDED) while the disk budget (maxDiskPages) is full or a save
// failed for lack of browser quota; deletes always go through, since they
// are how space comes back.
import { StatusCode } from '../core/errors.js'

export class Admission {
  #maxDiskPages
  #pages
  // Set when a save failed for lack of space; cleared when one succeeds.
  #quotaBlocked = false

  /**
   * @param {number} maxDiskPages
   * @param {number} pages pages in the store now
   */
  constructor(maxDiskPages, pages) {
    this.#maxDiskPages = maxDiskPages
    this.#pages = pages
  }

  /** @returns {boolean} a save failed for lack of space and none succeeded since */
  get quotaBlocked() {
    return this.#quotaBlocked
  }

  /**
   * @param {{ type: string }} op
   * @returns {boolean} whether op is refused now
   */
  refuses(op) {
    return op.type !== 'delete' && (this.#quotaBlocked || this.#pages >= this.#maxDiskPages)
  }

  /** @returns {import('../engine/codec.js').WriteResult} the result of a refused op */
  refusal() {
    const message = this.#quotaBlocked
      ? 'the browser storage quota is full: delete data to make room'
      : `the disk budget of ${this.#maxDiskPages} pages (maxDiskPages) is full`
    return { code: StatusCode.QUOTA, message, existed: false, applied: false }
  }

  /** @param {number} pages pages in the store after a write */
  notePages(pages) {
    this.#pages = pages
  }

  /** @param {Error} err a background failure; QUOTA_EXCEEDED blocks new values */
  noteError(err) {
    if (/** @type {any} */ (err)?.code === 'QUOTA_EXCEEDED') this.#quotaBlocked = true
  }

  /** A save succeeded: space is there again. */
  noteSaved() {
    this.#quotaBlocked = false
  }
}
