// PeerPigeonTransport: the Transport interface over a PeerPigeonMesh that
// the app created and connected (paging-storage never imports peerpigeon;
// the app owns the mesh and its lifetime).
//
// Our messages travel as direct messages {type: 'paging-storage', data}
// (PeerPigeon routes them through the mesh when the peers are not directly
// connected). Broadcasts (heartbeats) use PeerPigeon's gossip broadcast,
// which reaches peers we are not directly connected to; it carries strings
// only, so they travel as PREFIX + data, and our own come back and are
// dropped. Everything else on the mesh is left to the app.
import { Emitter } from '../core/emitter.js'

const TYPE = 'paging-storage'
const PREFIX = 'paging-storage:'

export class PeerPigeonTransport {
  #mesh
  #events = new Emitter()
  #unlisten = []

  /**
   * @param {any} mesh a PeerPigeonMesh, after init() (it has a peerId)
   * @throws {TypeError} when mesh is not one
   */
  constructor(mesh) {
    if (!mesh || typeof mesh.sendDirectMessage !== 'function' || typeof mesh.addEventListener !== 'function') {
      throw new TypeError('pigeon must be a PeerPigeonMesh (from the peerpigeon package)')
    }
    if (typeof mesh.peerId !== 'string' || mesh.peerId === '') {
      throw new TypeError('pigeon has no peerId yet: await mesh.init() before handing it over')
    }
    this.#mesh = mesh
    this.peerId = mesh.peerId
    this.#listen('peerConnected', (e) => e?.peerId && this.#events.emit('peer-joined', { peerId: e.peerId }))
    this.#listen('peerDisconnected', (e) => e?.peerId && this.#events.emit('peer-left', { peerId: e.peerId }))
    this.#listen('messageReceived', (e) => {
      const c = e?.content
      if (typeof e?.from !== 'string' || e.from === this.peerId) return
      if (typeof c === 'string' && c.startsWith(PREFIX)) {
        this.#events.emit('message', { from: e.from, data: c.slice(PREFIX.length) })
      } else if (c && c.type === TYPE && typeof c.data === 'string') {
        this.#events.emit('message', { from: e.from, data: c.data })
      }
    })
  }

  #listen(event, fn) {
    this.#mesh.addEventListener(event, fn)
    this.#unlisten.push(() => this.#mesh.removeEventListener(event, fn))
  }

  peers() {
    const ids = this.#mesh.getConnectedPeerIds?.() ?? []
    return ids.filter((id) => typeof id === 'string' && id !== this.peerId)
  }

  send(peerId, data) {
    // Fire and forget: PeerPigeon resolves with a message id or null, and
    // delivery is never acknowledged; the sync layer retries what matters.
    Promise.resolve(this.#mesh.sendDirectMessage(peerId, { type: TYPE, data })).catch(() => {})
  }

  broadcast(data) {
    Promise.resolve(this.#mesh.sendMessage(PREFIX + data)).catch(() => {})
  }

  on(event, fn) {
    return this.#events.on(event, fn)
  }

  /** Stops listening; the mesh stays connected (it is the app's). */
  close() {
    for (const off of this.#unlisten.splice(0)) off()
  }
}
