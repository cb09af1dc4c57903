// BulkPush: a push of many keys' records to one peer (a new replica's
// catch-up, a pull, a hand-off), paced by the peer's acknowledgements for
// the replicator. Records are looked up and queued PUSH_CHUNK at a time,
// each once fewer than PUSH_AHEAD records of at most PUSH_AHEAD_CHARS
// characters wait at the peer: a push of the whole store (or a hostile
// pull of it, issue 16) holds a few MiB of values in memory, not the store.
// A push stops when its peer leaves the ring (or is excluded). It is under
// way (pushing()) until the records of its last chunk are held there
// (acknowledged, and proven when audited): until then the peer lacks them,
// and anti-entropy leaves that peer alone (js/sync/anti-entropy.js).
import { compareKeys } from '../core/keys.js'
import { recordChars } from './bounded-replies.js'

const PUSH_CHUNK = 256
const PUSH_AHEAD = 4 * PUSH_CHUNK
const PUSH_AHEAD_CHARS = 4 << 20

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

export class BulkPush {
  #waiting
  #lookup
  #queue
  #onBulk
  #isMember
  #closed = false
  #isPending
  /** @type {Map<string, Set<{ ready: () => boolean, resolve: () => void }>>} pushes waiting at a peer (for room, or for their last records to be held) */
  #waiters = new Map()
  /** @type {Map<string, number>} peer -> pushes to it under way (> 0) */
  #active = new Map()

  /**
   * @param {{ waiting: (peer: string) => Iterable<{ rec: StoredRecord }> | null,
   *           lookup: (keys: string[]) => Promise<Array<StoredRecord | null>>,
   *           queue: (peer: string, rec: StoredRecord) => void,
   *           onBulk: (peer: string, n: number) => void,
   *           isMember: (peer: string) => boolean,
   *           isPending?: (peer: string, key: string) => boolean }} opts
   *   waiting: the records waiting at a peer (unacknowledged, or not yet
   *   proven); onBulk: a push is about to queue n records for a peer;
   *   isPending: whether a record of key waits at the peer (default: none)
   */
  constructor({ waiting, lookup, queue, onBulk, isMember, isPending = () => false }) {
    this.#waiting = waiting
    this.#isPending = isPending
    this.#lookup = lookup
    this.#queue = queue
    this.#onBulk = onBulk
    this.#isMember = isMember
  }

  /**
   * Pushes the records this store holds for keys to one peer (keys it does
   * not hold are skipped).
   * @param {string} peer
   * @param {string[]} keys
   */
  async push(peer, keys) {
    // In key order: each chunk's lookup reads a few neighbouring pages,
    // not one page per key (keys from a sync scan come in token order), and
    // the peer merges them in key order too.
    const unique = [...new Set(keys)].sort(compareKeys)
    this.#onBulk(peer, unique.length)
    this.#active.set(peer, (this.#active.get(peer) ?? 0) + 1)
    try {
      /** @type {string[]} */
      let last = []
      for (let at = 0; at < unique.length; at += PUSH_CHUNK) {
        await this.#until(peer, () => this.#hasRoom(peer))
        if (this.#closed || !this.#isMember(peer)) return
        const found = await this.#lookup(unique.slice(at, at + PUSH_CHUNK))
        last = []
        for (const rec of found) {
          if (rec === null) continue
          this.#queue(peer, rec)
          last.push(rec.key)
        }
      }
      // Records go out in the order queued: once the last are held, so is the rest.
      await this.#until(peer, () => !last.some((key) => this.#isPending(peer, key)))
    } finally {
      const n = /** @type {number} */ (this.#active.get(peer)) - 1
      if (n === 0) this.#active.delete(peer)
      else this.#active.set(peer, n)
    }
  }

  /** @param {string} peer @returns {boolean} whether a push to it is under way (until its last records are held there) */
  pushing(peer) {
    return this.#active.has(peer)
  }

  /** What waits at a peer changed (null: at every peer): wakes the pushes it lets go on. @param {string | null} peer */
  wake(peer) {
    for (const [p, set] of this.#waiters) {
      if (peer !== null && p !== peer) continue
      for (const w of set) {
        if (!this.#closed && this.#isMember(p) && !w.ready()) continue
        set.delete(w)
        w.resolve()
      }
      if (set.size === 0) this.#waiters.delete(p)
    }
  }

  /** Pushes under way stop. */
  close() {
    this.#closed = true
    this.wake(null)
  }

  /** @param {string} peer @returns {boolean} whether a push may queue more for it */
  #hasRoom(peer) {
    const waiting = this.#waiting(peer)
    if (this.#closed || waiting === null) return true
    let n = 0
    let chars = 0
    for (const { rec } of waiting) {
      if (++n >= PUSH_AHEAD) return false
      chars += recordChars(rec)
    }
    return chars < PUSH_AHEAD_CHARS
  }

  /**
   * @param {string} peer
   * @param {() => boolean} ready
   * @returns {Promise<void>} once ready() holds (checked at each wake), the
   *   peer left the ring, or this closed
   */
  #until(peer, ready) {
    if (this.#closed || !this.#isMember(peer) || ready()) return Promise.resolve()
    return new Promise((resolve) => {
      let set = this.#waiters.get(peer)
      if (!set) this.#waiters.set(peer, (set = new Set()))
      set.add({ ready, resolve })
    })
  }
}
