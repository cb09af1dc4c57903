// WebSocketHub: the server side of the WebSocket transport. It is the
// Transport of the server's own store (its peers are the connected clients)
// and a relay between its clients, so that stores that reach only the hub
// (Node apps, browsers without PeerPigeon) meet each other on one ring.
// Frames: js/transport/websocket-frames.js.
//
// Bounds (every client is untrusted, js/sync/messenger.js validates what
// reaches the store): at most maxClients sockets; a socket that has not said
// hello within helloTimeout is closed; frames are at most maxPayload bytes
// (larger ones close the socket, as `ws` does); every frame a client sends,
// delivered or relayed, is charged to its token bucket (rateLimit, its
// bytes multiplied by the recipients of a broadcast) and dropped past it;
// broadcasts (heartbeats) are at most MAX_BROADCAST_CHARS; a recipient whose
// socket has maxBufferedBytes queued gets nothing more until it drains; a
// socket that answers no ping within pingInterval is terminated. A peer id
// already connected is refused (the first one keeps it).
import { Emitter } from '../core/emitter.js'
import { RateLimiter } from '../sync/rate-limit.js'
import {
  CLOSE_BAD_FRAME,
  CLOSE_FULL,
  CLOSE_ID_TAKEN,
  CLOSE_NO_HELLO,
  HUB_PROTOCOL_VERSION,
  controlFrame,
  dataFrame,
  isFramePeerId,
  parseFrame
} from '../transport/websocket-frames.js'

/** Broadcasts carry heartbeats (tens of characters); longer ones are dropped. */
export const MAX_BROADCAST_CHARS = 4096

/**
 * @typedef {object} HubOptions
 * @property {string} peerId the server store's peer id
 * @property {number} [maxClients] sockets at once (default 1024)
 * @property {{ messages: number, bytes: number }} [rateLimit] per client per second
 *   (default 4000 messages, 64 MiB: twice a store's own incoming budget, for relays)
 * @property {number} [maxPayload] bytes per frame (default 256 KiB: a store's largest
 *   message fragment, 60,000 characters of up to 3 UTF-8 bytes, and its header)
 * @property {number} [helloTimeout] ms (default 10000)
 * @property {number} [pingInterval] ms (default 15000; clients drop a hub silent for 40 s)
 * @property {number} [maxBufferedBytes] per recipient socket (default 16 MiB)
 */

/** @typedef {{ socket: any, id: string | null, alive: boolean, hello: ReturnType<typeof setTimeout> | null }} Client */

export class WebSocketHub {
  #events = new Emitter()
  /** @type {any} the ws WebSocketServer */
  #wss
  /** @type {Set<Client>} */
  #clients = new Set()
  /** @type {Map<string, Client>} */
  #byId = new Map()
  #limiter
  #opts
  /** @type {ReturnType<typeof setInterval>} */
  #ping
  /** Counters since start (js/server/metrics.js). */
  stats = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, relayed: 0, dropped: 0, refused: 0 }

  /**
   * @param {any} WebSocketServer the `ws` package's class
   * @param {HubOptions} options
   */
  constructor(WebSocketServer, options) {
    this.peerId = options.peerId
    this.#opts = {
      maxClients: options.maxClients ?? 1024,
      maxPayload: options.maxPayload ?? 256 * 1024,
      helloTimeout: options.helloTimeout ?? 10000,
      maxBufferedBytes: options.maxBufferedBytes ?? 16 << 20
    }
    this.#limiter = new RateLimiter(options.rateLimit ?? { messages: 4000, bytes: 64 << 20 })
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: this.#opts.maxPayload, perMessageDeflate: false })
    this.#wss.on('connection', (/** @type {any} */ socket) => this.#accept(socket))
    this.#ping = setInterval(() => this.#sweep(), options.pingInterval ?? 15000)
    this.#ping.unref?.()
  }

  /** @returns {number} sockets open now (with or without hello) */
  get clients() {
    return this.#clients.size
  }

  /**
   * Takes over an HTTP upgrade request (node:http 'upgrade').
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:stream').Duplex} socket
   * @param {Buffer} head
   */
  handleUpgrade(req, socket, head) {
    this.#wss.handleUpgrade(req, socket, head, (/** @type {any} */ ws) => this.#wss.emit('connection', ws, req))
  }

  /** @returns {string[]} the clients that said hello */
  peers() {
    return [...this.#byId.keys()]
  }

  /** @param {string} peerId @param {string} data */
  send(peerId, data) {
    const c = this.#byId.get(peerId)
    if (c) this.#write(c, dataFrame('<', this.peerId, data))
  }

  /** @param {string} data */
  broadcast(data) {
    const frame = dataFrame('<', this.peerId, data)
    for (const c of this.#byId.values()) this.#write(c, frame)
  }

  /** @type {import('../transport/transport.js').Transport['on']} */
  on(event, fn) {
    return this.#events.on(event, fn)
  }

  /** Closes every socket (clients reconnect to whoever listens next). */
  close() {
    clearInterval(this.#ping)
    for (const c of [...this.#clients]) c.socket.terminate()
    this.#wss.close()
  }

  /** @param {any} socket */
  #accept(socket) {
    if (this.#clients.size >= this.#opts.maxClients) {
      this.stats.refused++
      return socket.close(CLOSE_FULL, 'hub full')
    }
    /** @type {Client} */
    const c = { socket, id: null, alive: true, hello: null }
    this.#clients.add(c)
    c.hello = setTimeout(() => c.id === null && this.#refuse(c, CLOSE_NO_HELLO, 'no hello'), this.#opts.helloTimeout)
    socket.on('pong', () => (c.alive = true))
    socket.on('message', (/** @type {Buffer} */ data, /** @type {boolean} */ binary) => {
      if (binary) return this.#refuse(c, CLOSE_BAD_FRAME, 'binary frame')
      this.#receive(c, data.toString('utf8'), data.length)
    })
    socket.on('error', () => {})
    socket.on('close', () => this.#leave(c))
  }

  /** @param {Client} c @param {string} text @param {number} bytes */
  #receive(c, text, bytes) {
    this.stats.framesIn++
    this.stats.bytesIn += bytes
    const frame = parseFrame(text)
    if (frame === null) return this.#refuse(c, CLOSE_BAD_FRAME, 'bad frame')
    if (c.id === null) return this.#hello(c, frame)
    if (frame.kind === 'to') {
      if (!this.#limiter.allow(c.id, bytes)) return void this.stats.dropped++
      if (frame.peer === this.peerId) return this.#events.emit('message', { from: c.id, data: frame.payload })
      const to = this.#byId.get(frame.peer)
      if (!to) return void this.stats.dropped++
      this.stats.relayed++
      return this.#write(to, dataFrame('<', c.id, frame.payload))
    }
    if (frame.kind === 'broadcast') {
      if (frame.payload.length > MAX_BROADCAST_CHARS || !this.#limiter.allow(c.id, bytes * this.#byId.size)) {
        return void this.stats.dropped++
      }
      this.#events.emit('message', { from: c.id, data: frame.payload })
      const out = dataFrame('<', c.id, frame.payload)
      for (const other of this.#byId.values()) if (other !== c) this.#write(other, out)
      return
    }
    this.#refuse(c, CLOSE_BAD_FRAME, 'unexpected frame')
  }

  /** @param {Client} c @param {import('../transport/websocket-frames.js').Frame} frame */
  #hello(c, frame) {
    const id = frame.kind === 'control' ? frame.control.hello : undefined
    if (!isFramePeerId(id) || frame.kind !== 'control' || frame.control.v !== HUB_PROTOCOL_VERSION) {
      return this.#refuse(c, CLOSE_BAD_FRAME, 'expected hello')
    }
    if (id === this.peerId || this.#byId.has(id)) return this.#refuse(c, CLOSE_ID_TAKEN, 'peer id in use')
    if (c.hello) clearTimeout(c.hello)
    c.id = id
    this.#write(c, controlFrame({ welcome: this.peerId, v: HUB_PROTOCOL_VERSION, peers: [...this.#byId.keys()] }))
    const joined = controlFrame({ joined: id })
    for (const other of this.#byId.values()) this.#write(other, joined)
    this.#byId.set(id, c)
    this.#events.emit('peer-joined', { peerId: id })
  }

  /** @param {Client} c */
  #leave(c) {
    if (!this.#clients.delete(c)) return
    if (c.hello) clearTimeout(c.hello)
    if (c.id === null || this.#byId.get(c.id) !== c) return
    this.#byId.delete(c.id)
    this.#limiter.forget(c.id)
    const left = controlFrame({ left: c.id })
    for (const other of this.#byId.values()) this.#write(other, left)
    this.#events.emit('peer-left', { peerId: c.id })
  }

  /** @param {Client} c @param {number} code @param {string} why */
  #refuse(c, code, why) {
    this.stats.refused++
    c.socket.close(code, why)
    this.#leave(c)
  }

  /** @param {Client} c @param {string} frame */
  #write(c, frame) {
    const socket = c.socket
    if (socket.readyState !== 1 || socket.bufferedAmount > this.#opts.maxBufferedBytes) return void this.stats.dropped++
    this.stats.framesOut++
    this.stats.bytesOut += frame.length
    socket.send(frame)
  }

  /** Every pingInterval: a socket that did not answer the last ping is dead. */
  #sweep() {
    const ping = controlFrame({ ping: 1 })
    for (const c of [...this.#clients]) {
      if (!c.alive) {
        c.socket.terminate()
        this.#leave(c)
        continue
      }
      c.alive = false
      c.socket.ping()
      if (c.id !== null) this.#write(c, ping)
    }
  }
}
