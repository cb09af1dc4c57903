// Subscriber: this store's subscriptions at the peers that hold what its
// apps watch (js/sync/interests.js), so that watch(), useKey and useRange
// hear of every change wherever it is written, not only of those that reach
// this peer as a replica. A watched key is subscribed at its replicas; a
// watched prefix (its keys are spread over the whole ring) at every member.
// The publishers (js/sync/publisher.js) push each change ('pub').
//
// Leases: a subscription holds for `lease` ms and is renewed every third of
// it, and at once when the interests or the ring change (the subscription
// moves with the replicas). A publisher that has not confirmed a lease
// within the lease (a new one, or one that lost our messages) is asked for
// the current records of the keys and what changed under the prefixes
// `since` shortly before the last confirmation, so a missed push is caught
// up at the next renewal at the latest, and a peer that joins a ring
// learns the values its watched keys have there.
//
// A pushed record is kept when it is newer than what this store knows of
// the key: merged into the local store when this peer is a replica of the
// key or holds a copy (its 'applied' announces the change), otherwise
// announced as a remote change and remembered as the last remote answer
// (js/sync/routed-reads.js). Duplicates (every replica pushes a change) and
// stale pushes are dropped the same way.
import { isNewer } from '../core/record.js'
import { hlcAtWallMs } from '../core/versions.js'
import { MAX_SUBSCRIBED_KEYS, MAX_SUBSCRIBED_PREFIXES } from './protocol.js'

// A first subscription also asks for the changes this long before the
// interest began (a write racing the watch() call; clocks a little apart).
const FIRST_MARGIN_MS = 1000

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

/**
 * What is subscribed at one publisher.
 * @typedef {{ keys: string[], prefixes: string[], sig: string, sentAt: number,
 *   confirmedAt: number, pendingId: number }} AtPeer
 */

export class Subscriber {
  #ctx
  #interests
  #lease
  #remote
  /** @type {Map<string, AtPeer>} publisher -> what it holds for us */
  #at = new Map()
  /** Wall-clock ms when the current interests were first subscribed anywhere. */
  #startedAt = 0
  #refreshSoon = false
  #closed = false
  #offInterests
  stats = { pubsIn: 0 }

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {{ interests: import('./interests.js').Interests, lease: number,
   *   remote: { cached: (key: string) => StoredRecord | null, remember: (rec: StoredRecord) => void,
   *             announce: (records: StoredRecord[]) => void } }} opts
   *   lease in ms; remote: the last remote answers, and the announcement of
   *   remote changes to the app
   */
  constructor(ctx, { interests, lease, remote }) {
    this.#ctx = ctx
    this.#interests = interests
    this.#lease = lease
    this.#remote = remote
    this.#offInterests = interests.onChange(() => this.refresh())
    this.refresh()
  }

  /** @returns {{ watching: number, keys: number, prefixes: number }} publishers holding a confirmed lease, interests */
  get counts() {
    const now = Date.now()
    let watching = 0
    for (const a of this.#at.values()) if (a.confirmedAt > 0 && now - a.confirmedAt < this.#lease) watching++
    return { watching, keys: this.#interests.keys().length, prefixes: this.#interests.prefixes().length }
  }

  /** Recomputes the subscriptions (after a change of interests or ring) soon. */
  refresh() {
    if (this.#refreshSoon || this.#closed) return
    this.#refreshSoon = true
    queueMicrotask(() => {
      this.#refreshSoon = false
      this.#sync(false)
    })
  }

  /** Every heartbeat: renews leases that are a third used, resends unconfirmed subs. */
  tick() {
    this.#sync(true)
  }

  /**
   * @param {string} from
   * @param {number} id
   * @returns {boolean} whether it confirmed one of our subs
   */
  onAck(from, id) {
    const a = this.#at.get(from)
    if (!a || a.pendingId !== id) return false
    a.pendingId = 0
    a.confirmedAt = a.sentAt
    return true
  }

  /**
   * A 'pub' from a publisher: acknowledged, then each record is kept when
   * it is news (see above).
   * @param {string} from
   * @param {{ id: number, records: StoredRecord[] }} msg
   */
  async onPub(from, msg) {
    this.#ctx.send(from, { t: 'ack', id: msg.id })
    if (this.#closed) return
    this.stats.pubsIn++
    const keys = this.#interests
    const prefixes = keys.prefixes()
    const watched = new Set(keys.keys())
    const records = msg.records.filter((r) => watched.has(r.key) || prefixes.some((p) => r.key.startsWith(p)))
    if (records.length === 0) return
    const held = await this.#ctx.lookup(records.map((r) => r.key))
    const replicas = this.#ctx.ring().replicasFor(
      records.map((r) => r.key),
      this.#ctx.rf
    )
    /** @type {StoredRecord[]} */
    const merge = []
    /** @type {StoredRecord[]} */
    const announce = []
    records.forEach((r, i) => {
      const here = held[i]
      if (here) {
        if (isNewer(here, r)) merge.push(r)
      } else if (replicas[i].includes(this.#ctx.selfId)) {
        merge.push(r)
      } else if (isNewer(this.#remote.cached(r.key), r)) {
        this.#remote.remember(r)
        announce.push(r)
      }
    })
    if (merge.length > 0) await this.#ctx.merge(merge)
    if (announce.length > 0) this.#remote.announce(announce)
  }

  /** Ends every subscription (the publishers are told). */
  close() {
    if (this.#closed) return
    this.#offInterests()
    for (const peer of this.#at.keys()) this.#ctx.send(peer, { t: 'sub', id: this.#ctx.nextId(), keys: [], prefixes: [], lease: 1 })
    this.#at.clear()
    this.#closed = true
  }

  /**
   * Brings every publisher's subscription in line with the interests and
   * the ring: sends 'sub' where it changed, is due for renewal, or was not
   * confirmed; ends it where nothing is watched any more.
   * @param {boolean} renew also renew leases a third used
   */
  #sync(renew) {
    if (this.#closed) return
    const wanted = this.#wanted()
    const now = Date.now()
    if (wanted.size === 0) this.#startedAt = 0
    else if (this.#startedAt === 0) this.#startedAt = now
    for (const peer of [...this.#at.keys()]) {
      if (wanted.has(peer)) continue
      this.#at.delete(peer)
      this.#ctx.send(peer, { t: 'sub', id: this.#ctx.nextId(), keys: [], prefixes: [], lease: 1 })
    }
    for (const [peer, want] of wanted) {
      const keys = want.keys.slice(0, MAX_SUBSCRIBED_KEYS)
      const prefixes = want.prefixes.slice(0, MAX_SUBSCRIBED_PREFIXES)
      const sig = JSON.stringify([keys, prefixes])
      let a = this.#at.get(peer)
      if (!a) this.#at.set(peer, (a = { keys, prefixes, sig, sentAt: 0, confirmedAt: 0, pendingId: 0 }))
      const changed = a.sig !== sig
      const due = renew && (now - a.sentAt >= this.#lease / 3 || (a.pendingId !== 0 && now - a.sentAt >= this.#ctx.retryInterval))
      if (!changed && !due && a.sentAt !== 0) continue
      // A publisher without a confirmed lease may have missed changes: ask
      // for those since shortly before we last knew it pushed (or since the
      // interests began).
      const lapsed = a.confirmedAt === 0 || now - a.confirmedAt >= this.#lease
      const sinceMs = a.confirmedAt === 0 ? this.#startedAt - FIRST_MARGIN_MS : a.confirmedAt - this.#lease
      Object.assign(a, { keys, prefixes, sig, sentAt: now, pendingId: this.#ctx.nextId() })
      /** @type {Extract<import('./protocol.js').Message, {t: 'sub'}>} */
      const msg = { t: 'sub', id: a.pendingId, keys, prefixes, lease: this.#lease }
      if (lapsed || changed) msg.since = hlcAtWallMs(Math.max(0, sinceMs))
      this.#ctx.send(peer, msg)
    }
  }

  /** @returns {Map<string, {keys: string[], prefixes: string[]}>} per publisher, what to subscribe there */
  #wanted() {
    /** @type {Map<string, {keys: string[], prefixes: string[]}>} */
    const wanted = new Map()
    const ctx = this.#ctx
    const ring = ctx.ring()
    const at = (/** @type {string} */ peer) => {
      let w = wanted.get(peer)
      if (!w) wanted.set(peer, (w = { keys: [], prefixes: [] }))
      return w
    }
    const prefixes = this.#interests.prefixes()
    if (prefixes.length > 0) for (const peer of ring.members) if (peer !== ctx.selfId) at(peer).prefixes.push(...prefixes)
    const keys = this.#interests.keys()
    if (keys.length > 0) {
      ring.replicasFor(keys, ctx.rf).forEach((peers, i) => {
        for (const peer of peers) if (peer !== ctx.selfId) at(peer).keys.push(keys[i])
      })
    }
    return wanted
  }
}
