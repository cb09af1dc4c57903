// Types of paging-storage/server (js/server/serve.js): the server peer, Node only.
import type { PagingStorage, PagingStorageOptions } from '../index.js'

export interface HubOptions {
  /** Sockets open at once. @default 1024 */
  maxClients?: number
  /** Per client per second; frames past it are dropped. @default { messages: 4000, bytes: 67108864 } */
  rateLimit?: { messages: number; bytes: number }
  /** Bytes per WebSocket frame. @default 262144 */
  maxPayload?: number
  /** ms a new socket has to say hello. @default 10000 */
  helloTimeout?: number
  /** ms between keep-alive pings. @default 15000 */
  pingInterval?: number
  /** Bytes queued on one socket past which frames to it are dropped. @default 16777216 */
  maxBufferedBytes?: number
}

export interface ServerOptions {
  /** Where the store keeps its files (made when missing). */
  dir: string
  /** @default '127.0.0.1' */
  host?: string
  /** HTTP + WebSocket port; 0: any free one. @default 4000 */
  port?: number
  /** Other server peers' ws:// addresses to join. @default [] */
  join?: string[]
  /** Also run a PeerPigeon signaling server: true on port + 1, or on the port given. @default false */
  signaling?: boolean | number
  /** Its replication role: 'full' holds every key; 1..16 is its ring weight (a share that many times a browser's). @default 'full' */
  role?: 'full' | number
  /** Pages held in memory. @default 4096 */
  maxMemoryPages?: number
  /** The store's name in dir. @default 'paging-storage-server' */
  persistenceKey?: string
  /** Further PagingStorage options (persistence and the transport are set by the server). */
  storage?: Omit<PagingStorageOptions, 'persistence' | 'pigeon' | 'transport' | 'ringWeight' | 'durableAcks'>
  hub?: HubOptions
}

export interface Server {
  /** ws://host:port, what browsers list in `servers`. */
  readonly url: string
  /** http://host:port (/health, /metrics). */
  readonly httpUrl: string
  readonly signalingUrl: string | null
  /** The server store's peer id, kept in dir across restarts. */
  readonly peerId: string
  readonly storage: PagingStorage
  /** Stops listening, flushes and closes the store. */
  close(): Promise<void>
}

/** Opens the store in dir, then listens. Throws PagingStorageError INVALID_ARGUMENT, LOCKED, IO_ERROR. */
export function startServer(options: ServerOptions): Promise<Server>
