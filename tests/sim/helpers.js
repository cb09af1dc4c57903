// Stores on a SimulatedNetwork, with timings shrunk so that a simulated
// minute of churn takes seconds.
import { PagingStorage, SimulatedNetwork } from 'paging-storage'

export const FAST = {
  readTimeout: 800,
  sync: { heartbeatInterval: 100, peerTimeout: 700, retryInterval: 300, antiEntropyInterval: 1000 },
  persistence: { autoSaveInterval: 0, maxDiskPages: 1e6 }
}

/** A PeerPigeon-like 40-hex peer id from a seeded generator. */
export function peerIdFrom(random) {
  let s = ''
  for (let i = 0; i < 40; i++) s += Math.floor(random() * 16).toString(16)
  return s
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms))
}

/** Polls `check` (returning true, or a reason string) until it returns
 *  true or `ms` pass; returns the last answer. */
export async function until(check, ms) {
  const end = Date.now() + ms
  for (;;) {
    const why = await check()
    if (why === true || Date.now() > end) return why
    await sleep(100)
  }
}

/** A network plus helpers to add and remove stores. */
export class Cluster {
  /** @type {Array<() => void>} */
  #onClose = []
  constructor({ seed = 1, loss = 0, latency = [1, 6], options = {} } = {}) {
    this.net = new SimulatedNetwork({ seed, loss, latency })
    this.options = options
    this.stores = new Map() // peerId -> PagingStorage
  }

  /**
   * @param {string} peerId
   * @param {object} [extra] more options for this store (persistence merged)
   */
  async add(peerId, extra = {}) {
    const persistence = { ...FAST.persistence, ...this.options.persistence, ...extra.persistence }
    const s = new PagingStorage({ ...FAST, ...this.options, ...extra, persistence, transport: this.net.join(peerId) })
    await s.ready
    this.stores.set(peerId, s)
    return s
  }

  /** The peer leaves the network and its store closes. */
  async remove(peerId) {
    const s = this.stores.get(peerId)
    this.stores.delete(peerId)
    this.net.leave(peerId)
    await s.shutdown()
  }

  live() {
    return [...this.stores.values()]
  }

  until(check, ms) {
    return until(check, ms)
  }

  /** @param {() => void} fn run when the cluster closes */
  onClose(fn) {
    this.#onClose.push(fn)
  }

  async close() {
    for (const fn of this.#onClose.splice(0)) fn()
    for (const id of [...this.stores.keys()]) await this.remove(id)
  }
}

/** A protocol v1 frame of msg, as a peer speaking the protocol by hand sends it. */
export function frame(msg) {
  return JSON.stringify({ v: 1, ...msg })
}

/**
 * A peer that speaks the protocol by hand (an attacker) on the cluster's
 * network: it joins and sends a heartbeat every 100 ms until the cluster
 * closes, so the stores count it as a member.
 * @param {Cluster} cluster
 * @param {string} peerId
 */
export function rawPeer(cluster, peerId) {
  const transport = cluster.net.join(peerId)
  const beat = setInterval(() => transport.broadcast(frame({ t: 'hb' })), 100)
  cluster.onClose(() => clearInterval(beat))
  return transport
}
