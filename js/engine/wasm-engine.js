// WasmEngine: the engine's batch-shaped calls as JavaScript values (records,
// answers, page ids); the bytes stay inside js/engine/. It owns the embind
// EngineHandle (the only class that does) and deletes it in close().
//
// Synchronous, and it never waits: an operation that needs a page that is
// not resident says so (NOT_RESIDENT + the page id) and the caller
// (js/store/paging-driver.js) loads it and resumes. A method makes at most
// one engine call (encodeOps and scanStart only encode); what the store's
// serial queue serializes is operations that span several calls.
import { PagingStorageError, StatusCode, errorFromStatus } from '../core/errors.js'
import {
  decodeClock,
  decodeFlush,
  decodeIds,
  decodeLooked,
  decodePurged,
  decodeResults,
  decodeScanned,
  decodeValues,
  encodeIds,
  encodeKeys,
  encodePurgeRequest,
  encodeRecords,
  encodeScan
} from './codec.js'
import { CallBuffers } from './call-buffers.js'
import { callAt, callFrom, encodeOps } from './op-batch.js'
import { RingView } from './ring.js'
import { decodeSynced, encodeSyncRequest } from './sync-codec.js'
import { Writer } from './wire.js'

// Pages per listPages call (~150 bytes of JSON each).
const LIST_PAGES_PER_CALL = 4096

/**
 * @typedef {object} EngineConfig
 * @property {string} peerId
 * @property {number} pageSize bytes
 * @property {number} splitThreshold bytes
 * @property {number} mergeThreshold bytes
 * @property {number} maxMemoryPages the page budget
 * @property {number} [writeBufferPages] of the budget, for the write path's
 *   buffer (Options::write_buffer_pages; 0 or absent: off)
 * @property {number} maxKeyBytes
 * @property {number} maxValueBytes
 * @property {number} [maxClockDrift] ms a version may be stamped past the wall
 *   clock: merges beyond are refused and a stored clock beyond recovers
 *   (cpp/src/clock_bound.h); 0 or absent: no bound
 * @property {number} virtualNodes ring tokens per member
 */

/** @typedef {import('./op-batch.js').EncodedOps} EncodedOps */

/**
 * @param {{code: number, message: string}} status
 * @param {string} what
 */
function check(status, what) {
  if (status.code !== StatusCode.OK) throw errorFromStatus(status.code, `${what}: ${status.message}`)
}

export class WasmEngine {
  #module
  /** @type {any} the embind EngineHandle; null once closed */
  #handle
  #config
  // Reused encode buffers (embind copies their bytes during each call).
  // INVARIANT: an EncodedOps stays valid until the next encodeOps; the
  // store's serial queue runs one write run at a time.
  #opsWriter = new Writer(4096)
  #keysWriter = new Writer(1024)
  // The handle's staging and reply buffers.
  #buffers

  /**
   * @param {any} module the Emscripten module (engine/load-module.js)
   * @param {EngineConfig} config
   * @param {{state: Uint8Array, records: Uint8Array[]} | null} manifest what
   *   the backend stored, or null for a new store
   * @throws {PagingStorageError} when the manifest is corrupt or the options refused
   */
  constructor(module, config, manifest) {
    this.#module = module
    this.#config = config
    this.#buffers = new CallBuffers(module)
    this.#handle = new module.EngineHandle()
    const json = JSON.stringify({
      peerId: config.peerId,
      pageSize: config.pageSize,
      splitThreshold: config.splitThreshold,
      mergeThreshold: config.mergeThreshold,
      maxMemoryPages: config.maxMemoryPages,
      writeBufferPages: config.writeBufferPages ?? 0,
      maxKeyBytes: config.maxKeyBytes,
      maxValueBytes: config.maxValueBytes,
      maxClockDriftMs: config.maxClockDrift ?? 0,
      openWallMs: Date.now()
    })
    try {
      if (manifest) {
        const w = new Writer(1024)
        encodeRecords(w, manifest.records)
        check(this.#handle._open(json, manifest.state, w.finish()), 'open')
      } else {
        check(this.#handle._create(json), 'create')
      }
    } catch (err) {
      this.#handle.delete()
      throw err
    }
  }

  // ---- writes ----

  /**
   * @param {readonly import('./codec.js').WriteOp[]} ops
   * @returns {EncodedOps} valid until the next call
   */
  encodeOps(ops) {
    return encodeOps(this.#opsWriter.reset(), ops)
  }

  /**
   * Applies the ops of one call (op-batch.js) from ops[from] on, in order. An
   * op whose page is not resident is skipped, its result NOT_RESIDENT with
   * the `page` it waits for; every later op on that page is skipped too (no
   * page loads during a call), so applying the skipped ops later, in order,
   * keeps each key's writes in order.
   * @param {EncodedOps} ops
   * @param {number} from index of the first op to apply
   * @param {number} wallMs the wall clock, for the HLC
   * @param {boolean} withVersions decode each result's version (costs time)
   * @returns {{ overBudget: boolean, pages: number, results: import('./codec.js').WriteResult[] }}
   *   one result per op applied, from `from` on
   * @throws {PagingStorageError} INTERNAL when the engine refuses the batch itself
   */
  applyOps(ops, from, wallMs, withVersions) {
    const { bytes, count } = callFrom(ops, from)
    return this.#apply(bytes, count, wallMs, withVersions)
  }

  /**
   * applyOps() for the ops named, in the order named: those of one call,
   * from the first.
   * @param {EncodedOps} ops
   * @param {readonly number[]} indices
   * @param {number} wallMs
   * @param {boolean} withVersions
   * @returns {ReturnType<WasmEngine['applyOps']>} one result per op applied,
   *   for indices[0 .. results.length)
   */
  applyOpsAt(ops, indices, wallMs, withVersions) {
    const { bytes, count } = callAt(ops, indices)
    return this.#apply(bytes, count, wallMs, withVersions)
  }

  /**
   * @param {Uint8Array} bytes wire `ops`, `count` of them
   * @param {number} count
   * @param {number} wallMs
   * @param {boolean} withVersions
   */
  #apply(bytes, count, wallMs, withVersions) {
    const r = decodeResults(this.#buffers.reply(this.#staged(bytes)._applyBatch(wallMs, true)), withVersions, this.#config.peerId)
    if (r.code !== StatusCode.OK) {
      throw new PagingStorageError('INTERNAL', `batch rejected: ${r.results[0]?.message}`)
    }
    if (r.results.length !== count) {
      throw new PagingStorageError('INTERNAL', `batch of ${count} ops answered ${r.results.length}`)
    }
    return { overBudget: r.overBudget, pages: r.pages, results: r.results }
  }

  // ---- reads ----

  /**
   * Live values. @param {readonly string[]} keys
   * @returns {{ overBudget: boolean, answers: import('./codec.js').ReadAnswer[] }} one per key
   */
  getMany(keys) {
    const w = this.#keysWriter.reset()
    encodeKeys(w, keys)
    return decodeValues(this.#buffers.reply(this.#staged(w.finish())._getMany()))
  }

  /**
   * Stored records, tombstones included (answers carry `record`).
   * @param {readonly string[]} keys
   * @returns {{ overBudget: boolean, answers: import('./codec.js').ReadAnswer[] }} one per key
   */
  lookupMany(keys) {
    const w = this.#keysWriter.reset()
    encodeKeys(w, keys)
    return decodeLooked(this.#buffers.reply(this.#staged(w.finish())._lookupMany()), keys)
  }

  /**
   * The scan position of a range query, to hand to scan().
   * @param {import('./codec.js').KeyRange} range
   * @returns {Uint8Array | null} null for an empty range. Opaque outside engine/.
   */
  scanStart(range) {
    return encodeScan(range)
  }

  /**
   * Scans from `position` until the end or a page that is not resident.
   * @param {Uint8Array} position from scanStart() or a previous `resume`
   * @returns {ReturnType<typeof decodeScanned>} records in scan order;
   *   code NOT_RESIDENT: load missingPage, then scan from `resume`
   */
  scan(position) {
    return decodeScanned(this.#buffers.reply(this.#staged(position)._scan()))
  }

  /**
   * Anti-entropy digests or entries of the records this peer shares with
   * others on `ring` (see paging_storage/sync_scan.h), from key `start`.
   * @param {RingView} ring
   * @param {{ rf: number, self: number, start: string,
   *           queries: readonly import('./sync-codec.js').SyncQuery[] }} request
   *   self and queries[].peer are member indices on `ring`
   * @returns {ReturnType<typeof decodeSynced>}
   */
  syncScan(ring, request) {
    return decodeSynced(this.#staged(encodeSyncRequest(request))._syncScan(ring.handle()), request.queries)
  }

  /**
   * Non-resident page ids a scan that stopped at `first` reads next, in key
   * order (Engine::PagesAhead).
   * @param {number} first
   * @param {number} limit at most this many
   * @param {boolean} descending
   * @returns {number[]}
   */
  pagesAhead(first, limit, descending) {
    return decodeIds(this.#live()._pagesAhead(first, limit, descending))
  }

  // ---- paging ----

  /**
   * @param {number} id
   * @param {Uint8Array} bytes what the backend stored (empty when missing)
   * @returns {{code: number, message: string}} CORRUPTION marks the page corrupt
   */
  loadPage(id, bytes) {
    return this.#staged(bytes)._loadPage(id)
  }

  /**
   * Every dirty page, the pages merged away and the engine state; kept by
   * the engine until commitFlush(). REQUIRES: no other flush in flight.
   * @returns {{ state: Uint8Array, pages: Array<{id: number, bytes: Uint8Array, record: Uint8Array}>,
   *             deleted: number[] }}
   */
  collectFlush() {
    return decodeFlush(this.#live()._collectFlush())
  }

  /**
   * Flush families with something to store (Engine::FlushFamilies), fewest
   * dirty bytes first: each can be stored alone with collectFlushOf().
   * @returns {number[]} the id of the page that starts each family
   */
  flushFamilies() {
    return decodeIds(this.#live()._flushFamilies())
  }

  /**
   * collectFlush() of the families named only: their dirty pages, their
   * pages merged away, and an engine state that matches what the backend
   * holds once the batch is written. The other families stay dirty.
   * @param {number[]} families ids from flushFamilies()
   * @returns {ReturnType<WasmEngine['collectFlush']>}
   */
  collectFlushOf(families) {
    return decodeFlush(this.#live()._collectFlushOf(encodeIds(families)))
  }

  /** The last collectFlush() is stored: its pages become clean. */
  commitFlush() {
    this.#live()._commitFlush()
  }

  /**
   * Removes tombstones older than `horizon` from key `start` on
   * (Engine::PurgeTombstones), as far as their pages are resident.
   * @param {string} horizon an hlc: tombstones stamped before it go
   * @param {string} start the key to resume from ('' first)
   * @param {number} want at most this many pages to name when it stops
   * @returns {ReturnType<typeof decodePurged>}
   */
  purgeTombstones(horizon, start, want) {
    return decodePurged(this.#live()._purgeTombstones(encodePurgeRequest({ horizon, want, start })))
  }

  /**
   * Pages to load so that merges waiting for a neighbour complete, grouped
   * per merge (Engine::PagesWantedForMerges).
   * @returns {number[]}
   */
  pagesWantedForMerges() {
    return decodeIds(this.#live()._pagesWantedForMerges())
  }

  /**
   * The pages a due compaction pass of the write path loads next, at most
   * `limit` (Engine::PagesWantedForCompaction); empty when none is due or
   * the pass is over. Marks dirty the resident pages the pass stores.
   * @param {number} limit
   * @param {boolean} [bulk] also due when the runs hold
   *   a sixteenth of the pages
   * @returns {number[]}
   */
  pagesWantedForCompaction(limit, bulk = false) {
    return decodeIds(this.#live()._pagesWantedForCompaction(limit, bulk))
  }

  /**
   * @param {boolean} [bulk] also when the runs hold a sixteenth of the pages
   *   (Engine::CompactionDue)
   * @returns {boolean} a compaction pass is due or under way
   */
  compactionDue(bulk = false) {
    return this.#live()._compactionDue(bulk)
  }

  /** @returns {boolean} writes should wait for a whole compaction pass
   *  (Engine::WriteStall) */
  writeStall() {
    return this.#live()._writeStall()
  }

  /**
   * Lets the pages that failed to load be read again (Engine::RetryCorruptPages):
   * their next access answers NOT_RESIDENT once more.
   * @returns {number} how many pages are corrupt
   */
  retryCorruptPages() {
    return this.#live()._retryCorruptPages()
  }

  /** @returns {number} clean pages dropped from memory */
  evictAllClean() {
    return this.#live()._evictAllClean()
  }

  /**
   * @param {number} [incoming] pages about to be loaded
   * @returns {boolean} more pages resident than the budget (once `incoming` are loaded)
   */
  overBudget(incoming = 0) {
    return this.#live()._overBudget(incoming)
  }

  /**
   * Whether a flush would store something (Engine::HasDirtyPages).
   * @param {boolean} [makeRoom] for a flush that only makes room in the page
   *   budget: dirty pages, or a full write buffer (Engine::FlushPurpose)
   * @returns {boolean}
   */
  hasDirtyPages(makeRoom = false) {
    return this.#live()._hasDirtyPages(makeRoom)
  }

  // ---- introspection ----

  /** @returns {string} the engine's clock: the greatest HLC issued or seen */
  clock() {
    return decodeClock(this.#live()._clock())
  }

  /**
   * Opaque text kept with the engine state (Engine::SetUserData): stored by
   * the next flush (hasDirtyPages() is true until then).
   * @param {string} text at most 1024 bytes in UTF-8
   * @throws {PagingStorageError} INVALID_ARGUMENT when longer
   */
  setUserData(text) {
    const code = this.#live()._setUserData(text)
    if (code !== StatusCode.OK) throw errorFromStatus(code, 'user data longer than 1024 bytes')
  }

  /** @returns {string} the user data ('' for a store that never set any) */
  userData() {
    return this.#live()._userData()
  }

  /** @returns {any} Engine::StatsJson as an object */
  stats() {
    return JSON.parse(this.#live()._stats())
  }

  /**
   * One summary per page (Engine::ListPages), in key order, read in parts of
   * LIST_PAGES_PER_CALL so that no engine answer holds them all.
   * @returns {any[]}
   */
  listPages() {
    const pages = []
    let from = ''
    for (;;) {
      const part = JSON.parse(this.#live()._listPages(from, LIST_PAGES_PER_CALL))
      for (const p of part) pages.push(p)
      if (part.length < LIST_PAGES_PER_CALL) return pages
      // The first key after the last lower bound listed.
      from = part[part.length - 1].lowerKey + '\u0000'
    }
  }

  /** @returns {{code: number, message: string}} */
  checkInvariants() {
    return this.#live()._checkInvariants()
  }

  /**
   * A ring view over `members` with this store's virtualNodes.
   * @param {readonly string[]} members sorted by compareKeys
   * @param {readonly number[] | null} [weights] one per member (RingView)
   * @returns {RingView} the caller holds its one reference
   */
  ring(members, weights = null) {
    return new RingView(this.#module, members, this.#config.virtualNodes, weights)
  }

  /** @returns {boolean} */
  get closed() {
    return this.#handle === null
  }

  close() {
    if (this.#handle !== null) {
      this.#handle.delete()
      this.#handle = null
    }
  }

  /**
   * The handle, once a call's input bytes are staged (call-buffers.js).
   * @param {Uint8Array} bytes
   * @returns {any} the embind EngineHandle
   */
  #staged(bytes) {
    const handle = this.#live()
    this.#buffers.stage(handle, bytes)
    return handle
  }

  #live() {
    if (this.#handle === null) throw new PagingStorageError('CLOSED', 'the store was shut down')
    return this.#handle
  }
}
