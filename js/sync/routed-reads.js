// RoutedReads: reads with peers. A key is read here when this peer is one of
// its replicas and holds it; otherwise its replicas are asked for their
// records, and the newest of theirs and ours wins. A newer answer for a key
// this peer replicates is merged here (read repair).
//
// A question settles when every replica asked has answered, or READ_GRACE_MS
// after the first one that holds the key answered, or at readTimeout. Peers
// that have not answered are asked again at each quarter of readTimeout (the
// question or the answer may have been lost). Everything is driven by the
// answers and by timers; nothing polls.
//
// Remote answers (and changes pushed to this peer's subscriptions) are
// remembered in the RemoteCache (js/sync/remote-cache.js: maxCachePages,
// persisted) so that a read nobody answers — no replica answers in time, or
// this peer is alone in its ring — returns the last answer instead of
// nothing.
import { StatusCode } from '../core/errors.js'
import { isNewer } from '../core/record.js'
import { KEYS_PER_REQUEST } from './bounded-replies.js'

// Reads answered by one replica wait this long for the others' answers.
const READ_GRACE_MS = 25

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

export class RoutedReads {
  #ctx
  #readTimeout
  /** @type {Map<number, {peer: string, onAnswer: (records: StoredRecord[], covered: number) => void}>} */
  #asked = new Map()
  #cache
  /** @type {Set<() => void>} the settle functions of reads in progress */
  #open = new Set()
  #closed = false

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {{ readTimeout: number, cache: import('./remote-cache.js').RemoteCache }} opts readTimeout in ms;
   *   cache: the last remote answers
   */
  constructor(ctx, { readTimeout, cache }) {
    this.#ctx = ctx
    this.#readTimeout = readTimeout
    this.#cache = cache
  }

  /**
   * Values of keys, here or at their replicas (see above).
   * @param {string[]} keys
   * @param {import('../engine/codec.js').ReadAnswer[]} local the local store's
   *   lookup of keys (queued when the read was made, so it keeps its place
   *   among the calls)
   * @returns {Promise<import('../engine/codec.js').ReadAnswer[]>} OK with json, NOT_FOUND, or an error code
   */
  async read(keys, local) {
    const ctx = this.#ctx
    /** @type {Array<StoredRecord | null>} */
    const recs = local.map((a) => a.record ?? null)
    /** @type {Array<import('../engine/codec.js').ReadAnswer | undefined>} */
    const errors = local.map((a) => (a.code !== StatusCode.OK && a.code !== StatusCode.NOT_FOUND ? a : undefined))
    const ring = ctx.ring()
    if (!this.#closed && ring.members.length >= 2) {
      const replicas = ring.replicasFor(keys, ctx.rf)
      const mine = replicas.map((peers) => peers.includes(ctx.selfId))
      const ask = []
      for (let i = 0; i < keys.length; i++) if (!(recs[i] && mine[i])) ask.push(i)
      if (ask.length > 0) {
        const remote = await this.lookup(
          ask.map((i) => keys[i]),
          ask.map((i) => replicas[i])
        )
        /** @type {StoredRecord[]} */
        const repair = []
        ask.forEach((i, j) => {
          const r = remote.records[j]
          if (r === null || !isNewer(recs[i], r)) return
          recs[i] = r
          errors[i] = undefined
          if (mine[i]) repair.push(r)
        })
        if (repair.length > 0) ctx.merge(repair).catch((err) => ctx.reportError(err))
      }
    } else if (!this.#closed) {
      // Alone: the last remote answers stand in for the replicas'.
      await this.#cache.loaded
      keys.forEach((key, i) => {
        const c = this.#cache.get(key)
        if (c && !errors[i] && isNewer(recs[i], c)) recs[i] = c
      })
    }
    return recs.map((rec, i) => {
      const err = errors[i]
      if (err) return err
      return rec && !rec.deleted ? { code: StatusCode.OK, json: /** @type {string} */ (rec.json) } : { code: StatusCode.NOT_FOUND }
    })
  }

  /**
   * The newest record the replicas hold for each key (null: none found).
   * `answered[i]` is false when no replica answered (offline, timeout); then
   * the last remote answer remembered for the key is returned, if any.
   * @param {readonly string[]} keys
   * @param {readonly string[][]} replicas per key, its replicas' peer ids
   * @returns {Promise<{records: Array<StoredRecord | null>, answered: boolean[]}>}
   */
  async lookup(keys, replicas) {
    const state = keys.map((_, i) => ({
      waiting: new Set(replicas[i].filter((p) => p !== this.#ctx.selfId)),
      /** @type {StoredRecord | null} */
      best: null,
      answered: false,
      firstFound: 0
    }))
    /** @type {Map<string, number[]>} peer -> indices of the keys to ask it */
    const byPeer = new Map()
    state.forEach((s, i) => {
      for (const p of s.waiting) {
        const list = byPeer.get(p)
        if (list) list.push(i)
        else byPeer.set(p, [i])
      }
    })
    if (byPeer.size === 0) return { records: keys.map(() => null), answered: keys.map(() => false) }
    if (!this.#closed) await this.#ask(keys, state, byPeer)
    if (state.some((s) => !s.answered)) await this.#cache.loaded
    const records = state.map((s, i) => {
      if (s.best) this.#cache.put(s.best)
      return s.best ?? (s.answered ? null : this.#cache.get(keys[i]))
    })
    return { records, answered: state.map((s) => s.answered) }
  }

  /**
   * A 'got' answer.
   * @param {string} from
   * @param {{ id: number, records: StoredRecord[], covered?: number }} msg
   */
  onGot(from, msg) {
    const read = this.#asked.get(msg.id)
    if (!read || read.peer !== from) return
    this.#asked.delete(msg.id)
    read.onAnswer(msg.records, msg.covered ?? Infinity)
  }

  /** Settles every read in progress with what it has. */
  close() {
    this.#closed = true
    for (const settle of [...this.#open]) settle()
    this.#asked.clear()
  }

  /**
   * @param {readonly string[]} keys
   * @param {Array<{waiting: Set<string>, best: StoredRecord | null, answered: boolean, firstFound: number}>} state
   * @param {Map<string, number[]>} byPeer
   * @returns {Promise<void>} once the read settled
   */
  #ask(keys, state, byPeer) {
    return new Promise((resolve) => {
      /** @type {number[]} */
      const ids = []
      /** @type {any[]} */
      const timers = []
      const started = Date.now()
      let graceTimer = /** @type {any} */ (null)
      const settle = () => {
        for (const t of timers) clearTimeout(t)
        clearTimeout(graceTimer)
        for (const id of ids) this.#asked.delete(id)
        this.#open.delete(settle)
        resolve()
      }
      this.#open.add(settle)
      // Settled when every key has all its answers, or has one holding the
      // key and its grace ran out; otherwise, wake up when a grace ends.
      const check = () => {
        const now = Date.now()
        let wake = Infinity
        for (const s of state) {
          if (s.waiting.size === 0) continue
          if (s.firstFound === 0) return
          const end = s.firstFound + READ_GRACE_MS
          if (end > now) wake = Math.min(wake, end)
        }
        if (wake === Infinity) return settle()
        clearTimeout(graceTimer)
        graceTimer = setTimeout(check, wake - now)
      }
      /** @param {string} peer @param {number[]} all asked in parts of at most KEYS_PER_REQUEST */
      const askPeer = (peer, all) => {
        for (let at = 0; at < all.length; at += KEYS_PER_REQUEST) askPart(peer, all.slice(at, at + KEYS_PER_REQUEST))
      }
      /** @param {string} peer @param {number[]} indices */
      const askPart = (peer, indices) => {
        const id = this.#ctx.nextId()
        ids.push(id)
        this.#asked.set(id, {
          peer,
          onAnswer: (records, covered) => {
            /** @type {Map<string, StoredRecord>} */
            const byKey = new Map()
            for (const r of records) byKey.set(r.key, r)
            // Past `covered`, the peer's reply budget ran out: asked again now.
            const rest = covered < indices.length ? indices.slice(Math.max(1, covered)) : []
            if (rest.length > 0) askPart(peer, rest)
            for (const i of indices.slice(0, indices.length - rest.length)) {
              const s = state[i]
              if (!s.waiting.delete(peer)) continue
              s.answered = true
              const r = byKey.get(keys[i])
              if (r) {
                if (isNewer(s.best, r)) s.best = r
                if (s.firstFound === 0) s.firstFound = Date.now()
              }
            }
            check()
          }
        })
        this.#ctx.send(peer, { t: 'get', id, keys: indices.map((i) => keys[i]) })
      }
      const askWaiting = () => {
        for (const [peer, all] of byPeer) {
          const indices = all.filter((i) => state[i].waiting.has(peer))
          if (indices.length > 0) askPeer(peer, indices)
        }
      }
      askWaiting()
      for (let q = 1; q < 4; q++) timers.push(setTimeout(askWaiting, (q * this.#readTimeout) / 4))
      timers.push(setTimeout(settle, Math.max(0, this.#readTimeout - (Date.now() - started))))
    })
  }

}
