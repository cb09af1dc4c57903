// Incoming: the progress of the many records peers are sending this store —
// a joining or returning peer's catch-up, the hand-offs after a ring change,
// large repairs. A peer about to push many records announces how many
// ('delta'); the puts that follow from it count them down. The progress is
// { task: 'catch-up', done, total } over everything announced since nothing
// was owed, reported as it changes.
//
// A peer's announcement is settled when its records have come, when it
// acknowledges our 'since' (complete()), or when nothing came from it for
// `stallMs` (a count can run ahead of the records: a key overwritten
// meanwhile goes once) — so a lying or departed peer holds the bar for
// stallMs at most.

export class Incoming {
  #stallMs
  #onProgress
  /** @type {Map<string, {owed: number, at: number}>} peer -> records it still owes */
  #owed = new Map()
  #done = 0
  #total = 0

  /**
   * @param {{ stallMs: number, onProgress: (p: { task: 'catch-up', done: number, total: number }) => void }} opts
   */
  constructor({ stallMs, onProgress }) {
    this.#stallMs = stallMs
    this.#onProgress = onProgress
  }

  /**
   * A peer announces n records.
   * @param {string} from
   * @param {number} n
   */
  onDelta(from, n) {
    if (n === 0) return
    const o = this.#owed.get(from)
    if (o) {
      o.owed += n
      o.at = Date.now()
    } else {
      this.#owed.set(from, { owed: n, at: Date.now() })
    }
    this.#total += n
    this.#report()
  }

  /**
   * Records a peer pushed.
   * @param {string} from
   * @param {number} n
   */
  onRecords(from, n) {
    const o = this.#owed.get(from)
    if (!o) return
    const counted = Math.min(o.owed, n)
    o.owed -= counted
    o.at = Date.now()
    this.#done += counted
    if (o.owed === 0) this.#owed.delete(from)
    this.#report()
  }

  /**
   * Whatever the peer announced has come (it acknowledged our 'since').
   * @param {string} from
   */
  complete(from) {
    const o = this.#owed.get(from)
    if (!o) return
    this.#owed.delete(from)
    this.#done += o.owed
    this.#report()
  }

  /** Every heartbeat: announcements nothing came for within stallMs are settled. */
  tick() {
    const cutoff = Date.now() - this.#stallMs
    for (const [peer, o] of this.#owed) if (o.at < cutoff) this.complete(peer)
  }

  #report() {
    if (this.#total > 0) this.#onProgress({ task: 'catch-up', done: this.#done, total: this.#total })
    if (this.#owed.size === 0) {
      this.#done = 0
      this.#total = 0
    }
  }
}
