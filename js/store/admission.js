// Admission: whether the store takes new values. New values are refused
// (QUOTA_EXCEEDED) while the disk budget (maxDiskPages) is full or a save
// failed for lack of browser quota; deletes always go through, since they
// are how space comes back.
import { StatusCode } from '../core/errors.js'

/** The ops of a run refused (indices, ascending) and why. @typedef {{ indices: number[], message: string }} Refused */

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
   * Splits a run of writes into those taken and those refused now.
   * @template {{ type: string }} Op
   * @param {Op[]} ops
   * @returns {{ admitted: Op[], refused: Refused | null }} null: none refused
   */
  admit(ops) {
    const full = this.#quotaBlocked || this.#pages >= this.#maxDiskPages
    if (!full) return { admitted: ops, refused: null }
    /** @type {Op[]} */
    const admitted = []
    /** @type {Refused} */
    const refused = {
      indices: [],
      message: this.#quotaBlocked
        ? 'the browser storage quota is full: delete data to make room'
        : `the disk budget of ${this.#maxDiskPages} pages (maxDiskPages) is full`
    }
    ops.forEach((op, i) => {
      if (op.type === 'delete') admitted.push(op)
      else refused.indices.push(i)
    })
    return { admitted, refused }
  }

  /**
   * The results of a run back in op order, refused ops answered QUOTA.
   * @param {import('../engine/codec.js').WriteResult[]} results those of the admitted ops
   * @param {Refused | null} refused from admit()
   * @returns {import('../engine/codec.js').WriteResult[]}
   */
  withRefusals(results, refused) {
    if (refused === null) return results
    const { indices, message } = refused
    const out = new Array(results.length + indices.length)
    let a = 0
    let r = 0
    for (let i = 0; i < out.length; i++) {
      if (r < indices.length && indices[r] === i) {
        out[i] = { code: StatusCode.QUOTA, message, existed: false, applied: false }
        r++
      } else {
        out[i] = results[a++]
      }
    }
    return out
  }

  /** @param {number} pages pages in the store after a write */
  notePages(pages) {
    this.#pages = pages
  }

  /** @param {Error} err a failed save of the store's pages; QUOTA_EXCEEDED blocks new values */
  noteError(err) {
    if (/** @type {any} */ (err)?.code === 'QUOTA_EXCEEDED') this.#quotaBlocked = true
  }

  /** A save succeeded: space is there again. */
  noteSaved() {
    this.#quotaBlocked = false
  }
}
