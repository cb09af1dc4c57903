// Freshness: whether this store's records may be shared as they are. It
// keeps the store's sync period (js/sync/sync-period.js) and applies the two
// GC rules with peers (js/sync/gc-with-peers.js): tombstones are purged once
// the replicas confirm them, and a store back from longer than the grace
// period checks its old records with the replicas before it shares anything.
// While that check is pending the store is stale: the replicated store
// starts no anti-entropy or hand-off, ignores the peers' repair requests and
// leaves the suspect records out of its answers.
import { logger } from '../core/log.js'
import { dropUnheldCopies, purgeConfirmedTombstones } from './gc-with-peers.js'
import { SyncPeriod } from './sync-period.js'

const log = logger('sync')

export class Freshness {
  #period
  #gc
  #local
  #onChecked
  #reportError
  /** @type {Promise<void> | null} the check under way */
  #checking = null
  #closed = false

  /**
   * @param {{ local: import('../store/local-store.js').LocalStore, grace: number,
   *   gc: import('./gc-with-peers.js').GcContext, onChecked: () => void,
   *   reportError: (err: unknown) => void }} opts grace: ms
   *   (tombstoneGracePeriod); onChecked: the store's old records are checked
   *   (sharing may start)
   */
  constructor({ local, grace, gc, onChecked, reportError }) {
    this.#local = local
    this.#period = new SyncPeriod(local, grace)
    this.#gc = gc
    this.#onChecked = onChecked
    this.#reportError = reportError
  }

  /** Away longer than the grace period, old records not checked yet. */
  get stale() {
    return this.#period.stale
  }

  /** Since when this store has been in sync (ms; 0: it is not). */
  get inSyncSince() {
    return this.#period.inSyncSince
  }

  /** While stale: live records stamped before this hlc are suspect. null: none are. */
  get suspectBefore() {
    return this.#period.stale ? this.#period.suspectBefore : null
  }

  /**
   * The membership changed from `before` to `after` members (self
   * included). Meeting peers after being alone may make the store stale;
   * the check waits until the membership settles (the replicated store
   * calls check() where it would hand off keys).
   * @param {number} before
   * @param {number} after
   */
  onMembers(before, after) {
    if (before <= 1 && after > 1) this.#period.contact(Date.now())
  }

  /**
   * Every heartbeat: in sync while connected with nothing unacknowledged.
   * @param {number} members self included
   * @param {number} pending writes not yet acknowledged by their replicas
   */
  tick(members, pending) {
    if (members > 1 && pending === 0) this.#period.inSync(Date.now())
  }

  /**
   * Checks the old records (one check at a time; call it once the
   * membership has settled: a replica's "no trace" counts only under the
   * ring every peer agrees on). Staleness ends when every record is settled.
   */
  check() {
    if (this.#checking || this.#closed) return
    const period = this.#period
    this.#checking = dropUnheldCopies(this.#gc, { before: period.suspectBefore, last: period.last })
      .then(({ dropped, unresolved }) => {
        log('back after the grace period: %d old records dropped, %d unresolved', dropped, unresolved)
        if (unresolved > 0 || this.#closed) return
        period.checked(Date.now())
        this.#onChecked()
      })
      .catch((err) => this.#reportError(err))
      .finally(() => {
        this.#checking = null
      })
  }

  /**
   * Tombstone GC with peers (see js/sync/gc-with-peers.js), then the merges
   * of the pages that shrank. A store never in sync with anyone purges as a
   * local store does; one that was, but is alone now, waits for its peers.
   * @param {string} horizon an hlc: tombstones older may go
   * @returns {Promise<number>} tombstones purged
   */
  async compact(horizon) {
    if (this.#period.stale) return 0
    const members = this.#gc.ring().members.length
    if (members <= 1) return this.#local.compact(this.#period.since === 0 ? horizon : null)
    const purged = await purgeConfirmedTombstones(this.#gc, horizon)
    await this.#local.compact(null)
    return purged
  }

  close() {
    this.#closed = true
  }
}
