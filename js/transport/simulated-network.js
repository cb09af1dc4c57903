// SimulatedNetwork: an in-memory network of transports for tests and
// benchmarks. Messages are delivered after a random latency, may be lost,
// and flow only between peers in the same partition. Random choices come
// from a seeded generator, so a seed replays the same losses and latencies
// (timer interleaving aside).
import { Emitter } from '../core/emitter.js'

/** Mulberry32: a small seeded PRNG, [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class SimulatedNetwork {
  #random
  #latency
  #loss
  #nodes = new Map() // peerId -> SimulatedTransport
  #groupOf = new Map() // peerId -> partition group (absent: the common group)
  #inFlight = new Set()

  /**
   * @param {{seed?: number, latency?: [number, number], loss?: number}} [options]
   *   latency in ms (uniform in [min, max]); loss: probability a message is dropped
   */
  constructor({ seed = 1, latency = [1, 5], loss = 0 } = {}) {
    this.#random = seededRandom(seed)
    this.#latency = latency
    this.#loss = loss
    this.stats = { sent: 0, delivered: 0, lost: 0, bytes: 0 }
  }

  set loss(p) {
    this.#loss = p
  }

  get loss() {
    return this.#loss
  }

  /** Adds a peer; every reachable peer sees it join. @returns {SimulatedTransport} */
  join(peerId) {
    if (this.#nodes.has(peerId)) throw new Error(`peer ${peerId} already joined`)
    const node = new SimulatedTransport(this, peerId)
    const before = this.#reachableMap()
    this.#nodes.set(peerId, node)
    this.#announce(before)
    return node
  }

  /** Removes a peer (it crashed or closed): the others see it leave. */
  leave(peerId) {
    const node = this.#nodes.get(peerId)
    if (!node) return
    const before = this.#reachableMap()
    this.#nodes.delete(peerId)
    node._closed = true
    this.#announce(before)
  }

  /** Splits the network: peers of different groups cannot reach each other
   *  (peers in no group share one more group). */
  partition(groups) {
    const before = this.#reachableMap()
    this.#groupOf.clear()
    groups.forEach((g, i) => g.forEach((p) => this.#groupOf.set(p, i)))
    this.#announce(before)
  }

  heal() {
    this.partition([])
  }

  peerIds() {
    return [...this.#nodes.keys()]
  }

  reachable(a, b) {
    return a !== b && this.#nodes.has(a) && this.#nodes.has(b) && this.#groupOf.get(a) === this.#groupOf.get(b)
  }

  /** Resolves once no message is in flight. */
  async settled() {
    while (this.#inFlight.size > 0) await new Promise((r) => setTimeout(r, 5))
  }

  _peersOf(peerId) {
    return this.peerIds().filter((p) => this.reachable(peerId, p))
  }

  _send(from, to, data) {
    if (!this.reachable(from, to)) return
    this.stats.sent++
    this.stats.bytes += typeof data === 'string' ? data.length : data.byteLength
    if (this.#random() < this.#loss) {
      this.stats.lost++
      return
    }
    const [min, max] = this.#latency
    const delay = min + this.#random() * (max - min)
    const timer = setTimeout(() => {
      this.#inFlight.delete(timer)
      if (!this.reachable(from, to)) return
      this.stats.delivered++
      this.#nodes.get(to)._events.emit('message', { from, data })
    }, delay)
    this.#inFlight.add(timer)
  }

  #reachableMap() {
    const m = new Map()
    for (const p of this.#nodes.keys()) m.set(p, new Set(this._peersOf(p)))
    return m
  }

  /** Tells every peer which peers it gained or lost since `before`. */
  #announce(before) {
    const after = this.#reachableMap()
    for (const [p, node] of this.#nodes) {
      const was = before.get(p) ?? new Set()
      const now = after.get(p)
      for (const q of was) if (!now.has(q)) node._events.emit('peer-left', { peerId: q })
      for (const q of now) if (!was.has(q)) node._events.emit('peer-joined', { peerId: q })
    }
  }
}

/** One peer's end of a SimulatedNetwork; implements the Transport interface. */
class SimulatedTransport {
  _events = new Emitter()
  _closed = false
  #net

  constructor(net, peerId) {
    this.#net = net
    this.peerId = peerId
  }

  peers() {
    return this._closed ? [] : this.#net._peersOf(this.peerId)
  }

  send(peerId, data) {
    if (!this._closed) this.#net._send(this.peerId, peerId, data)
  }

  broadcast(data) {
    for (const p of this.peers()) this.send(p, data)
  }

  on(event, fn) {
    return this._events.on(event, fn)
  }

  close() {
    this.#net.leave(this.peerId)
  }
}
