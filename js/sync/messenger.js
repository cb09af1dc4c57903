// Messenger: the only way sync talks to the transport. Outgoing messages are
// encoded (and cut into fragments when long) and rate-limited per peer like
// incoming ones (a message past the budget is not sent: counted in
// stats.throttled; the asker asks again, the replicator resends, issue 16:
// a peer's requests cannot make this one send without bound); incoming text is checked
// (sender, per-peer rate limit), reassembled and validated before any
// handler sees it. A bad message is counted as rejected, with its reason,
// and dropped: nothing a peer sends is ever thrown into the app.
//
// Bounds on what is held for incomplete messages: per peer at most
// MAX_PARTIAL_MESSAGES at a time and two whole messages' worth of text; in
// all, TOTAL_PARTIAL_MESSAGES whole messages' worth (past it, the peer
// holding the most loses its oldest); each expires after `fragmentTtl` ms,
// swept on a timer, whether or not its peer sends anything more (before,
// an attacker's id pinned ~8.5 MiB while it sent heartbeats only).
import { logger } from '../core/log.js'
import { isOrigin } from '../core/versions.js'
import { decode, encode, parseFrame } from './protocol.js'
import { RateLimiter } from './rate-limit.js'

const log = logger('sync')
const MAX_PARTIAL_MESSAGES = 16
const TOTAL_PARTIAL_MESSAGES = 4

/** @typedef {import('./protocol.js').Message} Message */

export class Messenger {
  #transport
  #selfId
  #limits
  #limiter
  #outLimiter
  #fragmentTtl
  #nextFragmentId = 1
  /** @type {Map<string, Map<number, {n: number, parts: string[], got: number, chars: number, at: number}>>} */
  #partials = new Map()
  #closed = false
  #sweep
  /** Characters held in partials, all peers. */
  #heldChars = 0
  /** @type {(from: string, msg: Message) => void} */
  #onMessage = () => {}
  #unlisten
  stats = {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    /** messages not sent: past a peer's outgoing budget */
    throttled: 0,
    rejected: 0,
    /** @type {Record<string, number>} rejections by reason */
    rejectedWhy: {},
    /** @type {Record<string, number>} records of valid messages not stored, by reason (js/sync/accept-puts.js) */
    refusedWhy: {}
  }

  /**
   * @param {import('../transport/transport.js').Transport} transport
   * @param {string} selfId
   * @param {{ limits: import('./protocol.js').Limits, rateLimit: {messages: number, bytes: number},
   *           fragmentTtl: number }} opts fragmentTtl in ms
   */
  constructor(transport, selfId, { limits, rateLimit, fragmentTtl }) {
    this.#transport = transport
    this.#selfId = selfId
    this.#limits = limits
    this.#limiter = new RateLimiter(rateLimit)
    this.#outLimiter = new RateLimiter(rateLimit)
    this.#fragmentTtl = fragmentTtl
    this.#unlisten = transport.on('message', (/** @type {{from: unknown, data: unknown}} */ m) => this.#receive(m))
    const sweep = setInterval(() => this.#expire(Date.now()), Math.max(50, fragmentTtl / 2))
    if (typeof sweep === 'object') sweep.unref?.() // Node: the sweep keeps no process alive
    this.#sweep = sweep
  }

  /** @returns {number} characters of incomplete messages held, all peers */
  get partialChars() {
    return this.#heldChars
  }

  /** @param {(from: string, msg: Message) => void} handler every valid message */
  onMessage(handler) {
    this.#onMessage = handler
  }

  /**
   * @param {string} peer
   * @param {Message} msg
   * @returns {boolean} false: not sent (closed, or past the peer's outgoing budget)
   */
  send(peer, msg) {
    if (this.#closed) return false
    const frames = encode(msg, () => this.#nextFragmentId++)
    let chars = 0
    for (const frame of frames) chars += frame.length
    if (!this.#outLimiter.allow(peer, chars)) {
      this.stats.throttled++
      return false
    }
    for (const frame of frames) {
      this.#count(frame.length)
      this.#transport.send(peer, frame)
    }
    return true
  }

  /**
   * Whether a message of about `chars` characters to `peer` fits its
   * outgoing budget now (nothing taken).
   * @param {string} peer
   * @param {number} chars
   */
  canSend(peer, chars) {
    return this.#outLimiter.has(peer, chars)
  }

  /** @param {Message} msg short (one frame): heartbeats */
  broadcast(msg) {
    if (this.#closed) return
    const [frame] = encode(msg, () => this.#nextFragmentId++)
    this.#count(frame.length)
    this.#transport.broadcast(frame)
  }

  /** @param {string} peer a peer that left: drop its budget and partial messages */
  forget(peer) {
    this.#limiter.forget(peer)
    this.#outLimiter.forget(peer)
    for (const id of [...(this.#partials.get(peer)?.keys() ?? [])]) this.#drop(peer, id)
  }

  close() {
    this.#closed = true
    clearInterval(this.#sweep)
    this.#unlisten()
    this.#partials.clear()
    this.#heldChars = 0
  }

  /** Drops the partials older than fragmentTtl. @param {number} now ms */
  #expire(now) {
    for (const [peer, m] of this.#partials) {
      for (const [id, p] of m) if (now - p.at > this.#fragmentTtl) this.#drop(peer, id)
    }
  }

  /** @param {string} peer @param {number} id */
  #drop(peer, id) {
    const m = this.#partials.get(peer)
    const p = m?.get(id)
    if (!m || !p) return
    this.#heldChars -= p.chars
    m.delete(id)
    if (m.size === 0) this.#partials.delete(peer)
  }

  /** Past the total bound, the peer holding the most loses its oldest partial. */
  #evictOverTotal() {
    while (this.#heldChars > TOTAL_PARTIAL_MESSAGES * this.#limits.maxMessageChars) {
      let worst = ''
      let most = -1
      for (const [peer, m] of this.#partials) {
        let held = 0
        for (const p of m.values()) held += p.chars
        if (held > most) [worst, most] = [peer, held]
      }
      const oldest = this.#partials.get(worst)?.keys().next().value
      if (oldest === undefined) return
      this.#drop(worst, oldest)
      this.reject(worst, 'fragments over the total bound')
    }
  }

  /** @param {number} chars a frame's length */
  #count(chars) {
    this.stats.messagesOut++
    this.stats.bytesOut += chars
  }

  /**
   * Counts records of a valid message that were not stored.
   * @param {string} why
   * @param {number} n records
   */
  refused(why, n) {
    this.stats.refusedWhy[why] = (this.stats.refusedWhy[why] ?? 0) + n
  }

  /**
   * Counts a message as rejected (and drops it).
   * @param {unknown} from
   * @param {string} why the reason, as counted in stats.rejectedWhy
   */
  reject(from, why) {
    this.stats.rejected++
    this.stats.rejectedWhy[why] = (this.stats.rejectedWhy[why] ?? 0) + 1
    log('rejected a message from %s: %s', String(from).slice(0, 8), why)
  }

  /** @param {{from: unknown, data: unknown}} m */
  #receive({ from, data }) {
    if (this.#closed) return
    // A sender must be a peer id (1 to 255 units, well-formed): the ring is
    // built from the ids of the peers heard.
    if (!isOrigin(from) || from === this.#selfId) return this.reject(from, 'bad sender')
    if (typeof data !== 'string') return this.reject(from, 'not text')
    if (!this.#limiter.allow(from, data.length)) return this.reject(from, 'rate limit')
    this.stats.messagesIn++
    this.stats.bytesIn += data.length
    const frame = parseFrame(data, this.#limits)
    if (!frame) return this.reject(from, 'malformed frame')
    /** @type {Message | null} */
    let msg
    if (frame.t === 'frag') {
      const text = this.#reassemble(from, /** @type {{id: number, i: number, n: number, d: string}} */ (frame))
      if (text === undefined) return
      if (text === null) return this.reject(from, 'bad fragments')
      msg = decode(text, this.#limits)
      if (!msg) return this.reject(from, 'malformed message')
    } else {
      msg = /** @type {Message} */ (frame)
    }
    this.#onMessage(from, msg)
  }

  /**
   * Collects fragments.
   * @param {string} from
   * @param {{id: number, i: number, n: number, d: string}} f
   * @returns {string | undefined | null} the text when complete, undefined
   *   while incomplete, null when the fragments do not fit together
   */
  #reassemble(from, f) {
    const now = Date.now()
    // This peer's expired partials go now (they would free its slots); the
    // others' with the sweep.
    for (const [id, p] of this.#partials.get(from) ?? []) if (now - p.at > this.#fragmentTtl) this.#drop(from, id)
    let m = this.#partials.get(from)
    if (!m) this.#partials.set(from, (m = new Map()))
    let p = m.get(f.id)
    if (!p) {
      if (m.size >= MAX_PARTIAL_MESSAGES) return null
      m.set(f.id, (p = { n: f.n, parts: new Array(f.n), got: 0, chars: 0, at: now }))
    }
    if (p.n !== f.n) {
      this.#drop(from, f.id)
      return null
    }
    if (p.parts[f.i] === undefined) {
      p.parts[f.i] = f.d
      p.got++
      p.chars += f.d.length
      this.#heldChars += f.d.length
      let held = 0
      for (const q of m.values()) held += q.chars
      if (p.chars > this.#limits.maxMessageChars || held > 2 * this.#limits.maxMessageChars) {
        this.#drop(from, f.id)
        return null
      }
      this.#evictOverTotal()
      if (m.get(f.id) !== p) return undefined // evicted: the message is lost
    }
    if (p.got < p.n) return undefined
    this.#drop(from, f.id)
    return p.parts.join('')
  }

}
