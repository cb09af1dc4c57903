// SyncPeriod: since when this store has been in sync with the mesh, and
// whether it has been away longer than the tombstone grace period. Kept with
// the engine state (the engine's user data, saved with the next flush), so a
// reload does not reset it.
//
// In sync means connected to at least one peer with every write of ours
// acknowledged. `last` advances while that holds; `since` is when the
// current unbroken period began. A store whose `last` is older than the
// grace period when it meets peers again is stale: tombstones it never saw
// may have been purged meanwhile, so the records it held then must be
// checked with the replicas before it shares them (js/sync/gc-with-peers.js).
import { hlcAtWallMs } from '../core/versions.js'

const FORMAT = 1

export class SyncPeriod {
  #local
  #grace
  #every
  /** ms the current period in sync began (0: never in sync) */
  since = 0
  /** ms this store was last known in sync (0: never) */
  last = 0
  /** away longer than the grace period; cleared by checked() */
  stale = false

  /**
   * @param {{ userData(): string, setUserFields(fields: Record<string, unknown>): void, saveSoon(): void, readonly isOpen: boolean }} local
   *   the open local store
   * @param {number} grace ms (tombstoneGracePeriod)
   */
  constructor(local, grace) {
    this.#local = local
    this.#grace = grace
    // `last` is saved at most this often: far below the grace period.
    this.#every = Math.min(60_000, Math.floor(grace / 4))
    const saved = parse(local.userData())
    this.since = saved.since
    this.last = saved.last
  }

  /**
   * Contact with peers begins (after opening, or after being alone).
   * @param {number} now ms
   * @returns {boolean} stale: away longer than the grace period
   */
  contact(now) {
    if (this.last > 0 && now - this.last > this.#grace) this.stale = true
    return this.stale
  }

  /**
   * In sync at `now` (connected, nothing unacknowledged): remembered,
   * unless stale (the old copies are not checked yet).
   * @param {number} now ms
   */
  inSync(now) {
    if (this.stale) return
    const starts = this.since === 0
    if (starts) this.since = now
    if (starts || now - this.last >= this.#every) {
      this.last = now
      this.#save()
    }
  }

  /** The old copies are checked: in sync from `now` on. @param {number} now ms */
  checked(now) {
    this.stale = false
    this.since = now
    this.last = now
    this.#save()
  }

  /** Since when this store has been in sync, for peers (0: it is not). */
  get inSyncSince() {
    return this.stale ? 0 : this.since
  }

  /** The hlc before which a record held while away is suspect. */
  get suspectBefore() {
    return hlcAtWallMs(this.last)
  }

  #save() {
    if (!this.#local.isOpen) return
    this.#local.setUserFields({ v: FORMAT, since: this.since, last: this.last })
    this.#local.saveSoon()
  }
}

/**
 * The saved period; anything unreadable counts as never in sync.
 * @param {string} text
 * @returns {{ since: number, last: number }}
 */
function parse(text) {
  try {
    const o = JSON.parse(text)
    if (o?.v === FORMAT && isMs(o.since) && isMs(o.last) && o.since <= o.last) return { since: o.since, last: o.last }
  } catch {
    // an empty or foreign user data
  }
  return { since: 0, last: 0 }
}

/** @param {unknown} ms */
function isMs(ms) {
  return Number.isSafeInteger(ms) && /** @type {number} */ (ms) >= 0
}
