// AttachableTransport: the Transport a store keeps for its whole life, over
// a network that may come and go. The app's network (a PeerPigeon mesh, or any
// Transport) is attached when it exists and detached when it is lost or
// handed to another tab; the sync layer only sees peers join and leave, so a
// store opens offline and syncs whatever it wrote meanwhile once peers come.
//
// Invariants:
//  1. peerId never changes: a network is attached only when its peerId is
//     the store's (the store stamps its writes with it and holds a place on
//     the ring under it).
//  2. Every peer reported joined is reported left before the network it
//     came through is detached, so membership never keeps a peer no network
//     reaches.
//  3. While detached, peers() is empty and send/broadcast drop the message
//     (delivery is best effort: the sync layer retries what matters).
import { Emitter } from '../core/emitter.js'
import { PagingStorageError } from '../core/errors.js'

export class AttachableTransport {
  #events = new Emitter()
  /** @type {import('./transport.js').Transport | null} */
  #network = null
  /** Whether this side made #network (from a mesh) and so closes it. */
  #owned = false
  /** Peers reported joined and not yet left (invariant 2). @type {Set<string>} */
  #joined = new Set()
  /** @type {Array<() => void>} */
  #unlisten = []

  /** @param {string} peerId the store's peer id (invariant 1) */
  constructor(peerId) {
    this.peerId = peerId
  }

  /** @returns {boolean} whether a network is attached */
  get attached() {
    return this.#network !== null
  }

  /**
   * Attaches a network in place of the current one (which is detached
   * first); its peers are reported joined.
   * @param {import('./transport.js').Transport} network
   * @param {{ owned?: boolean }} [options] owned: close it when detached
   * @throws {PagingStorageError} INVALID_ARGUMENT when its peerId is not this one's
   */
  attach(network, { owned = false } = {}) {
    if (network.peerId !== this.peerId) {
      if (owned) network.close()
      throw new PagingStorageError(
        'INVALID_ARGUMENT',
        `the network's peer id (${String(network.peerId).slice(0, 12)}…) is not this store's (${this.peerId.slice(0, 12)}…): ` +
          'create the mesh with { peerId: storage.peerId }, as usePeerPigeon does when its pigeon is given to usePagingStorage'
      )
    }
    this.detach()
    this.#network = network
    this.#owned = owned
    this.#unlisten = [
      network.on('peer-joined', (e) => this.#join(e?.peerId)),
      network.on('peer-left', (e) => this.#leave(e?.peerId)),
      network.on('message', (e) => this.#events.emit('message', e))
    ]
    for (const peer of network.peers()) this.#join(peer)
  }

  /** Detaches the network (its peers are reported left); a no-op when none is. */
  detach() {
    const network = this.#network
    if (!network) return
    for (const off of this.#unlisten.splice(0)) off()
    this.#network = null
    for (const peer of [...this.#joined]) this.#leave(peer)
    if (this.#owned) network.close()
    this.#owned = false
  }

  /** @returns {string[]} */
  peers() {
    return this.#network ? this.#network.peers() : []
  }

  /** @param {string} peerId @param {string} data */
  send(peerId, data) {
    this.#network?.send(peerId, data)
  }

  /** @param {string} data */
  broadcast(data) {
    this.#network?.broadcast(data)
  }

  /** @type {import('./transport.js').Transport['on']} */
  on(event, fn) {
    return this.#events.on(event, fn)
  }

  /** Detaches; the store is closing. */
  close() {
    this.detach()
  }

  /** @param {unknown} peerId */
  #join(peerId) {
    if (typeof peerId !== 'string' || peerId === this.peerId || this.#joined.has(peerId)) return
    this.#joined.add(peerId)
    this.#events.emit('peer-joined', { peerId })
  }

  /** @param {unknown} peerId */
  #leave(peerId) {
    if (typeof peerId !== 'string' || !this.#joined.delete(peerId)) return
    this.#events.emit('peer-left', { peerId })
  }
}
