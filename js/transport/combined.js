// CombinedTransport: several transports as one, so that a store meets peers
// over all of them with one membership and one ring (browsers reach each
// other over PeerPigeon and a server peer over a WebSocket).
//
// Invariants:
//  1. Every transport has this one's peerId.
//  2. A peer is joined while at least one transport reaches it, and reported
//     left only when none does.
//  3. A message to a peer goes through the first transport, in the order
//     given, that reaches it (put the direct one first); broadcasts go
//     through every transport (a peer reached twice hears a heartbeat twice,
//     which membership takes as one).
import { Emitter } from '../core/emitter.js'
import { PagingStorageError } from '../core/errors.js'

export class CombinedTransport {
  #events = new Emitter()
  /** @type {import('./transport.js').Transport[]} */
  #transports
  /** peer -> the indexes of the transports that reach it. @type {Map<string, Set<number>>} */
  #routes = new Map()
  /** @type {Array<() => void>} */
  #unlisten = []
  /** The transports made for this one (closed with it); the others are their owner's. */
  #owned

  /**
   * @param {import('./transport.js').Transport[]} transports at least one, all with one peerId
   * @param {{ owned?: Iterable<import('./transport.js').Transport> }} [options] owned: the
   *   transports close() closes (default none: the app's stay open)
   * @throws {PagingStorageError} INVALID_ARGUMENT for an empty list or peer ids that differ
   */
  constructor(transports, { owned = [] } = {}) {
    if (!Array.isArray(transports) || transports.length === 0) {
      throw new PagingStorageError('INVALID_ARGUMENT', 'CombinedTransport needs at least one transport')
    }
    const peerId = transports[0].peerId
    if (transports.some((t) => t.peerId !== peerId)) {
      throw new PagingStorageError('INVALID_ARGUMENT', 'the transports combined must all have one peer id (the store\'s)')
    }
    this.peerId = peerId
    this.#transports = [...transports]
    this.#owned = new Set(owned)
    this.#transports.forEach((t, i) => {
      this.#unlisten.push(
        t.on('peer-joined', (e) => this.#reach(e?.peerId, i)),
        t.on('peer-left', (e) => this.#lose(e?.peerId, i)),
        t.on('message', (e) => this.#events.emit('message', e))
      )
      for (const peer of t.peers()) this.#reach(peer, i)
    })
  }

  /** @returns {readonly import('./transport.js').Transport[]} the transports, in order */
  get transports() {
    return this.#transports
  }

  /** @returns {string[]} */
  peers() {
    return [...this.#routes.keys()]
  }

  /** @param {string} peerId @param {string} data */
  send(peerId, data) {
    const via = this.#routes.get(peerId)
    if (!via) return
    let first = Infinity
    for (const i of via) first = Math.min(first, i)
    this.#transports[first].send(peerId, data)
  }

  /** @param {string} data */
  broadcast(data) {
    for (const t of this.#transports) t.broadcast(data)
  }

  /** @type {import('./transport.js').Transport['on']} */
  on(event, fn) {
    return this.#events.on(event, fn)
  }

  /** Stops listening, and closes the transports it owns. */
  close() {
    for (const off of this.#unlisten.splice(0)) off()
    for (const t of this.#owned) t.close()
    this.#routes.clear()
  }

  /** @param {unknown} peer @param {number} i */
  #reach(peer, i) {
    if (typeof peer !== 'string' || peer === this.peerId) return
    const via = this.#routes.get(peer)
    if (via) return void via.add(i)
    this.#routes.set(peer, new Set([i]))
    this.#events.emit('peer-joined', { peerId: peer })
  }

  /** @param {unknown} peer @param {number} i */
  #lose(peer, i) {
    if (typeof peer !== 'string') return
    const via = this.#routes.get(peer)
    if (!via || !via.delete(i) || via.size > 0) return
    this.#routes.delete(peer)
    this.#events.emit('peer-left', { peerId: peer })
  }
}
