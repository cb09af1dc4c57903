// DigestCache: the root anti-entropy digests (one per peer, js/sync/
// anti-entropy.js) of a store that has not changed since they were taken.
// A periodic round asks for the root digest of every record it shares with
// each peer; computing it walks every page, loading those not in memory, so
// an idle store re-read its whole backend every antiEntropyInterval. Digests
// are over records only (key, version, tombstone), so they hold until a
// record changes or the ring does.
//
// Invariants:
//  1. changed() is called when a write, merge or purge is queued and when
//     the store's set of readable pages changes (a corrupt page, or one that
//     healed); a scan stamps its answers with the count at its start. The
//     store's queue runs operations in order, so every change queued before
//     a scan has applied when it starts, and any later one makes its answers
//     stale.
//  2. An entry lives at most MAX_AGE_MS, bounding the harm of a change that
//     reached the records some other way.
//  3. Each ring view has its own entries (a ring change is a new view), and
//     answers are handed out as copies.

/** ms a cached digest is trusted at most. */
const MAX_AGE_MS = 10 * 60 * 1000

export class DigestCache {
  #changes = 0
  /** @type {WeakMap<object, { changes: number, rf: number, at: number, byPeer: Map<number, import('../engine/sync-codec.js').SyncAnswer> }>} */
  #byRing = new WeakMap()
  /** Root scans answered from the cache (stats, tests). */
  hits = 0

  /** Records changed, or are about to (invariant 1). */
  changed() {
    this.#changes++
  }

  /**
   * Answers `queries` from the cache when they are root queries it holds,
   * else by `run` (keeping root answers).
   * @param {object} ring the RingView scanned
   * @param {number} rf
   * @param {Array<{ peer: number, bits: number, entries: boolean }>} queries
   * @param {() => import('../engine/sync-codec.js').SyncAnswer[] | Promise<import('../engine/sync-codec.js').SyncAnswer[]>} run
   *   the scan (inside the store's queue)
   * @returns {Promise<import('../engine/sync-codec.js').SyncAnswer[]>}
   */
  async scan(ring, rf, queries, run) {
    if (!DigestCache.cacheable(queries)) return run()
    const peers = queries.map((q) => q.peer)
    const cached = this.get(ring, rf, peers, Date.now())
    if (cached) return cached
    const stamp = this.stamp()
    const answers = await run()
    this.put(ring, rf, peers, answers, stamp, Date.now())
    return answers
  }

  /** @returns {number} the stamp of a scan starting now */
  stamp() {
    return this.#changes
  }

  /**
   * @param {Array<{ peer: number, bits: number, entries: boolean }>} queries
   * @returns {boolean} whether they are root digest queries (what is cached)
   */
  static cacheable(queries) {
    return queries.length > 0 && queries.every((q) => q.bits === 0 && !q.entries)
  }

  /**
   * @param {object} ring the RingView scanned
   * @param {number} rf
   * @param {number[]} peers member index per query
   * @param {number} now ms
   * @returns {import('../engine/sync-codec.js').SyncAnswer[] | null} copies, or null when any is missing or stale
   */
  get(ring, rf, peers, now) {
    const entry = this.#byRing.get(ring)
    if (!entry || entry.changes !== this.#changes || entry.rf !== rf || now - entry.at > MAX_AGE_MS) return null
    /** @type {import('../engine/sync-codec.js').SyncAnswer[]} */
    const answers = []
    for (const p of peers) {
      const a = entry.byPeer.get(p)
      if (a === undefined) return null
      answers.push(structuredClone(a))
    }
    this.hits++
    return answers
  }

  /**
   * Keeps a root scan's answers, unless a change came after its start.
   * @param {object} ring @param {number} rf @param {number[]} peers
   * @param {import('../engine/sync-codec.js').SyncAnswer[]} answers
   * @param {number} stamp stamp() at the scan's start
   * @param {number} now ms
   */
  put(ring, rf, peers, answers, stamp, now) {
    if (stamp !== this.#changes) return
    let entry = this.#byRing.get(ring)
    if (!entry || entry.changes !== stamp || entry.rf !== rf) {
      entry = { changes: stamp, rf, at: now, byPeer: new Map() }
      this.#byRing.set(ring, entry)
    }
    peers.forEach((p, i) => entry.byPeer.set(p, structuredClone(answers[i])))
  }
}
