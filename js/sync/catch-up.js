// CatchUp: a peer met for the first time, or back after being apart, gets
// what it missed as a delta: we ask it 'since' a clock value, and it sends
// (as puts) the records we share that are newer, each key from one peer
// only (the first replica other than the asker). Anti-entropy remains the
// safety net for anything older.
//
// 'since' requests go out again after 150, 300, 600... ms (capped at
// retryInterval), six times at most, until acknowledged: right after a
// connection opens, direct messages are often lost. Each request has its
// own timer; nothing polls.
import { ZERO_HLC, hlcAtWallMs, hlcWallMs } from '../core/versions.js'

// A returning peer that never got records from us asks for what changed
// since it last heard from us, minus this margin (for clock skew).
const SINCE_MARGIN_MS = 10000
const MAX_TRIES = 6
// Answered requests remembered, so a repeat (our ack was lost) is only acked.
const SERVED_REMEMBERED = 1000

export class CatchUp {
  #ctx
  #peerTimeout
  #startHlc
  /** @type {Map<number, {peer: string, h: string, tries: number, timer: any}>} id -> our open request */
  #asked = new Map()
  /** @type {Set<string>} `${peer} ${id}` of requests answered (bounded, oldest dropped first) */
  #served = new Set()
  /** @type {Map<string, number>} peer -> ms until which a delta is catching it up */
  #catchingUp = new Map()
  /** @type {Map<string, string>} peer -> its clock as of its last heartbeat */
  #clockOf = new Map()
  #closed = false

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {{ peerTimeout: number, startHlc: string | undefined }} opts startHlc:
   *   this store's clock when sync started (what it had seen before)
   */
  constructor(ctx, { peerTimeout, startHlc }) {
    this.#ctx = ctx
    this.#peerTimeout = peerTimeout
    this.#startHlc = startHlc
  }

  /**
   * Whether a delta is catching the peer up now (membership-triggered
   * anti-entropy rounds leave it out until then; periodic ones do not).
   * @param {string} peer
   */
  isCatchingUp(peer) {
    const until = this.#catchingUp.get(peer)
    if (until === undefined) return false
    if (until >= Date.now()) return true
    this.#catchingUp.delete(peer)
    return false
  }

  /**
   * A heartbeat: the peer's clock never goes back, so what it writes after
   * we part is newer than this.
   * @param {string} peer
   * @param {string | undefined} h
   */
  onHeartbeat(peer, h) {
    if (h !== undefined && h > (this.#clockOf.get(peer) ?? '')) this.#clockOf.set(peer, h)
  }

  /**
   * A peer never seen since this store opened: ask it for what is newer than
   * anything this store had seen when it opened (all of it, for a new store).
   * @param {string} peer
   */
  onFirstContact(peer) {
    const start = this.#startHlc
    const h = start === undefined || start === ZERO_HLC ? ZERO_HLC : hlcAtWallMs(hlcWallMs(start) - SINCE_MARGIN_MS)
    this.#ask(peer, h)
  }

  /**
   * A peer we knew is back: ask it for what it wrote or received while we
   * were apart.
   * @param {string} peer
   * @param {number} lastSeen ms when we last heard from it
   */
  onReturn(peer, lastSeen) {
    const h = this.#clockOf.get(peer) ?? hlcAtWallMs(lastSeen - this.#peerTimeout - SINCE_MARGIN_MS)
    this.#ask(peer, h)
  }

  /**
   * An ack.
   * @param {string} from
   * @param {number} id
   * @returns {boolean} whether it acknowledged one of our 'since' requests
   */
  onAck(from, id) {
    const q = this.#asked.get(id)
    if (q?.peer !== from) return false
    clearTimeout(q.timer)
    this.#asked.delete(id)
    return true
  }

  /**
   * Serves a 'since' request: our shared records newer than h, for the keys
   * whose first replica other than the asker is us; then an ack.
   * @param {string} from
   * @param {number} id
   * @param {string} h
   */
  async onSince(from, id, h) {
    const ctx = this.#ctx
    if (!ctx.isMember(from)) return
    const tag = `${from} ${id}`
    if (this.#served.has(tag)) {
      ctx.send(from, { t: 'ack', id }) // a repeat: our ack was lost
      return
    }
    this.#served.add(tag)
    if (this.#served.size > SERVED_REMEMBERED) this.#served.delete(/** @type {string} */ (this.#served.values().next().value))
    this.#catchingUp.set(from, Date.now() + 4 * ctx.retryInterval)
    const ring = ctx.ring().retain()
    try {
      const [all] = await ctx.syncScan(ring, [{ peer: from, bits: 0, prefix: 0, entries: true }])
      // The asker's own writes are skipped: it has them, or newer.
      const newer = /** @type {import('../engine/sync-codec.js').EntriesAnswer} */ (all).entries
        .filter((e) => e.hlc > h && e.origin !== from)
        .map((e) => e.key)
      const replicas = ring.replicasFor(newer, ctx.rf)
      const mine = newer.filter((_, i) => replicas[i].find((p) => p !== from) === ctx.selfId)
      if (mine.length > 0) await ctx.pushKeys(from, mine)
    } finally {
      ring.release()
    }
    ctx.send(from, { t: 'ack', id })
  }

  close() {
    this.#closed = true
    for (const q of this.#asked.values()) clearTimeout(q.timer)
    this.#asked.clear()
  }

  /** @param {string} peer @param {string} h */
  #ask(peer, h) {
    if (this.#closed) return
    const ctx = this.#ctx
    this.#catchingUp.set(peer, Date.now() + 4 * ctx.retryInterval)
    const id = ctx.nextId()
    const q = { peer, h, tries: 1, timer: /** @type {any} */ (null) }
    this.#asked.set(id, q)
    ctx.send(peer, { t: 'since', id, h })
    const again = () => {
      if (this.#closed || !this.#asked.has(id)) return
      if (q.tries >= MAX_TRIES || !ctx.isMember(peer)) {
        this.#asked.delete(id)
        return
      }
      q.tries++
      ctx.send(peer, { t: 'since', id, h })
      q.timer = setTimeout(again, this.#delay(q.tries))
    }
    q.timer = setTimeout(again, this.#delay(1))
  }

  /** @param {number} tries @returns {number} ms before the next try */
  #delay(tries) {
    return Math.min(this.#ctx.retryInterval, 150 * 2 ** (tries - 1))
  }
}
