// Tombstone garbage collection: a delete leaves a tombstone (so that an
// older copy of the key, from a peer or a backup, cannot bring it back), and
// tombstones older than the grace period (option tombstoneGracePeriod) are
// purged: the pages they leave half empty merge, and the backend's pages and
// bytes come back down at the next save. Runs on a timer (at most every
// hour, at least every minute: a quarter of the grace period) when the store
// holds tombstones, and on compact().
//
// The rule that makes a purge safe: a record older than the grace period
// that this store holds no trace of may be a key deleted here and purged
// since. Local-only stores purge once the grace period has passed. With
// peers, tombstones are kept for now: purging them safely needs every
// current replica to hold them and returning peers to drop what they missed
// (not built yet).
import { hlcAtWallMs } from '../core/versions.js'

export class TombstoneCollector {
  #store
  #grace
  #enabled
  /** @type {any} */
  #timer = null
  /** @type {Promise<{purged: number}> | null} a collection under way */
  #running = null

  /**
   * @param {import('../store/local-store.js').LocalStore} store
   * @param {{ grace: number, enabled: boolean }} opts grace in ms; enabled:
   *   false with peers (see above)
   */
  constructor(store, { grace, enabled }) {
    this.#store = store
    this.#grace = grace
    this.#enabled = enabled
  }

  /** @param {(err: Error) => void} onError failures of timed collections */
  start(onError) {
    if (!this.#enabled) return
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
    if (!this.#enabled) return Promise.resolve({ purged: 0 })
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
