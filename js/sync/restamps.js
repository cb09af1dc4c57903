// Restamps: this peer's answer to a replica that kept, over one of its
// writes, a version stamped ahead of this peer's wall clock by more than
// FUTURE_MARGIN_MS. Such a version cannot have been written after this
// peer's write in real time unless its writer's clock runs that fast: it
// is a version forged ahead in time (within maxClockDrift, so every peer
// takes it; issue 16: every honest write made before it came due was lost
// although `replicated()` resolved). If the write is still the key's stored
// version here, the same value is stamped again past the version kept
// (engine op 'restamp'), and that version is replicated like any write.
// A newer version that is not ahead of this clock (a write made after
// seeing this one, or later in time) wins by right: nothing is done. A
// replica that keeps this peer's own version with another value (a forger
// raced the write there under its version) gets it stamped again too.
//
// The margin is the trade-off: a forged version less than FUTURE_MARGIN_MS
// ahead can still win over the honest writes of those seconds, and a peer
// whose clock runs more than that fast can see a write it made after this
// one stamped over. A key is
// stamped again at most MAX_PER_KEY times (MAX_KEYS keys remembered, the
// oldest forgotten first), so that a peer forging ever newer versions
// cannot keep this one busy; past that the write stays lost to the forged
// version and is counted (`given up`).
import { logger } from '../core/log.js'
import { hlcWallMs } from '../core/versions.js'

const log = logger('sync')
const MAX_PER_KEY = 3
/** How far ahead of this peer's wall clock a version must be stamped to
 *  count as forged (ms): NTP-synced clocks agree within a second. */
export const FUTURE_MARGIN_MS = 30000
const MAX_KEYS = 10000

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('./protocol.js').Entry} Entry */

export class Restamps {
  #selfId
  #write
  /** @type {Map<string, number>} key -> restamps so far */
  #counts = new Map()
  stats = { restamped: 0, givenUp: 0 }

  /**
   * @param {string} selfId
   * @param {(ops: import('../store/local-store.js').StoreWrite[]) => Promise<import('../engine/codec.js').WriteResult[]>} write
   *   the local store's write
   */
  constructor(selfId, write) {
    this.#selfId = selfId
    this.#write = write
  }

  /**
   * A replica kept `kept` over `rec`, which this peer pushed to it.
   * @param {StoredRecord} rec
   * @param {Entry} kept
   * @returns {Promise<void> | undefined} settles once the new version (if
   *   any) is written and queued for its replicas
   */
  onKept(rec, kept) {
    if (rec.origin !== this.#selfId) return undefined // another peer's write: its writer answers
    // The same version with another value: a peer wrote it under this peer's
    // version first (a forgery that raced this write to the replica).
    const squatted = kept.hlc === rec.hlc && kept.origin === rec.origin
    if (!squatted && hlcWallMs(kept.hlc) <= Date.now() + FUTURE_MARGIN_MS) return undefined // a later write: it wins
    const n = this.#counts.get(rec.key) ?? 0
    if (n >= MAX_PER_KEY) {
      this.stats.givenUp++
      log('gave up stamping %s again: a replica keeps a version newer than %d of ours', rec.key.slice(0, 40), n + 1)
      return undefined
    }
    this.#counts.delete(rec.key)
    this.#counts.set(rec.key, n + 1)
    if (this.#counts.size > MAX_KEYS) this.#counts.delete(/** @type {string} */ (this.#counts.keys().next().value))
    return this.#write([
      { type: 'restamp', key: rec.key, hlc: rec.hlc, origin: rec.origin, after: kept.hlc, deleted: rec.deleted, json: rec.json, replicate: true }
    ]).then(
      (results) => {
        if (results[0]?.applied) this.stats.restamped++
      },
      () => {} // closed, or refused (QUOTA): the write stays as it was
    )
  }
}
