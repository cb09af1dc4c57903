// TabFollower: the Backing of a tab whose store is held by another tab (the
// leader). Every call goes to the leader over the tabs' channel and resolves
// with its answer; the leader's 'applied' writes feed this tab's change
// events; its snapshots answer the synchronous introspection.
//
// Invariants:
//  1. A call is pending from when it is made until the leader's answer
//     arrives. Pending calls are sent, in the order they were made, to each
//     new leader that announces itself (the last one closed or crashed
//     before answering), or run on this tab's own store when it is elected
//     (handover). So a call is never failed for want of a leader; it may run
//     twice when a leader crashed after running it and before answering
//     (writes are idempotent in value; a second run gives a newer version).
//  2. `ready` resolves once a leader has announced itself and its first
//     snapshot has arrived, so introspection never answers from nothing.
//  3. A write the leader answered stays in #unsaved, with the versions the
//     leader gave it, until a save is known to hold it (the leader's
//     'saved', or this tab's own flush() answered after it). When the lead
//     passes to another tab, those writes are sent again first, as merges
//     under their versions (a newer write of another tab still wins), so a
//     leader that crashed before saving loses no write it acknowledged to a
//     follower.
import { PagingStorageError } from '../core/errors.js'
import { Emitter } from '../core/emitter.js'
import { errorFromWire } from './tab-protocol.js'

/**
 * @typedef {{ op: string, args: any[], resolve: (v: any) => void, reject: (e: any) => void, sentTo: string | null }} Pending
 */

export class TabFollower {
  /** @type {'follower'} */
  role = 'follower'
  #channel
  #id
  #opts
  /** The leader's tab id, once one announced itself. @type {string | null} */
  #leader = null
  #peerId
  /** @type {Map<number, Pending>} in call order (Map keeps insertion order) */
  #pending = new Map()
  #nextId = 1
  /** Calls not settled yet (close() waits for them). @type {Set<Promise<any>>} */
  #inflight = new Set()
  /** Answered writes no save is known to hold (invariant 3), by call id.
   *  @type {Map<number, import('../engine/codec.js').WriteOp[]>} as merges */
  #unsaved = new Map()
  /** @type {import('./tab-protocol.js').Snapshot | null} */
  #snap = null
  #events = new Emitter()
  #closed = false
  /** A network given while following: the store attaches it if this tab is elected. @type {unknown} */
  standby = null
  /** @type {import('../engine/ring.js').RingView | null} the leader's ring, for replicasFor */
  #ring = null
  /** @type {any} the wasm module once loaded (rings are computed in wasm) */
  #module = null
  /** @type {() => void} */
  #off
  /** @type {(v?: any) => void} */
  #resolveReady = () => {}

  /**
   * @param {{ channel: { post: (m: object) => void, on: (fn: (m: any) => void) => () => void },
   *           id: string, opts: ReturnType<typeof import('../api/options.js').normalizeOptions>,
   *           loadModule: () => Promise<any>, makeRing: (module: any, members: string[], weights: number[]) => import('../engine/ring.js').RingView,
   *           emptyStats: (state: string) => import('../index.js').StorageStats }} parts
   *   loadModule, makeRing: the wasm module and a ring over it (replicasFor);
   *   emptyStats: the figures of a store not open yet
   */
  constructor({ channel, id, opts, loadModule, makeRing, emptyStats }) {
    this.#channel = channel
    this.#id = id
    this.#opts = opts
    this.#peerId = opts.peerId
    this.#makeRing = makeRing
    this.#emptyStats = emptyStats
    /** Resolves once a leader is known and has sent a snapshot. @type {Promise<void>} */
    this.ready = new Promise((resolve) => {
      this.#resolveReady = resolve
    })
    this.#off = channel.on((m) => this.#receive(m))
    loadModule().then(
      (module) => {
        this.#module = module
        this.#updateRing()
      },
      () => {} // replicasFor answers [self] without it; the leader's own load reports failures
    )
  }

  /** @type {(module: any, members: string[], weights: number[]) => import('../engine/ring.js').RingView} */
  #makeRing
  /** @type {(state: string) => import('../index.js').StorageStats} */
  #emptyStats

  /** Asks who leads (sent once this tab knows it does not). */
  start() {
    this.#channel.post({ t: 'hello', from: this.#id })
  }

  get peerId() {
    return this.#peerId
  }

  /** @returns {boolean} whether calls wait for an answer */
  get hasPending() {
    return this.#pending.size > 0
  }

  // ---- the Backing calls, sent to the leader ----

  /** What this tab's app watches: the leader subscribes for it (sent again to each new leader). @type {any[]} */
  #watching = []

  /** @type {import('../api/store-host.js').Backing['watch']} */
  watch(targets) {
    this.#watching = targets
    this.#call('watch', [targets]).catch(() => {}) // CLOSED: nothing to watch any more
  }

  /** @param {any[]} ops */
  write(ops) {
    return this.#call('write', [ops])
  }

  /** @param {string[]} keys */
  read(keys) {
    return this.#call('read', [keys])
  }

  /** @param {string[]} keys */
  readLocal(keys) {
    return this.#call('readLocal', [keys])
  }

  /** @type {import('../api/store-host.js').Backing['scan']} */
  async scan(range, onRecord) {
    const records = await this.#call('scan', [range])
    for (const r of records) onRecord(r)
  }

  flush() {
    return this.#call('flush', [])
  }

  clearCache() {
    return this.#call('clearCache', [])
  }

  compact() {
    return this.#call('compact', [])
  }

  /** @param {number} timeoutMs */
  replicated(timeoutMs, copies, durable) {
    return this.#call('replicated', [timeoutMs, copies, durable])
  }

  /** @param {unknown} network kept, and attached if this tab is elected */
  attach(network) {
    this.standby = network
  }

  detach() {
    this.standby = null
  }

  /** Whether the leader has a network attached. */
  get attached() {
    return this.#snap?.attached ?? false
  }

  /** @type {import('../api/store-host.js').Backing['on']} */
  on(event, fn) {
    return this.#events.on(event, fn)
  }

  // ---- introspection, from the leader's last snapshot ----

  /** @param {string} state */
  stats(state) {
    const stats = this.#snap?.stats ?? this.#emptyStats(state)
    return { ...stats, ready: state === 'open' }
  }

  pages() {
    this.#want()
    return this.#snap?.pages ?? []
  }

  /** @param {string} state */
  diagnose(state) {
    this.#want()
    const d = this.#snap?.diagnosis
    if (d) return { ...d, state }
    return { ok: true, state, issues: [], stats: this.stats(state) }
  }

  distribution() {
    return this.#snap?.distribution ?? [{ peerId: this.#peerId, self: true, connected: true, share: 1, weight: 1, durable: false }]
  }

  /** @param {string[]} keys */
  replicasFor(keys) {
    return this.#ring ? this.#ring.replicasFor(keys, this.#opts.replicationFactor) : keys.map(() => [this.#peerId])
  }

  // ---- leaving ----

  /**
   * This tab was elected: runs every pending call on its own store, in call
   * order (each is queued there at once, so their order holds), and stops
   * following. Calls made after this go to the store directly.
   * @param {import('../api/store-host.js').Backing} host
   */
  handover(host) {
    this.#stop()
    this.#replayUnsaved()
    for (const [id, p] of [...this.#pending]) {
      this.#pending.delete(id)
      let run
      if (p.op === 'scan') {
        const records = /** @type {any[]} */ ([])
        run = host.scan(p.args[0], (r) => records.push(r)).then(() => records)
      } else {
        run = /** @type {any} */ (host)[p.op](...p.args)
      }
      Promise.resolve(run).then(p.resolve, p.reject)
    }
  }

  /** Leaves once every call sent has its answer; calls never sent reject with CLOSED. */
  async close() {
    this.#closed = true
    this.#post() // calls made before close() go out with it
    for (const [id, p] of [...this.#pending]) {
      if (p.sentTo !== null) continue
      this.#pending.delete(id)
      p.reject(closedError())
    }
    await Promise.allSettled(this.#inflight)
    this.#stop()
    this.#channel.post({ t: 'bye', from: this.#id })
  }

  #stop() {
    this.#off()
    this.#ring?.release()
    this.#ring = null
  }

  /** @param {string} op @param {any[]} args @returns {Promise<any>} */
  #call(op, args) {
    if (this.#closed) return Promise.reject(closedError())
    const call = new Promise((resolve, reject) => {
      const id = this.#nextId++
      /** @type {Pending} */
      const p = { op, args, resolve, reject, sentTo: null }
      this.#pending.set(id, p)
      if (this.#leader !== null) this.#send(id, p)
    })
    this.#inflight.add(call)
    const done = () => this.#inflight.delete(call)
    call.then(done, done)
    return call
  }

  /** Calls of this turn waiting to go to the leader together. @type {Array<[number, Pending]>} */
  #outbox = []

  /** @param {number} id @param {Pending} p */
  #send(id, p) {
    if (this.#outbox.length === 0) queueMicrotask(() => this.#post())
    this.#outbox.push([id, p])
  }

  /** Posts the turn's calls as one message, to the leader known now (none: they wait for the next). */
  #post() {
    const calls = this.#outbox.filter(([id]) => this.#pending.has(id))
    this.#outbox = []
    if (this.#leader === null || calls.length === 0) return
    for (const [, p] of calls) p.sentTo = this.#leader
    this.#channel.post({ t: 'calls', from: this.#id, to: this.#leader, calls: calls.map(([id, p]) => ({ id, op: p.op, args: p.args })) })
  }

  #want() {
    if (this.#leader !== null) this.#channel.post({ t: 'want', from: this.#id })
  }

  /** @param {any} m a validated tab message */
  #receive(m) {
    if (m.from === this.#id) return
    switch (m.t) {
      case 'leader':
        if (m.from !== this.#leader) {
          this.#leader = m.from
          this.#peerId = m.peerId
          // Known to the new leader from now on: it sends snapshots and writes.
          this.#channel.post({ t: 'hello', from: this.#id })
          this.#replayUnsaved() // invariant 3
          for (const [id, p] of this.#pending) this.#send(id, p) // invariant 1
          if (this.#watching.length > 0 && ![...this.#pending.values()].some((p) => p.op === 'watch')) this.watch(this.#watching)
        }
        break
      case 'bye':
        if (m.from === this.#leader) this.#leader = null
        break
      case 'replies':
        if (m.to === this.#id) for (const r of m.replies) this.#settle(m.from, r)
        break
      case 'saved': {
        const through = m.from === this.#leader ? m.through[this.#id] : undefined
        if (typeof through === 'number') for (const id of this.#unsaved.keys()) if (id <= through) this.#unsaved.delete(id)
        break
      }
      case 'applied':
        if (m.from === this.#leader) {
          this.#events.emit(
            'applied',
            m.records.map((/** @type {any} */ record) => ({ record, replicate: false, existed: false }))
          )
        }
        break
      case 'progress':
        if (m.from === this.#leader) this.#events.emit('progress', m.progress)
        break
      case 'snapshot':
        if (m.from !== this.#leader) break
        this.#snap = m.snap
        this.#updateRing()
        this.#resolveReady() // invariant 2
        break
    }
  }

  /**
   * @param {string} from the leader tab that answered
   * @param {{ id: number, value?: any, error?: any }} r
   */
  #settle(from, r) {
    const p = this.#pending.get(r.id)
    if (!p || p.sentTo !== from) return
    this.#pending.delete(r.id)
    if ('error' in r) return p.reject(errorFromWire(r.error))
    if (p.op === 'write') this.#noteWrite(r.id, p.args[0], r.value)
    else if (p.op === 'flush') for (const id of this.#unsaved.keys()) if (id < r.id) this.#unsaved.delete(id)
    p.resolve(r.value)
  }

  /**
   * Keeps an answered write as merges under the versions it was given.
   * @param {number} id @param {any[]} ops @param {unknown} results
   */
  #noteWrite(id, ops, results) {
    if (!Array.isArray(results)) return
    /** @type {any[]} */
    const merges = []
    ops.forEach((op, i) => {
      const r = results[i]
      if (!r || typeof r.hlc !== 'string' || typeof r.origin !== 'string' || !r.applied) return
      if (op.type === 'put') merges.push({ type: 'merge', key: op.key, hlc: r.hlc, origin: r.origin, deleted: false, json: op.json, replicate: op.replicate })
      else if (op.type === 'delete') merges.push({ type: 'merge', key: op.key, hlc: r.hlc, origin: r.origin, deleted: true, json: null, replicate: op.replicate })
      else if (op.type === 'merge') merges.push(op)
    })
    if (merges.length > 0) this.#unsaved.set(id, merges)
  }

  /** Puts the unsaved writes first among the pending calls, as one write of merges. */
  #replayUnsaved() {
    if (this.#unsaved.size === 0) return
    const merges = [...this.#unsaved.values()].flat()
    this.#unsaved.clear()
    const id = this.#nextId++
    /** @type {Pending} */
    const replay = { op: 'write', args: [merges], resolve: () => {}, reject: () => {}, sentTo: null }
    this.#pending = new Map([[id, replay], ...this.#pending])
  }

  /** Rebuilds the ring view when the leader's members changed. */
  #updateRing() {
    const dist = this.#snap?.distribution
    if (!this.#module || !dist || dist.length < 2) {
      this.#ring?.release()
      this.#ring = null
      return
    }
    const members = dist.map((d) => d.peerId)
    const weights = dist.map((d) => d.weight ?? 1)
    if (this.#ring && sameList(this.#ring.members, members) && sameList(this.#ring.weights, weights)) return
    this.#ring?.release()
    this.#ring = this.#makeRing(this.#module, members, weights)
  }
}

/** @param {readonly (string | number)[]} a @param {readonly (string | number)[]} b */
function sameList(a, b) {
  return a.length === b.length && a.every((m, i) => m === b[i])
}

function closedError() {
  return new PagingStorageError('CLOSED', 'the store is shut down')
}
