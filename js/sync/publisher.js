// Publisher: the subscriptions peers hold at this store, and the pushes of
// changes to them. A peer that watches keys or prefixes whose records live
// here (js/sync/subscriber.js) sends 'sub' with its whole interest and a
// lease; every write that changes a matching key here afterwards (local, or
// merged from a peer) goes to it as 'pub' until the lease runs out. A 'sub'
// with `since` also gets the current records of its keys, and the records
// of its prefixes changed after that clock (a new subscriber learns the
// values it watches; one whose replicas moved, or whose lease lapsed,
// catches up).
//
// Delivery: pubs are acknowledged; one not acknowledged within
// retryInterval goes out again, at most MAX_TRIES times (then the
// subscriber's renewal, which asks `since` after a gap, covers it).
//
// Bounds: at most MAX_SUBSCRIBERS peers hold subscriptions here (a 'sub'
// beyond is rejected and counted), each names at most the protocol's
// MAX_SUBSCRIBED_KEYS keys and MAX_SUBSCRIBED_PREFIXES prefixes, and a
// catch-up sends at most MAX_CATCH_UP records.
import { isNewer } from '../core/record.js'

const MAX_SUBSCRIBERS = 256
const MAX_TRIES = 5
const MAX_CATCH_UP = 2000
// Records per pub message (a record of a large value goes alone).
const PUB_CHARS = 48000

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {{ keys: Set<string>, prefixes: string[], expires: number }} Subscription */

export class Publisher {
  #ctx
  #scan
  #reject
  /** @type {Map<string, Subscription>} peer -> its subscription */
  #subs = new Map()
  /** @type {Map<number, {peer: string, records: StoredRecord[], tries: number, at: number}>} */
  #inFlight = new Map()
  /** @type {Map<string, StoredRecord[]>} peer -> records to push this turn */
  #outbox = new Map()
  #closed = false
  stats = { pubsOut: 0, rejected: 0 }

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {{ scan: (range: import('../engine/codec.js').KeyRange, onRecord: (r: StoredRecord) => void) => Promise<void>,
   *           reject: (peer: string, why: string) => void }} opts scan: this store's; reject: count a refused message
   */
  constructor(ctx, { scan, reject }) {
    this.#ctx = ctx
    this.#scan = scan
    this.#reject = reject
  }

  /** @returns {number} peers holding a live subscription here */
  get subscribers() {
    return this.#subs.size
  }

  /**
   * A 'sub' from a peer: replaces its subscription, acknowledges it, and
   * sends what changed after `since`.
   * @param {string} from
   * @param {Extract<import('./protocol.js').Message, {t: 'sub'}>} msg validated
   */
  async onSub(from, msg) {
    if (msg.keys.length === 0 && msg.prefixes.length === 0) {
      this.#subs.delete(from)
      this.#ctx.send(from, { t: 'ack', id: msg.id })
      return
    }
    if (!this.#subs.has(from) && this.#subs.size >= MAX_SUBSCRIBERS) {
      this.stats.rejected++
      this.#reject(from, 'too many subscribers')
      return
    }
    this.#subs.set(from, { keys: new Set(msg.keys), prefixes: msg.prefixes, expires: Date.now() + msg.lease })
    this.#ctx.send(from, { t: 'ack', id: msg.id })
    if (msg.since !== undefined) await this.#catchUp(from, msg.keys, msg.prefixes, msg.since)
  }

  /**
   * Writes that changed this store: each goes to the peers subscribed to
   * its key (not back to the peer that wrote it).
   * @param {readonly StoredRecord[]} records
   */
  onApplied(records) {
    if (this.#subs.size === 0 || this.#closed) return
    const now = Date.now()
    for (const [peer, sub] of this.#subs) {
      if (sub.expires < now) {
        this.#subs.delete(peer)
        continue
      }
      for (const r of records) {
        if (r.origin === peer || !matches(sub, r.key)) continue
        this.#queue(peer, r)
      }
    }
  }

  /**
   * @param {string} from
   * @param {number} id
   * @returns {boolean} whether it acknowledged one of our pubs
   */
  onAck(from, id) {
    const f = this.#inFlight.get(id)
    if (!f || f.peer !== from) return false
    this.#inFlight.delete(id)
    return true
  }

  /** Every retryInterval: pubs not acknowledged go out again; leases run out. */
  tick() {
    const now = Date.now()
    for (const [peer, sub] of this.#subs) if (sub.expires < now) this.#subs.delete(peer)
    for (const [id, f] of this.#inFlight) {
      if (now - f.at < this.#ctx.retryInterval) continue
      this.#inFlight.delete(id)
      if (f.tries < MAX_TRIES && this.#subs.has(f.peer)) this.#send(f.peer, f.records, f.tries + 1)
    }
  }

  close() {
    this.#closed = true
    this.#subs.clear()
    this.#inFlight.clear()
    this.#outbox.clear()
  }

  /**
   * @param {string} peer
   * @param {readonly string[]} keys
   * @param {readonly string[]} prefixes
   * @param {string} since an hlc
   */
  async #catchUp(peer, keys, prefixes, since) {
    /** @type {Map<string, StoredRecord>} */
    const found = new Map()
    const keep = (/** @type {StoredRecord | null} */ r) => {
      if (r && r.hlc > since && found.size < MAX_CATCH_UP && isNewer(found.get(r.key) ?? null, r)) found.set(r.key, r)
    }
    if (keys.length > 0) for (const r of await this.#ctx.lookup([...keys])) if (r) found.set(r.key, r)
    for (const prefix of prefixes) {
      if (found.size >= MAX_CATCH_UP) break
      await this.#scan({ prefix, tombstones: true }, keep)
    }
    for (const r of found.values()) if (r.origin !== peer) this.#queue(peer, r)
  }

  /** @param {string} peer @param {StoredRecord} r */
  #queue(peer, r) {
    if (this.#outbox.size === 0) queueMicrotask(() => this.#flush())
    const list = this.#outbox.get(peer)
    if (list) list.push(r)
    else this.#outbox.set(peer, [r])
  }

  #flush() {
    if (this.#closed) return
    for (const [peer, records] of this.#outbox) {
      let batch = []
      let chars = 0
      for (const r of records) {
        const size = r.key.length + (r.json?.length ?? 0) + 48
        if (batch.length > 0 && chars + size > PUB_CHARS) {
          this.#send(peer, batch, 1)
          batch = []
          chars = 0
        }
        batch.push(r)
        chars += size
      }
      if (batch.length > 0) this.#send(peer, batch, 1)
    }
    this.#outbox.clear()
  }

  /** @param {string} peer @param {StoredRecord[]} records @param {number} tries */
  #send(peer, records, tries) {
    const id = this.#ctx.nextId()
    this.#inFlight.set(id, { peer, records, tries, at: Date.now() })
    this.stats.pubsOut++
    this.#ctx.send(peer, { t: 'pub', id, records })
  }
}

/** @param {Subscription} sub @param {string} key */
function matches(sub, key) {
  if (sub.keys.has(key)) return true
  for (const p of sub.prefixes) if (key.startsWith(p)) return true
  return false
}
