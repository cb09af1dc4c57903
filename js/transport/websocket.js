// WebSocketTransport: the Transport interface over one WebSocket to a hub (a
// server peer, js/server/hub.js). The hub is a peer itself, and relays to
// and from its other clients, so a store that reaches only the hub still
// sees every peer the hub serves (one membership, one ring).
//
// It works in browsers (the global WebSocket) and in Node (the `ws` package,
// imported when the first connection is made: Node 20 has no WebSocket
// client). The connection is kept: when it drops, or nothing arrives for
// `idleTimeout`, every peer is reported left and the transport reconnects
// after a backoff (exponential with full jitter, minBackoff..maxBackoff);
// meanwhile it is offline (peers() is empty, sends are dropped: delivery is
// best effort and the sync layer retries what matters).
import { Emitter } from '../core/emitter.js'
import { PagingStorageError } from '../core/errors.js'
import {
  CLOSE_BAD_FRAME,
  HUB_PROTOCOL_VERSION,
  broadcastFrame,
  controlFrame,
  dataFrame,
  isFramePeerId,
  parseFrame
} from './websocket-frames.js'

// The `ws` package, under a specifier bundlers leave alone: browsers never load it.
const WS_MODULE = 'ws'
// The hub sends a keep-alive every HUB_PING_MS (js/server/hub.js); a socket
// silent for longer than this is taken for dead.
const DEFAULT_IDLE_TIMEOUT = 40000

/**
 * @typedef {object} WebSocketTransportOptions
 * @property {string} peerId this store's peer id (`storage.peerId`)
 * @property {any} [WebSocket] a WebSocket class (default: the global one, else `ws`)
 * @property {number} [minBackoff] ms before the first reconnect (default 500)
 * @property {number} [maxBackoff] most ms between reconnects (default 30000)
 * @property {number} [idleTimeout] ms without a frame after which the socket is dropped (default 40000)
 */

export class WebSocketTransport {
  #url
  #events = new Emitter()
  #impl
  #minBackoff
  #maxBackoff
  #idleTimeout
  /** @type {any} */
  #socket = null
  /** The hub's id once it welcomed us; null while offline. @type {string | null} */
  #hub = null
  /** Peers reached through the hub (the hub included). @type {Set<string>} */
  #peers = new Set()
  #attempt = 0
  /** @type {ReturnType<typeof setTimeout> | null} */
  #timer = null
  /** @type {ReturnType<typeof setTimeout> | null} */
  #idle = null
  #closed = false
  /** Connections opened and welcomed since construction. */
  connections = 0

  /**
   * Starts connecting at once.
   * @param {string} url `ws://` or `wss://` address of a hub (`npx paging-storage serve`)
   * @param {WebSocketTransportOptions} options
   * @throws {PagingStorageError} INVALID_ARGUMENT for a bad url or peerId
   */
  constructor(url, options) {
    const { peerId, WebSocket, minBackoff = 500, maxBackoff = 30000, idleTimeout = DEFAULT_IDLE_TIMEOUT } = options ?? {}
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) {
      throw new PagingStorageError('INVALID_ARGUMENT', `a server address must be a ws:// or wss:// URL, not ${String(url).slice(0, 80)}`)
    }
    if (!isFramePeerId(peerId)) throw new PagingStorageError('INVALID_ARGUMENT', 'WebSocketTransport needs the store\'s peerId')
    this.#url = url
    this.peerId = peerId
    this.#impl = WebSocket ?? globalThis.WebSocket ?? null
    this.#minBackoff = minBackoff
    this.#maxBackoff = Math.max(minBackoff, maxBackoff)
    this.#idleTimeout = idleTimeout
    this.#connect()
  }

  /** @returns {string} the hub's address */
  get url() {
    return this.#url
  }

  /** @returns {boolean} whether the hub has welcomed this connection */
  get connected() {
    return this.#hub !== null
  }

  /** @returns {string | null} the hub's peer id while connected */
  get hubId() {
    return this.#hub
  }

  /** @returns {string[]} */
  peers() {
    return [...this.#peers]
  }

  /** @param {string} peerId @param {string} data */
  send(peerId, data) {
    if (this.#hub !== null && this.#peers.has(peerId)) this.#write(dataFrame('>', peerId, data))
  }

  /** @param {string} data */
  broadcast(data) {
    if (this.#hub !== null) this.#write(broadcastFrame(data))
  }

  /**
   * @param {'peer-joined' | 'peer-left' | 'message' | 'connection'} event
   *   'connection' {connected: boolean} as the hub welcomes or is lost
   * @param {(e: any) => void} fn
   * @returns {() => void} unsubscribe
   */
  on(event, fn) {
    return this.#events.on(event, fn)
  }

  /** Closes the socket for good (no reconnect). */
  close() {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#drop()
  }

  async #connect() {
    this.#timer = null
    if (this.#closed) return
    try {
      this.#impl ??= (await import(/* @vite-ignore */ WS_MODULE)).WebSocket
    } catch {
      this.#events.emit('connection', { connected: false, error: 'no WebSocket here: install the ws package' })
      return
    }
    if (this.#closed) return
    let socket
    try {
      socket = new this.#impl(this.#url)
    } catch {
      return this.#retry()
    }
    this.#socket = socket
    socket.onopen = () => {
      this.#write(controlFrame({ hello: this.peerId, v: HUB_PROTOCOL_VERSION }))
      this.#touch()
    }
    socket.onmessage = (/** @type {{data: unknown}} */ e) => {
      if (this.#socket === socket) this.#receive(e.data)
    }
    socket.onerror = () => {}
    socket.onclose = () => {
      if (this.#socket !== socket) return
      this.#drop()
      this.#retry()
    }
  }

  /** @param {unknown} data */
  #receive(data) {
    this.#touch()
    const frame = parseFrame(data)
    if (frame === null) return this.#fail()
    if (frame.kind === 'from') {
      if (this.#peers.has(frame.peer)) this.#events.emit('message', { from: frame.peer, data: frame.payload })
      return
    }
    if (frame.kind !== 'control') return this.#fail()
    const c = frame.control
    if (this.#hub === null) {
      if (!isFramePeerId(c.welcome) || c.welcome === this.peerId || !Array.isArray(c.peers)) return this.#fail()
      this.#hub = c.welcome
      this.#attempt = 0
      this.connections++
      this.#events.emit('connection', { connected: true })
      this.#join(c.welcome)
      for (const p of c.peers) this.#join(p)
    } else if (c.joined !== undefined) {
      this.#join(c.joined)
    } else if (c.left !== undefined && c.left !== this.#hub && typeof c.left === 'string' && this.#peers.delete(c.left)) {
      this.#events.emit('peer-left', { peerId: c.left })
    }
  }

  /** @param {unknown} peer */
  #join(peer) {
    if (!isFramePeerId(peer) || peer === this.peerId || this.#peers.has(peer)) return
    this.#peers.add(peer)
    this.#events.emit('peer-joined', { peerId: peer })
  }

  /** A hub that breaks the frame grammar is dropped (and retried later). */
  #fail() {
    try {
      this.#socket?.close(CLOSE_BAD_FRAME, 'bad frame')
    } catch {
      // closing a socket that is not open yet
    }
  }

  /** @param {string} text */
  #write(text) {
    try {
      this.#socket?.send(text)
    } catch {
      // not open (any more): best effort, the sync layer retries
    }
  }

  #touch() {
    if (this.#idle) clearTimeout(this.#idle)
    this.#idle = unref(setTimeout(() => this.#fail(), this.#idleTimeout))
  }

  /** Forgets the socket; every peer it reached is reported left. */
  #drop() {
    const socket = this.#socket
    this.#socket = null
    if (this.#idle) clearTimeout(this.#idle)
    this.#idle = null
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null
      try {
        socket.close()
      } catch {
        // already closed
      }
    }
    const wasConnected = this.#hub !== null
    this.#hub = null
    for (const peer of [...this.#peers]) {
      this.#peers.delete(peer)
      this.#events.emit('peer-left', { peerId: peer })
    }
    if (wasConnected) this.#events.emit('connection', { connected: false })
  }

  #retry() {
    if (this.#closed || this.#timer) return
    const ceiling = Math.min(this.#maxBackoff, this.#minBackoff * 2 ** Math.min(this.#attempt++, 20))
    this.#timer = unref(setTimeout(() => this.#connect(), this.#minBackoff / 2 + Math.random() * ceiling))
  }
}

/**
 * A timer that does not keep Node running (in browsers, a number: as is).
 * @template T
 * @param {T} timer
 * @returns {T}
 */
function unref(timer) {
  /** @type {any} */ (timer).unref?.()
  return timer
}
