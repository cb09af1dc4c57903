// Ownership: how many live keys this peer holds as their first replica
// (owned) or as another replica, for stats. Counted in full by each
// rebalance (which visits every key anyway, after each ring change) and
// kept current between rebalances from the writes that apply; reading the
// counts never does I/O. Until the first rebalance of a ring, counts made
// under the previous ring may be off by the keys that moved, and puts the
// engine buffered without reading their key (new key or overwrite: unknown)
// are left out.

export class Ownership {
  #selfId
  /** Live keys whose first replica is this peer. */
  owned = 0
  /** Live keys this peer holds as another replica. */
  replica = 0

  /**
   * @param {string} selfId
   * @param {number} liveKeys live keys in the store when sync starts (the
   *   ring is this peer alone, which owns them all)
   */
  constructor(selfId, liveKeys) {
    this.#selfId = selfId
    this.owned = liveKeys
  }

  /**
   * A full count.
   * @param {ReadonlyArray<{deleted: boolean}>} held every record this peer holds, tombstones included
   * @param {readonly string[][]} replicas per record, its replicas under the current ring
   */
  recount(held, replicas) {
    let owned = 0
    let replica = 0
    held.forEach((h, i) => {
      if (h.deleted) return
      const role = this.#role(replicas[i])
      if (role === 1) owned++
      else if (role === 2) replica++
    })
    this.owned = owned
    this.replica = replica
  }

  /**
   * Writes that applied: a key that became live counts, one that was deleted
   * stops counting.
   * @param {ReadonlyArray<{record: {deleted: boolean}, existed: boolean, buffered?: boolean}>} applied
   * @param {readonly string[][]} replicas per write, its key's replicas under the current ring
   */
  onApplied(applied, replicas) {
    applied.forEach(({ record, existed, buffered }, i) => {
      if (buffered) return
      const change = record.deleted ? (existed ? -1 : 0) : existed ? 0 : 1
      if (change === 0) return
      const role = this.#role(replicas[i])
      if (role === 1) this.owned += change
      else if (role === 2) this.replica += change
    })
  }

  /**
   * @param {readonly string[]} replicas
   * @returns {0 | 1 | 2} 1 owner (first replica), 2 another replica, 0 none
   */
  #role(replicas) {
    if (replicas[0] === this.#selfId) return 1
    return replicas.includes(this.#selfId) ? 2 : 0
  }
}
