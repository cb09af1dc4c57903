// The published types (js/index.d.ts, what `import 'paging-storage'` gives
// TypeScript users) checked against the implementation (the JSDoc types of
// js/, which tsc infers here with allowJs): every declared member exists in
// the implementation with a compatible type, and the implementation has no
// public member the declarations leave out. `tsc -p tests/types` fails
// otherwise.
import type * as Declared from 'paging-storage'

import { PagingStorage as ImplPagingStorage } from '../../js/api/paging-storage.js'
import { PagingStorageError as ImplError } from '../../js/core/errors.js'
import { compareKeys as implCompareKeys, keyMatcher as implKeyMatcher } from '../../js/core/keys.js'
import { IndexedDBBackend as ImplIndexedDB } from '../../js/persistence/indexeddb.js'
import { LocalStorageBackend as ImplLocalStorage } from '../../js/persistence/localstorage.js'
import { MemoryBackend as ImplMemory } from '../../js/persistence/memory.js'
import { PeerPigeonTransport as ImplPigeon } from '../../js/transport/peerpigeon.js'
import { SimulatedNetwork as ImplNetwork } from '../../js/transport/simulated-network.js'
import { CombinedTransport as ImplCombined } from '../../js/transport/combined.js'
import { WebSocketTransport as ImplWebSocket } from '../../js/transport/websocket.js'
import type * as DeclaredServer from 'paging-storage/server'
import { startServer as implStartServer } from '../../js/server/serve.js'

/** Compiles only when A and B hold the same keys. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { onlyDeclared: Exclude<keyof A, keyof B>; onlyImplemented: Exclude<keyof B, keyof A> }

type Impl = InstanceType<typeof ImplPagingStorage>

// Members: the same names on both sides.
export const sameMembers: SameKeys<Declared.PagingStorage, Impl> = true

// Types: the implementation is usable wherever the declaration is.
declare const impl: Impl
export const asDeclared: Declared.PagingStorage = impl
export const constructs: new (options?: Declared.PagingStorageOptions) => Declared.PagingStorage = ImplPagingStorage

// The other exports.
export const error: new (code: Declared.PagingStorageErrorCode, message: string) => Declared.PagingStorageError = ImplError
export const compare: typeof Declared.compareKeys = implCompareKeys
export const matcher: typeof Declared.keyMatcher = implKeyMatcher
export const memory: new () => Declared.PersistenceBackend = ImplMemory
export const indexedDB: new (key: string) => Declared.PersistenceBackend = ImplIndexedDB
export const localStorageBackend: new (key: string) => Declared.PersistenceBackend = ImplLocalStorage
export const pigeon: new (mesh: unknown) => Declared.Transport = ImplPigeon
export const network: new () => Declared.SimulatedNetwork = ImplNetwork
export const webSocket: new (url: string, options: { peerId: string }) => Declared.WebSocketTransport = ImplWebSocket
export const combined: new (...args: ConstructorParameters<typeof ImplCombined>) => Declared.CombinedTransport = ImplCombined
export const server: (options: DeclaredServer.ServerOptions) => Promise<Omit<DeclaredServer.Server, 'storage'>> = implStartServer
