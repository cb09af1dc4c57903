// PeerSync: replication, routed reads and anti-entropy between stores, over
// a Transport (js/transport/). One per PagingStorage with peers.
//
// Model (after Dynamo): the live members form a consistent-hash ring (in the
// engine); a key's replicas are the first `replicationFactor` distinct peers
// clockwise from its token. A local write is applied first, then pushed to
// the key's replicas, which acknowledge; what is not acknowledged is sent
// again every retryInterval, and re-routed to the new replicas when the
// membership changes (so a replica that left is replaced). Anti-entropy
// compares, per pair of peers, digests of the keys both should hold (a
// 16-ary tree over the key token's high bits) and sends only the entries
// that differ; it runs on membership changes and every antiEntropyInterval,
// repairing replicas that missed messages. When the ring changes, each key
// whose replica set changed is handed to its new replicas by the first of
// its old replicas still live (rebalancing: how a joining peer receives its
// keys, how the survivors of a departure restore the replica count, and how
// writes made on either side of a partition reach the merged ring).
//
// The store is reached only through `host` (see PagingStorage#syncHost):
// every engine access goes through the store's serial queue.
import { logger } from '../log.js'
import { Membership } from './membership.js'
import {
  MAX_BUCKET_BITS,
  compareUtf8,
  compareVersions,
  decode,
  encode,
  hlcAtWallMs,
  hlcWallMs,
  parseFrame
} from './protocol.js'
import { RateLimiter } from './rate-limit.js'

const log = logger('sync')

// Below this many entries on both sides together, a differing bucket's
// entries are exchanged instead of descending the tree further.
const LEAF_ENTRIES = 32
// Records per replication message are cut at about this many characters,
// and at most this many such messages per peer await their ack (a burst
// larger than a data channel's buffer is lost whole).
const PUT_CHARS = 48000
const PUTS_IN_FLIGHT = 8
// A returning peer that never got records from us asks for what changed
// since it last heard from us, minus this margin (for clock skew).
const SINCE_MARGIN_MS = 10000
const ZERO_HLC = '0000000000000000'
// Reads answered by one replica wait this long for the others' answers.
const READ_GRACE_MS = 25
const CACHE_ENTRIES = 2000
const MAX_PARTIAL_MESSAGES = 16

export class PeerSync {
  #host
  #transport
  #opts
  #limits
  #membership
  #limiter
  #timers = []
  #unlisten = []
  #closed = false
  #nextId = 1
  #members = []
  // peerId -> Map(key -> {rec, msg: id|0}): replication not yet acknowledged.
  #pending = new Map()
  #inFlight = new Map() // message id -> {peer, keys, at}
  #reads = new Map() // message id -> (records) => void
  #partials = new Map() // peerId -> Map(frag id -> {n, parts, got, at})
  #cache = new Map() // key -> record: remote answers, for offline reads
  #roundTimer = null
  #handoffRing = null // the members the last rebalance handed keys off for
  // peerId -> ms: a delta ('since') is catching that peer up; membership-
  // triggered rounds leave it out until then (periodic ones do not).
  #catchingUp = new Map()
  // peerId -> that peer's clock (HLC) as of its last heartbeat. Its HLC
  // never goes back, so what it writes after we part is newer than this.
  #hlcOf = new Map()
  #startHlc // this store's clock when sync started
  #sinceAsked = new Map() // message id -> {peer, h, at, tries}: unacknowledged
  #sinceTimer = null
  #sinceServed = new Set() // `${peer} ${id}` of 'since' requests answered (bounded)
  #sendScheduled = false
  stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, rejected: 0, roundsRun: 0, rejectedWhy: {}, bytesOutByType: {} }

  /**
   * @param {object} host the store's side (PagingStorage#syncHost)
   * @param {object} transport see js/transport/README.md
   * @param {object} opts normalized `sync` options
   * @param {object} limits protocol limits
   */
  constructor(host, transport, opts, limits) {
    this.#host = host
    this.#transport = transport
    this.#opts = opts
    this.#limits = limits
    this.#limiter = new RateLimiter(opts.rateLimit)
    this.#membership = new Membership(host.peerId, {
      peerTimeout: opts.peerTimeout,
      onChange: (members) => this.#onMembers(members),
      onReturn: (peerId, lastSeen) => this.#onReturn(peerId, lastSeen),
      onFirstContact: (peerId) => this.#onFirstContact(peerId)
    })
    this.#members = this.#membership.members
    this.#startHlc = host.hlc()
    this.#unlisten.push(
      transport.on('message', (m) => this.#onMessage(m)),
      transport.on('peer-joined', ({ peerId }) => {
        if (typeof peerId === 'string' && peerId !== host.peerId) {
          this.#membership.heard(peerId)
          this.#send(peerId, { t: 'hb' })
        }
      }),
      transport.on('peer-left', ({ peerId }) => {
        this.#membership.left(peerId)
        this.#limiter.forget(peerId)
        this.#partials.delete(peerId)
      })
    )
    this.#every(opts.heartbeatInterval, () => {
      this.#broadcast({ t: 'hb', h: this.#host.hlc() })
      this.#membership.expire()
    })
    this.#every(opts.retryInterval, () => this.#retry())
    if (opts.antiEntropyInterval > 0) this.#every(opts.antiEntropyInterval, () => this.#round(true))
    this.#host.setRing(this.#members)
    for (const p of transport.peers()) this.#membership.heard(p)
    this.#broadcast({ t: 'hb' })
  }

  // ---- queries ----

  get members() {
    return this.#members
  }

  get connectedPeers() {
    return this.#transport.peers().length
  }

  get pendingReplications() {
    let n = 0
    for (const m of this.#pending.values()) n += m.size
    return n
  }

  // ---- writes ----

  /** Pushes local writes to their replicas. records: [key, hlc, origin, tomb, json]. */
  replicate(records) {
    if (this.#closed || records.length === 0) return
    const replicas = this.#host.replicasFor(records.map((r) => r[0]))
    records.forEach((rec, i) => {
      for (const peer of replicas[i]) if (peer !== this.#host.peerId) this.#queue(peer, rec)
    })
    this.#scheduleSend()
  }

  /** Resolves once every replication is acknowledged (or rejects after timeoutMs). */
  async replicated(timeoutMs) {
    const until = Date.now() + timeoutMs
    while (this.pendingReplications > 0) {
      if (Date.now() > until) {
        throw Object.assign(new Error(`${this.pendingReplications} replications unacknowledged after ${timeoutMs} ms`), {
          code: 'TIMEOUT'
        })
      }
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  #queue(peer, rec) {
    let m = this.#pending.get(peer)
    if (!m) this.#pending.set(peer, (m = new Map()))
    const old = m.get(rec[0])
    if (old && compareVersions(old.rec[1], old.rec[2], rec[1], rec[2]) >= 0) return
    m.set(rec[0], { rec, msg: 0 })
  }

  #scheduleSend() {
    if (this.#sendScheduled) return
    this.#sendScheduled = true
    setTimeout(() => {
      this.#sendScheduled = false
      this.#sendPending()
    }, 0)
  }

  #sendPending() {
    if (this.#closed) return
    const now = Date.now()
    const inFlight = new Map()
    for (const f of this.#inFlight.values()) inFlight.set(f.peer, (inFlight.get(f.peer) ?? 0) + 1)
    for (const [peer, m] of this.#pending) {
      let room = PUTS_IN_FLIGHT - (inFlight.get(peer) ?? 0)
      let batch = []
      let chars = 0
      const flush = () => {
        if (batch.length === 0) return
        room--
        const id = this.#nextId++
        for (const e of batch) e.msg = id
        this.#inFlight.set(id, { peer, keys: batch.map((e) => e.rec[0]), at: now })
        this.#send(peer, { t: 'put', id, r: batch.map((e) => e.rec) })
        batch = []
        chars = 0
      }
      for (const e of m.values()) {
        if (room <= 0) break
        if (e.msg !== 0) continue
        batch.push(e)
        chars += e.rec[0].length + (e.rec[4]?.length ?? 0) + 48
        if (chars >= PUT_CHARS) flush()
      }
      if (room > 0) flush()
    }
  }

  #onAck(from, id) {
    if (this.#sinceAsked.get(id)?.peer === from) {
      this.#sinceAsked.delete(id)
      return
    }
    const f = this.#inFlight.get(id)
    if (!f || f.peer !== from) return
    this.#inFlight.delete(id)
    const m = this.#pending.get(from)
    if (!m) return
    for (const k of f.keys) if (m.get(k)?.msg === id) m.delete(k)
    if (m.size === 0) this.#pending.delete(from)
    else this.#scheduleSend() // the window has room again
  }

  /** 'since' requests go out again after 150, 300, 600... ms (capped at
   *  retryInterval), six times at most: right after a connection opens,
   *  direct messages are often lost. */
  #retrySince() {
    const now = Date.now()
    for (const [id, q] of this.#sinceAsked) {
      if (now - q.at < Math.min(this.#opts.retryInterval, 150 * 2 ** (q.tries - 1))) continue
      if (q.tries >= 6 || !this.#membership.has(q.peer)) {
        this.#sinceAsked.delete(id)
        continue
      }
      q.tries++
      q.at = now
      this.#send(q.peer, { t: 'since', id, h: q.h })
    }
    if (this.#sinceAsked.size > 0) {
      clearTimeout(this.#sinceTimer)
      this.#sinceTimer = setTimeout(() => this.#retrySince(), 50)
    }
  }

  /** Unacknowledged messages older than retryInterval go out again. */
  #retry() {
    const cutoff = Date.now() - this.#opts.retryInterval
    this.#retrySince()

    let any = false
    for (const [id, f] of this.#inFlight) {
      if (f.at > cutoff) continue
      this.#inFlight.delete(id)
      const m = this.#pending.get(f.peer)
      for (const k of f.keys) {
        const e = m?.get(k)
        if (e && e.msg === id) {
          e.msg = 0
          any = true
        }
      }
    }
    if (any) this.#sendPending()
  }

  // ---- membership ----

  #onMembers(members) {
    if (this.#closed) return
    this.#members = members
    this.#host.setRing(members)
    log('%s: %d members', this.#host.peerId.slice(0, 8), members.length)
    // Re-route what is unacknowledged to the replicas under the new ring.
    const recs = new Map()
    for (const m of this.#pending.values()) {
      for (const { rec } of m.values()) {
        const old = recs.get(rec[0])
        if (!old || compareVersions(old[1], old[2], rec[1], rec[2]) < 0) recs.set(rec[0], rec)
      }
    }
    this.#pending.clear()
    this.#inFlight.clear()
    if (recs.size > 0) this.replicate([...recs.values()])
    // Let the membership settle, then hand off moved keys and reconcile.
    clearTimeout(this.#roundTimer)
    this.#roundTimer = setTimeout(() => {
      this.#rebalance()
        .catch((err) => this.#background(err))
        .then(() => this.#round())
    }, this.#opts.heartbeatInterval)
  }

  /** Pushes the keys whose replica set changed since the last rebalance to
   *  their new replicas when this peer drops out of their replica set. */
  async #rebalance() {
    const before = this.#handoffRing ?? [this.#host.peerId]
    const after = this.#members
    if (before.length === after.length && before.every((p, i) => p === after[i])) return
    const moves = await this.#host.ringMoves(before, after)
    if (after !== this.#members) return // moved again: the next rebalance covers both
    this.#handoffRing = after
    if (moves.length === 0) return
    const byPeer = new Map()
    for (const { key, to } of moves) {
      for (const p of to) {
        if (!byPeer.has(p)) byPeer.set(p, [])
        byPeer.get(p).push(key)
      }
    }
    log('%s: rebalance hands %d keys to %d peers', this.#host.peerId.slice(0, 8), moves.length, byPeer.size)
    const records = new Map()
    for (const r of await this.#host.lookup(moves.map((m) => m.key))) if (r) records.set(r[0], r)
    for (const [peer, keys] of byPeer) for (const k of keys) if (records.has(k)) this.#queue(peer, records.get(k))
    this.#scheduleSend()
  }

  // ---- reads ----

  /**
   * The newest record the replicas hold for each key (null: none found).
   * `answered[i]` is false when no replica answered (offline, timeout): the
   * caller falls back to what it has.
   * @returns {Promise<{records: Array<Array|null>, answered: boolean[]}>}
   */
  async remoteLookup(keys) {
    const self = this.#host.peerId
    const replicas = this.#host.replicasFor(keys)
    const state = keys.map((key, i) => ({
      waiting: new Set(replicas[i].filter((p) => p !== self)),
      best: null,
      answered: false,
      firstFound: 0
    }))
    const byPeer = new Map()
    state.forEach((s, i) => {
      for (const p of s.waiting) {
        if (!byPeer.has(p)) byPeer.set(p, [])
        byPeer.get(p).push(i)
      }
    })
    if (byPeer.size === 0) return { records: keys.map(() => null), answered: keys.map(() => false) }
    await new Promise((resolve) => {
      const started = Date.now()
      const ids = []
      const done = () => {
        clearInterval(check)
        for (const id of ids) this.#reads.delete(id)
        resolve()
      }
      const settled = () =>
        state.every((s) => s.waiting.size === 0 || (s.firstFound > 0 && Date.now() - s.firstFound >= READ_GRACE_MS))
      // Asks again, four times per readTimeout, the peers that have not
      // answered yet (the question or the answer may have been lost).
      let asked = 0
      const check = setInterval(() => {
        const elapsed = Date.now() - started
        if (this.#closed || settled() || elapsed >= this.#opts.readTimeout) return done()
        if (elapsed >= (asked * this.#opts.readTimeout) / 4) ask()
      }, 5)
      const ask = () => {
        asked++
        for (const [peer, all] of byPeer) {
          const indices = all.filter((i) => state[i].waiting.has(peer))
          if (indices.length > 0) askPeer(peer, indices)
        }
      }
      const askPeer = (peer, indices) => {
        const id = this.#nextId++
        ids.push(id)
        this.#reads.set(id, { peer, onAnswer: (records) => {
          const byKey = new Map()
          for (const r of records) byKey.set(r[0], r)
          for (const i of indices) {
            const s = state[i]
            if (!s.waiting.delete(peer)) continue
            s.answered = true
            const r = byKey.get(keys[i])
            if (r && r.length === 5) {
              if (!s.best || compareVersions(s.best[1], s.best[2], r[1], r[2]) < 0) s.best = r
              if (s.firstFound === 0) s.firstFound = Date.now()
            }
          }
          if (settled()) done()
        } })
        this.#send(peer, { t: 'get', id, k: indices.map((i) => keys[i]) })
      }
      ask()
    })
    const records = state.map((s, i) => {
      if (s.best) this.#remember(keys[i], s.best)
      return s.best ?? (s.answered ? null : this.#cache.get(keys[i]) ?? null)
    })
    return { records, answered: state.map((s) => s.answered) }
  }

  #remember(key, rec) {
    this.#cache.delete(key)
    this.#cache.set(key, rec)
    if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value)
  }

  /** Whether this peer is one of key's replicas (or alone). */
  isReplica(key) {
    return this.#host.replicasFor([key])[0].includes(this.#host.peerId)
  }

  // ---- anti-entropy ----

  /** A peer met for the first time since this store opened: ask it for
   *  what is newer than anything this store had seen when it opened (all of
   *  it, for a new store). Each key comes from one peer (see #onSince). */
  #onFirstContact(peerId) {
    const start = this.#startHlc
    const h = start === undefined || start === ZERO_HLC ? ZERO_HLC : hlcAtWallMs(hlcWallMs(start) - SINCE_MARGIN_MS)
    this.#askSince(peerId, h)
  }

  /** Sends a 'since' request, again every retryInterval (a few times)
   *  until the peer acknowledges it: a first message can go out before the
   *  data channel is open. */
  #askSince(peer, h) {
    this.#catchingUp.set(peer, Date.now() + 4 * this.#opts.retryInterval)
    const id = this.#nextId++
    this.#sinceAsked.set(id, { peer, h, at: Date.now(), tries: 1 })
    this.#send(peer, { t: 'since', id, h })
    this.#retrySince()
  }

  /** A peer we knew is back: ask it for what it wrote or received while
   *  we were apart (anti-entropy remains the safety net for older ones). */
  #onReturn(peerId, lastSeen) {
    const h = this.#hlcOf.get(peerId) ?? hlcAtWallMs(lastSeen - this.#opts.peerTimeout - SINCE_MARGIN_MS)
    this.#askSince(peerId, h)
  }

  /** Sends the peer our shared records newer than h, for the keys whose
   *  first replica other than the peer is us (so each key comes once). */
  async #onSince(from, id, h) {
    if (!this.#membership.has(from)) return
    const tag = `${from} ${id}`
    if (this.#sinceServed.has(tag)) {
      this.#send(from, { t: 'ack', id }) // a repeat: our ack was lost
      return
    }
    this.#sinceServed.add(tag)
    if (this.#sinceServed.size > 1000) this.#sinceServed.delete(this.#sinceServed.values().next().value)
    this.#catchingUp.set(from, Date.now() + 4 * this.#opts.retryInterval)
    const [all] = await this.#host.syncScan([{ peer: from, bits: 0, prefix: 0, entries: true }])
    // The asker's own writes are skipped: it has them, or newer.
    const newer = all.entries.filter((e) => e.hlc > h && e.origin !== from).map((e) => e.key)
    const self = this.#host.peerId
    const replicas = newer.length > 0 ? this.#host.replicasFor(newer) : []
    const mine = newer.filter((k, i) => replicas[i].find((p) => p !== from) === self)
    if (mine.length > 0) await this.#pushKeys(from, mine)
    this.#send(from, { t: 'ack', id })
  }

  /** Starts a round: root digests to every peer this one leads the pair
   *  with (periodic rounds), or that is not being caught up by a delta. */
  async #round(periodic = false) {
    if (this.#closed) return
    const self = this.#host.peerId
    const members = this.#members
    const now = Date.now()
    for (const [p, until] of this.#catchingUp) if (until < now) this.#catchingUp.delete(p)
    const peers = members.filter(
      (p) => p !== self && compareUtf8(self, p) < 0 && (periodic || !this.#catchingUp.has(p))
    )
    if (peers.length === 0) return
    this.stats.roundsRun++
    try {
      const answers = await this.#host.syncScan(
        peers.map((p) => ({ peer: p, bits: 0, prefix: 0, entries: false }))
      )
      if (members !== this.#members) return // the ring moved; the next round redoes it
      peers.forEach((p, i) => this.#send(p, { t: 'sum', b: [[0, 0, answers[i].counts, answers[i].digests]] }))
    } catch (err) {
      this.#background(err)
    }
  }

  /** The peer's child digests of some buckets: find where we differ. */
  async #onSum(from, buckets) {
    if (!this.#membership.has(from)) return
    const mine = await this.#host.syncScan(
      buckets.map(([bits, prefix]) => ({ peer: from, bits, prefix, entries: false }))
    )
    const descend = []
    const entries = []
    const pull = []
    const push = []
    buckets.forEach(([bits, prefix, counts, digests], b) => {
      const own = mine[b]
      for (let i = 0; i < 16; i++) {
        if (own.counts[i] === counts[i] && own.digests[i] === digests[i]) continue
        const child = [bits + 4, prefix * 16 + i]
        if (own.counts[i] === 0) pull.push(child)
        else if (counts[i] === 0) push.push(child)
        else if (bits + 4 >= MAX_BUCKET_BITS || own.counts[i] + counts[i] <= LEAF_ENTRIES) entries.push(child)
        else descend.push(child)
      }
    })
    if (pull.length > 0) this.#send(from, { t: 'pull', k: [], b: pull })
    if (push.length > 0) await this.#pushBuckets(from, push)
    const queries = [
      ...descend.map(([bits, prefix]) => ({ peer: from, bits, prefix, entries: false })),
      ...entries.map(([bits, prefix]) => ({ peer: from, bits, prefix, entries: true }))
    ]
    if (queries.length === 0) return
    const answers = await this.#host.syncScan(queries)
    if (descend.length > 0) {
      this.#send(from, { t: 'sum', b: descend.map(([bits, prefix], i) => [bits, prefix, answers[i].counts, answers[i].digests]) })
    }
    if (entries.length > 0) {
      const off = descend.length
      this.#send(from, {
        t: 'ent',
        b: entries.map(([bits, prefix], i) => [
          bits,
          prefix,
          answers[off + i].entries.map((e) => [e.key, e.hlc, e.origin, e.tombstone ? 1 : 0])
        ])
      })
    }
  }

  /** The peer's entries of some buckets: pull what is newer there, push what is newer here. */
  async #onEntries(from, buckets) {
    if (!this.#membership.has(from)) return
    const mine = await this.#host.syncScan(
      buckets.map(([bits, prefix]) => ({ peer: from, bits, prefix, entries: true }))
    )
    const pull = []
    const push = []
    buckets.forEach(([, , theirs], b) => {
      const own = new Map(mine[b].entries.map((e) => [e.key, e]))
      for (const [key, hlc, origin] of theirs) {
        const e = own.get(key)
        own.delete(key)
        const c = e ? compareVersions(e.hlc, e.origin, hlc, origin) : -1
        if (c < 0) pull.push(key)
        else if (c > 0) push.push(key)
      }
      for (const key of own.keys()) push.push(key)
    })
    if (pull.length > 0) this.#send(from, { t: 'pull', k: pull, b: [] })
    if (push.length > 0) await this.#pushKeys(from, push)
  }

  async #onPull(from, keys, buckets) {
    if (keys.length > 0) await this.#pushKeys(from, keys)
    if (buckets.length > 0 && this.#membership.has(from)) await this.#pushBuckets(from, buckets)
  }

  async #pushKeys(peer, keys) {
    const records = await this.#host.lookup(keys)
    for (const r of records) if (r) this.#queue(peer, r)
    this.#scheduleSend()
  }

  /** Sends every record of buckets the peer has nothing in. Unfiltered: a
   *  replica that lacks a key cannot be relied on to send it, so this path,
   *  the safety net, may send a key from more than one peer (the 'since'
   *  exchange on first contact is the once-per-key path). */
  async #pushBuckets(peer, buckets) {
    const answers = await this.#host.syncScan(
      buckets.map(([bits, prefix]) => ({ peer, bits, prefix, entries: true }))
    )
    const keys = answers.flatMap((a) => a.entries.map((e) => e.key))
    if (keys.length > 0) await this.#pushKeys(peer, keys)
  }

  // ---- messages ----

  #send(peer, msg) {
    if (this.#closed) return
    for (const frame of encode(msg, () => this.#nextId++)) {
      this.stats.messagesOut++
      this.stats.bytesOut += frame.length
      this.stats.bytesOutByType[msg.t] = (this.stats.bytesOutByType[msg.t] ?? 0) + frame.length
      this.#transport.send(peer, frame)
    }
  }

  #broadcast(msg) {
    if (this.#closed) return
    const [frame] = encode(msg, () => this.#nextId++)
    this.stats.messagesOut++
    this.stats.bytesOut += frame.length
    this.#transport.broadcast(frame)
  }

  #reject(from, why) {
    this.stats.rejected++
    this.stats.rejectedWhy[why] = (this.stats.rejectedWhy[why] ?? 0) + 1
    log('rejected a message from %s: %s', String(from).slice(0, 8), why)
  }

  #onMessage({ from, data }) {
    if (this.#closed) return
    if (typeof from !== 'string' || from === this.#host.peerId) return this.#reject(from, 'bad sender')
    if (typeof data !== 'string') return this.#reject(from, 'not text')
    if (!this.#limiter.allow(from, data.length)) return this.#reject(from, 'rate limit')
    this.stats.messagesIn++
    this.stats.bytesIn += data.length
    let msg = parseFrame(data, this.#limits)
    if (!msg) return this.#reject(from, 'malformed frame')
    if (msg.t === 'frag') {
      const text = this.#reassemble(from, msg)
      if (text === undefined) return
      if (text === null) return this.#reject(from, 'bad fragments')
      msg = decode(text, this.#limits)
      if (!msg) return this.#reject(from, 'malformed message')
    }
    this.#membership.heard(from)
    this.#dispatch(from, msg).catch((err) => this.#background(err))
  }

  /** Collects fragments. @returns the text when complete, undefined while
   *  incomplete, null when the fragments do not fit together. */
  #reassemble(from, f) {
    let m = this.#partials.get(from)
    if (!m) this.#partials.set(from, (m = new Map()))
    const now = Date.now()
    for (const [id, p] of m) if (now - p.at > 4 * this.#opts.readTimeout) m.delete(id)
    let p = m.get(f.id)
    if (!p) {
      if (m.size >= MAX_PARTIAL_MESSAGES) return null
      m.set(f.id, (p = { n: f.n, parts: new Array(f.n), got: 0, chars: 0, at: now }))
    }
    if (p.n !== f.n) {
      m.delete(f.id)
      return null
    }
    if (p.parts[f.i] === undefined) {
      p.parts[f.i] = f.d
      p.got++
      p.chars += f.d.length
      // Held text per peer stays bounded: one whole message's worth.
      let held = 0
      for (const q of m.values()) held += q.chars
      if (p.chars > this.#limits.maxMessageChars || held > 2 * this.#limits.maxMessageChars) {
        m.delete(f.id)
        return null
      }
    }
    if (p.got < p.n) return undefined
    m.delete(f.id)
    return p.parts.join('')
  }

  async #dispatch(from, msg) {
    switch (msg.t) {
      case 'hb':
        if (msg.h !== undefined && msg.h > (this.#hlcOf.get(from) ?? '')) this.#hlcOf.set(from, msg.h)
        return
      case 'put': {
        const drift = Date.now() + this.#opts.maxClockDrift
        if (msg.r.some((r) => hlcWallMs(r[1]) > drift)) return this.#reject(from, 'version from the future')
        await this.#host.merge(msg.r)
        this.#send(from, { t: 'ack', id: msg.id })
        return
      }
      case 'ack':
        return this.#onAck(from, msg.id)
      case 'get': {
        const records = await this.#host.lookup(msg.k)
        this.#send(from, { t: 'got', id: msg.id, r: records.map((r, i) => r ?? [msg.k[i]]) })
        return
      }
      case 'got': {
        const read = this.#reads.get(msg.id)
        if (!read || read.peer !== from) return
        this.#reads.delete(msg.id)
        return read.onAnswer(msg.r)
      }
      case 'sum':
        return this.#onSum(from, msg.b)
      case 'ent':
        return this.#onEntries(from, msg.b)
      case 'pull':
        return this.#onPull(from, msg.k, msg.b)
      case 'since':
        return this.#onSince(from, msg.id, msg.h)
    }
  }

  #background(err) {
    if (this.#closed || err?.code === 'CLOSED') return
    this.#host.reportError(err)
  }

  #every(ms, fn) {
    const t = setInterval(fn, ms)
    t.unref?.()
    this.#timers.push(t)
  }

  /** Stops timers and listeners; the transport stays the app's. */
  close() {
    this.#closed = true
    for (const t of this.#timers) clearInterval(t)
    clearTimeout(this.#roundTimer)
    clearTimeout(this.#sinceTimer)
    for (const off of this.#unlisten) off()
    this.#pending.clear()
    this.#inFlight.clear()
    this.#reads.clear()
  }
}
