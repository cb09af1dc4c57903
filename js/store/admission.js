// Admission: which writes the store takes now. The rules, in order:
//  1. The last save failed and the engine holds more pages than
//     maxMemoryPages (unsaved pages cannot be evicted): every write is
//     refused with the save's error, so memory stays bounded whatever the
//     backend does; deletes still pass when the failure was lack of space
//     (QUOTA_EXCEEDED), since they are how room comes back.
//  2. A save failed for lack of space: new values are refused
//     (QUOTA_EXCEEDED, "the storage quota is full"); deletes pass.
//  3. The disk budget (maxDiskPages) is full: new values are refused
//     (QUOTA_EXCEEDED, "the disk budget ... is full"); deletes pass.
//  4. Peers' live records (merges that do not replicate on: what peers
//     push) are refused from PEER_SHARE of the disk budget on: the rest is
//     kept for this peer's own writes (issue 16: a peer's 100,000
//     tombstones filled the budget, and every later set failed). Their
//     tombstones pass; js/sync/handlers.js then takes only those of keys
//     held here.
// A save that succeeds lifts 1 and 2.
import { StatusCode } from '../core/errors.js'

/** The share of the disk budget peers' records may fill. */
export const PEER_SHARE = 0.9
/** Pages short of that share from which peers' records go in small runs. */
const NEAR_PAGES = 8

/** The ops of a run refused (indices, ascending) and why. @typedef {{ indices: number[], code: number, message: string }} Refused */

export class Admission {
  #maxDiskPages
  #pages
  #overBudget
  /** @type {Error | null} the last save's failure; null once a save succeeds */
  #saveFailure = null

  /**
   * @param {number} maxDiskPages
   * @param {number} pages pages in the store now
   * @param {() => boolean} overBudget whether the engine holds more pages than its budget
   */
  constructor(maxDiskPages, pages, overBudget) {
    this.#maxDiskPages = maxDiskPages
    this.#pages = pages
    this.#overBudget = overBudget
  }

  /** @returns {boolean} peers' records fill PEER_SHARE of the disk budget: new ones are refused (rule 4) */
  get peersFull() {
    return this.#pages >= PEER_SHARE * this.#maxDiskPages
  }

  /** @returns {boolean} within NEAR_PAGES of peersFull: peers' records are written a few at a time, so that it is not overshot */
  get peersNear() {
    return this.#pages >= PEER_SHARE * this.#maxDiskPages - NEAR_PAGES
  }

  /** @returns {boolean} a save failed for lack of space and none succeeded since */
  get quotaBlocked() {
    return this.#lackOfSpace()
  }

  /**
   * Splits a run of writes into those taken and those refused now.
   * @template {{ type: string }} Op
   * @param {Op[]} ops
   * @returns {{ admitted: Op[], refused: Refused | null }} null: none refused
   */
  admit(ops) {
    const failure = this.#saveFailure
    const space = this.#lackOfSpace()
    const stuck = failure !== null && this.#overBudget()
    if (!stuck && !space && this.#pages < this.#maxDiskPages) {
      if (!this.peersFull || !ops.some(fromPeer)) return { admitted: ops, refused: null }
      /** @type {Refused} */
      const forPeers = {
        indices: [],
        code: StatusCode.QUOTA,
        message: `peers' records may fill ${PEER_SHARE * 100}% of the disk budget of ${this.#maxDiskPages} pages (maxDiskPages): the rest is for this peer's writes`
      }
      /** @type {Op[]} */
      const taken = []
      ops.forEach((op, i) => {
        if (fromPeer(op)) forPeers.indices.push(i)
        else taken.push(op)
      })
      return { admitted: taken, refused: forPeers }
    }
    /** @type {Refused} */
    const refused = { indices: [], code: StatusCode.QUOTA, message: '' }
    if (stuck && !space) {
      refused.code = StatusCode.IO
      refused.message = `the store cannot save its pages (${failure?.message}) and holds as many unsaved pages as maxMemoryPages allows`
    } else if (space) {
      refused.message = 'the storage quota is full: delete data to make room'
    } else {
      refused.message = `the disk budget of ${this.#maxDiskPages} pages (maxDiskPages) is full: delete data to make room`
    }
    const deletesPass = !stuck || space
    /** @type {Op[]} */
    const admitted = []
    ops.forEach((op, i) => {
      if (deletesPass && (op.type === 'delete' || op.type === 'forget')) admitted.push(op)
      else refused.indices.push(i)
    })
    return { admitted, refused }
  }

  /**
   * The results of a run back in op order, refused ops answered with the
   * refusal's code.
   * @param {import('../engine/codec.js').WriteResult[]} results those of the admitted ops
   * @param {Refused | null} refused from admit()
   * @returns {import('../engine/codec.js').WriteResult[]}
   */
  withRefusals(results, refused) {
    if (refused === null) return results
    const { indices, code, message } = refused
    const out = new Array(results.length + indices.length)
    let a = 0
    let r = 0
    for (let i = 0; i < out.length; i++) {
      if (r < indices.length && indices[r] === i) {
        out[i] = { code, message, existed: false, applied: false }
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

  /** @param {Error} err a failed save of the store's pages */
  noteSaveFailed(err) {
    this.#saveFailure = err
  }

  /** A save succeeded: the backend works and has room. */
  noteSaved() {
    this.#saveFailure = null
  }

  #lackOfSpace() {
    return /** @type {any} */ (this.#saveFailure)?.code === 'QUOTA_EXCEEDED'
  }
}

/**
 * A live record a peer pushed (merged without replicating on), not a write
 * of this peer's app (imports replicate on). Peers' tombstones pass: the
 * sync layer lets through only those of keys held here (they make room).
 * @param {{ type: string, replicate?: boolean, deleted?: boolean }} op
 */
function fromPeer(op) {
  return op.type === 'merge' && op.replicate === false && op.deleted !== true
}
