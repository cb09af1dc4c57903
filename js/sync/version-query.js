// VersionQuery: asks a peer which versions it holds of some keys ('has',
// answered by 'had'), and answers the same question from peers. Only
// versions travel, never values: tombstone GC asks the replicas whether
// they hold a tombstone before purging it, and a peer back from a long
// absence asks whether its old records are still held anywhere
// (js/sync/purge-rules.js).
//
// An answer also says since when the answering peer has been in sync with
// the mesh (0: it is not, or never was): "no trace of this key" means
// "deleted" only from a peer that was there all along.

import { KEYS_PER_REQUEST, lookupWithin } from './bounded-replies.js'

/** @typedef {import('./protocol.js').Entry} Entry */

/**
 * What a peer answered: its versions of the keys asked (a key absent: no
 * trace there) and since when it has been in sync (ms, 0: it is not).
 * @typedef {{ entries: Map<string, Entry>, inSyncSince: number }} Held
 */

// Keys per question: a 'has' of this many stays well below a fragment's
// size, and peers refuse more.
export const KEYS_PER_QUESTION = KEYS_PER_REQUEST

export class VersionQuery {
  #ctx
  #timeout
  #inSyncSince
  /** @type {Map<number, { peer: string, keys: Set<string>, resolve: (held: Held | null) => void, timer: any }>} */
  #asked = new Map()
  #closed = false

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {{ timeout: number, inSyncSince: () => number }} opts timeout: ms
   *   to wait for an answer; inSyncSince: this peer's, for its answers
   */
  constructor(ctx, { timeout, inSyncSince }) {
    this.#ctx = ctx
    this.#timeout = timeout
    this.#inSyncSince = inSyncSince
  }

  /**
   * Asks `peer` which versions it holds of `keys` (at most
   * KEYS_PER_QUESTION).
   * @param {string} peer
   * @param {string[]} keys
   * @returns {Promise<Held | null>} null: no answer within the timeout (or closed)
   */
  ask(peer, keys) {
    if (this.#closed) return Promise.resolve(null)
    const id = this.#ctx.nextId()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(id, null), this.#timeout)
      timer.unref?.()
      this.#asked.set(id, { peer, keys: new Set(keys), resolve, timer })
      this.#ctx.send(peer, { t: 'has', id, keys })
    })
  }

  /**
   * A peer's answer. Only the question's own peer settles it, and only the
   * keys asked count (a peer cannot vouch for keys nobody asked about).
   * @param {string} from
   * @param {{ id: number, entries: Entry[], inSyncSince: number }} msg validated
   */
  onHad(from, { id, entries, inSyncSince }) {
    const q = this.#asked.get(id)
    if (q === undefined || q.peer !== from) return
    /** @type {Map<string, Entry>} */
    const held = new Map()
    for (const e of entries) if (q.keys.has(e.key)) held.set(e.key, e)
    this.#settle(id, { entries: held, inSyncSince })
  }

  /**
   * A peer asks which versions this store holds.
   * @param {string} from
   * @param {number} id
   * @param {string[]} keys
   */
  async onHas(from, id, keys) {
    // Versions only: no budget on the answer (at most KEYS_PER_REQUEST
    // entries), but the lookup holds few values at a time.
    const { records } = await lookupWithin(this.#ctx.lookup, keys, Infinity)
    /** @type {Entry[]} */
    const entries = []
    for (const r of records) entries.push({ key: r.key, hlc: r.hlc, origin: r.origin, deleted: r.deleted })
    this.#ctx.send(from, { t: 'had', id, entries, inSyncSince: this.#inSyncSince() })
  }

  close() {
    this.#closed = true
    for (const id of [...this.#asked.keys()]) this.#settle(id, null)
  }

  /** @param {number} id @param {Held | null} held */
  #settle(id, held) {
    const q = this.#asked.get(id)
    if (q === undefined) return
    this.#asked.delete(id)
    clearTimeout(q.timer)
    q.resolve(held)
  }
}
