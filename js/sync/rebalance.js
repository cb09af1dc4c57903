// Rebalance: when the ring changes, keys whose replica set changed are handed
// to their new replicas by the peers that drop out of the set (how a joining
// peer receives its keys, how the survivors of a departure restore the
// replica count, and how writes made on either side of a partition reach the
// merged ring). A peer that stays a replica leaves the newcomers to
// anti-entropy, which sends only what they lack; every peer that drops out
// hands its copy over, since their copies may differ and nothing else
// compares them with the new replicas.
//
// Moves are computed between two immutable ring views: the ring this peer
// last handed off for and the current one. The same pass recounts the keys
// this peer owns (js/sync/ownership.js).

/** @typedef {import('../engine/ring.js').RingView} RingView */

export class Rebalancer {
  #ctx
  #ownership
  /** @type {RingView | null} the ring the last completed rebalance handed off for (one reference held) */
  #handedOff = null
  #closed = false

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {import('./ownership.js').Ownership} ownership
   */
  constructor(ctx, ownership) {
    this.#ctx = ctx
    this.#ownership = ownership
  }

  /**
   * Hands off the keys that moved between the last ring handed off for and
   * the current one. A no-op when they hold the same members; when the ring
   * moves again meanwhile, the next run covers both changes.
   */
  async run() {
    const ctx = this.#ctx
    const after = ctx.ring().retain()
    try {
      const before = this.#handedOff
      const beforeMembers = before?.members ?? [ctx.selfId]
      if (sameMembers(beforeMembers, after.members)) return
      /** @type {Array<{key: string, deleted: boolean}>} */
      const held = []
      await ctx.scanAll((rec) => held.push({ key: rec.key, deleted: rec.deleted }))
      if (this.#closed || after !== ctx.ring()) return
      const keys = held.map((h) => h.key)
      const now = after.replicasFor(keys, ctx.rf)
      const old = before ? before.replicasFor(keys, ctx.rf) : keys.map(() => [ctx.selfId])
      this.#ownership.recount(held, now)
      /** @type {Map<string, string[]>} peer -> keys to hand it */
      const byPeer = new Map()
      keys.forEach((key, i) => {
        if (now[i].includes(ctx.selfId) || !old[i].includes(ctx.selfId)) return
        for (const p of now[i]) {
          if (old[i].includes(p)) continue
          const list = byPeer.get(p)
          if (list) list.push(key)
          else byPeer.set(p, [key])
        }
      })
      this.#handedOff?.release()
      this.#handedOff = after.retain()
      if (byPeer.size === 0) return
      const moved = [...new Set([...byPeer.values()].flat())]
      const records = new Map()
      const found = await ctx.lookup(moved)
      if (this.#closed) return
      for (const rec of found) if (rec) records.set(rec.key, rec)
      for (const [peer, list] of byPeer) {
        const recs = list.filter((key) => records.has(key)).map((key) => records.get(key))
        ctx.announce(peer, recs.length)
        for (const rec of recs) ctx.queue(peer, rec)
      }
    } finally {
      after.release()
    }
  }

  close() {
    this.#closed = true
    this.#handedOff?.release()
    this.#handedOff = null
  }
}

/** @param {readonly string[]} a @param {readonly string[]} b */
function sameMembers(a, b) {
  return a.length === b.length && a.every((p, i) => p === b[i])
}
