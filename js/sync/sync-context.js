// The types the sync parts share: the context ReplicatedStore builds for
// them (this peer, the current ring, the wire, the local store's operations
// they need) and the sync options. JSDoc types only.

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('../engine/ring.js').RingView} RingView */

/**
 * What the sync parts share: this peer, the current ring, the wire, and the
 * local store's operations they need. Built once by ReplicatedStore.
 * @typedef {object} SyncContext
 * @property {string} selfId
 * @property {number} rf replication factor
 * @property {number} retryInterval ms
 * @property {() => RingView} ring the current ring (take a reference with retain() to keep it across awaits)
 * @property {(peer: string) => boolean} isMember
 * @property {(peer: string, msg: import('./protocol.js').Message) => boolean} send false: not sent (past the peer's outgoing budget)
 * @property {() => number} nextId a fresh request id (put, get, since)
 * @property {(ring: RingView, queries: Array<{peer: string, bits: number, prefix: number, entries: boolean}>)
 *   => Promise<import('../engine/sync-codec.js').SyncAnswer[]>} syncScan answers on `ring`, which it
 *   holds until the scan ends
 * @property {(onRecord: (rec: StoredRecord) => void) => Promise<void>} scanAll every record, tombstones included
 * @property {(keys: string[]) => Promise<Array<StoredRecord | null>>} lookup stored records (null: none)
 * @property {(records: StoredRecord[]) => Promise<void>} merge records from peers, kept where their version wins
 * @property {(err: unknown) => void} reportError a background failure
 * @property {(peer: string, rec: StoredRecord) => void} queue push a record to a peer
 * @property {(peer: string, keys: string[]) => Promise<void>} pushKeys push the stored records of keys
 *   (announced to the peer when they are many: js/sync/incoming.js)
 * @property {(peer: string) => boolean} isPushingTo whether a pushKeys() to the peer is under way
 * @property {(peer: string, n: number) => void} announce tell a peer n records follow (when they are many)
 */

/**
 * Sync options, normalized (api/options.js); tombstoneGracePeriod in ms.
 * @typedef {{ replicationFactor: number, readTimeout: number, tombstoneGracePeriod: number,
 *   maxCachePages: number, pageSize: number,
 *   limits: import('./protocol.js').Limits,
 *   sync: { heartbeatInterval: number, peerTimeout: number, retryInterval: number,
 *           antiEntropyInterval: number, maxClockDrift: number,
 *           rateLimit: { messages: number, bytes: number } },
 *           role?: { weight: number, durable: boolean } }} SyncOptions
 *   role: this peer's ring weight (0 a full replica, 1..16) and whether it
 *   acknowledges puts only once they are on disk (default weight 1, not durable)
 */

export {}
