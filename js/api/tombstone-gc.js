// Tombstone garbage collection: a delete leaves a tombstone (so that an
// older copy of the key, from a peer or a backup, cannot bring it back), and
// tombstones older than the grace period (option tombstoneGracePeriod) are
// purged: the pages they leave half empty merge, and the backend's pages and
// bytes come back down at the next save. Runs on a timer (at most every
// hour, at least every minute: a quarter of the grace period) when the store
// holds tombstones, and on compact().
//
// Local-only stores purge once the grace period has passed. With peers the
// replicated store purges only what the replicas confirm, and a store back
// from longer than the grace period checks its old records first
// (js/sync/gc-with-peers.js has the rules).
import { hlcAtWallMs } from '../core/versions.js'

export class TombstoneCollector {
  #store
  #grace
  /** @type {any} */
  #timer = null
  /** @type {Promise<{purged: number}> | null} a collection under way */
  #running = null

  /**
   * @param {{ engineStats(): any, compact(horizon: string): Promise<number> }} store
   *   engineStats: the local store's (tombstones); compact: the store's GC
   *   (LocalStore or ReplicatedStore), purging what is older than an hlc
   * @param {{ grace: number }} opts grace in ms
   */
  constructor(store, { grace }) {
    this.#store = store
    this.#grace = grace
  }

  /** @param {(err: Error) => void} onError failures of timed collections */
  start(onError) {
    const every = Math.min(3_600_000, Math.max(60_000, Math.floor(this.#grace / 4)))
    this.#timer = setInterval(() => {
      if ((this.#store.engineStats()?.tombstones ?? 0) === 0) return
      this.collect().catch(onError)
    }, every)
    this.#timer.unref?.()
  }

  stop() {
    clearInterval(this.#timer)
  }

  /**
   * Purges the tombstones older than the grace period and merges the pages
   * that shrank (one at a time: a call during a collection joins it).
   * @returns {Promise<{purged: number}>} purged: tombstones removed
   */
  collect() {
    if (this.#running) return this.#running
    const horizon = hlcAtWallMs(Date.now() - this.#grace)
    this.#running = this.#store
      .compact(horizon)
      .then((purged) => ({ purged }))
      .finally(() => {
        this.#running = null
      })
    return this.#running
  }
}
