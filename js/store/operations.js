// The store's resumable operations over the engine, each one step at a time
// for the paging driver (store/paging-driver.js): a batch of writes, a read
// of many keys, a range scan, an anti-entropy scan. A step does everything
// the resident pages allow and says which pages it needs next.
import { StatusCode, errorFromStatus } from '../core/errors.js'
import { emptySyncAnswers, mergeSyncAnswers } from '../engine/sync-answers.js'
import { WaitList } from './wait-list.js'

/** @typedef {import('./paging-driver.js').Need} Need */

/**
 * Applies a batch of encoded writes, grouped by page: each step applies every
 * op whose page is resident and sets the others aside by the page they wait
 * for; once pages are loaded, their ops are applied, in order. Each op is
 * encoded once and each page loaded about once per batch, whatever the key
 * order. A key's writes keep their order: the engine skips every op of a
 * page that is not resident (engine/wasm-engine.js applyOps), and the ops
 * set aside for a page are applied before any later op reaches it.
 * result: one WriteResult per op, in op order.
 */
export class WriteOperation {
  #engine
  #ops
  #wallMs
  #withVersions
  // Ops from here on were never tried.
  #next = 0
  /** page id -> indices of ops waiting on it, ascending */
  #waiting = new WaitList()
  /** @type {number[]} ops whose pages were loaded, to apply before any other */
  #ready = []
  /** Ops applied so far. */
  done = 0
  /** Pages in the store after the last call. */
  pages = 0
  /** Over the page budget after the last engine call. */
  overBudget = false
  /** @type {import('../engine/codec.js').WriteResult[]} */
  result

  /**
   * @param {import('../engine/wasm-engine.js').WasmEngine} engine
   * @param {import('../engine/wasm-engine.js').EncodedOps} ops
   * @param {number} wallMs
   * @param {boolean} withVersions
   */
  constructor(engine, ops, wallMs, withVersions) {
    this.#engine = engine
    this.#ops = ops
    this.#wallMs = wallMs
    this.#withVersions = withVersions
    this.result = new Array(ops.count)
  }

  /**
   * @param {number[] | null} loaded
   * @returns {Need | null}
   */
  step(loaded) {
    for (const id of loaded ?? []) {
      const waiting = this.#waiting.take(id)
      if (waiting !== undefined) for (const i of waiting) this.#ready.push(i)
    }
    // First the ops set aside for the pages just loaded: they come before
    // any later op on those pages. A large batch stays within the page
    // budget as it goes: over it between calls, it asks for a flush.
    while (this.#ready.length > 0) {
      const r = this.#engine.applyOpsAt(this.#ops, this.#ready, this.#wallMs, this.#withVersions)
      this.#settle(this.#ready.splice(0, r.results.length), r)
      if (r.overBudget && (this.#ready.length > 0 || this.#next < this.#ops.count)) return { flush: true }
    }
    while (this.#next < this.#ops.count) {
      const from = this.#next
      const r = this.#engine.applyOps(this.#ops, from, this.#wallMs, this.#withVersions)
      this.#next = from + r.results.length
      this.#settle(null, r, from)
      if (r.overBudget && this.#next < this.#ops.count) return { flush: true }
    }
    return this.#waiting.size === 0 ? null : { pages: this.#waiting.need() }
  }

  /**
   * @param {number[] | null} indices the ops of `r`, or null: from `from` on
   * @param {ReturnType<import('../engine/wasm-engine.js').WasmEngine['applyOps']>} r
   * @param {number} [from]
   */
  #settle(indices, r, from = 0) {
    this.pages = r.pages
    this.overBudget = r.overBudget
    const { results } = r
    for (let k = 0; k < results.length; k++) {
      const i = indices === null ? from + k : indices[k]
      const res = results[k]
      if (res.code !== StatusCode.NOT_RESIDENT) {
        this.result[i] = res
        this.done++
        continue
      }
      this.#waiting.add(/** @type {number} */ (res.page), i)
    }
  }
}

/**
 * Reads many keys with one engine call per step; after the first, only the
 * keys waiting on the pages just loaded are asked again.
 * result: one ReadAnswer per key, none NOT_RESIDENT.
 */
export class ReadOperation {
  #keys
  #read
  /** page id -> indices of keys waiting on it */
  #waiting = new WaitList()
  /** @type {number[]} indices of keys to ask again (the engine's answer was full) */
  #again = []
  #started = false
  done = 0
  /** Over the page budget after the last engine call. */
  overBudget = false
  /** @type {import('../engine/codec.js').ReadAnswer[]} */
  result = []

  /**
   * @param {readonly string[]} keys
   * @param {(keys: readonly string[]) => { overBudget: boolean, answers: import('../engine/codec.js').ReadAnswer[] }} read
   *   one engine call (getMany or lookupMany)
   */
  constructor(keys, read) {
    this.#keys = keys
    this.#read = read
  }

  /**
   * @param {number[] | null} loaded
   * @returns {Need | null}
   */
  step(loaded) {
    if (!this.#started) {
      // Every key at once; the answers array becomes the result.
      this.#started = true
      if (this.#keys.length === 0) return null
      const { overBudget, answers } = this.#read(this.#keys)
      this.overBudget = overBudget
      this.result = answers
      for (let i = 0; i < answers.length; i++) this.#settle(i, answers[i])
    } else {
      /** @type {number[]} */
      const indices = []
      for (const id of loaded ?? []) {
        const waiting = this.#waiting.take(id)
        if (waiting !== undefined) for (const i of waiting) indices.push(i)
      }
      if (indices.length > 0) this.#ask(indices)
    }
    // Keys the engine left for later (its answer was full): asked again
    // until each is answered or waits on a page.
    while (this.#again.length > 0) {
      const again = this.#again
      this.#again = []
      this.#ask(again)
    }
    return this.#waiting.size === 0 ? null : { pages: this.#waiting.need() }
  }

  /** @param {number[]} indices keys to ask the engine (one call) */
  #ask(indices) {
    const { overBudget, answers } = this.#read(indices.map((i) => this.#keys[i]))
    this.overBudget = overBudget
    for (let j = 0; j < answers.length; j++) this.#settle(indices[j], answers[j])
  }

  /**
   * @param {number} i the key's index
   * @param {import('../engine/codec.js').ReadAnswer} a its answer
   */
  #settle(i, a) {
    if (a.code !== StatusCode.NOT_RESIDENT) {
      this.result[i] = a
      this.done++
      return
    }
    const page = /** @type {number} */ (a.page)
    if (page === 0) {
      this.#again.push(i)
      return
    }
    this.#waiting.add(page, i)
  }
}

/** Visits a key range in order, handing each record to onRecord. */
export class ScanOperation {
  #engine
  #position
  #onRecord
  #reverse
  #limit
  done = 0
  result = undefined

  /**
   * @param {import('../engine/wasm-engine.js').WasmEngine} engine
   * @param {Uint8Array} position from engine.scanStart()
   * @param {(rec: import('../core/record.js').StoredRecord) => void} onRecord
   * @param {{ reverse?: boolean, limit?: number }} shape the scan's, to fetch the right pages ahead
   */
  constructor(engine, position, onRecord, { reverse = false, limit = 0 }) {
    this.#engine = engine
    this.#position = position
    this.#onRecord = onRecord
    this.#reverse = reverse
    this.#limit = limit
  }

  /** @returns {Need | null} */
  step() {
    let r
    do {
      r = this.#engine.scan(this.#position)
      for (const rec of r.records) this.#onRecord(rec)
      this.done += r.records.length
      if (r.code === StatusCode.OK) return null
      if (r.code !== StatusCode.NOT_RESIDENT) throw errorFromStatus(r.code, r.message)
      this.#position = /** @type {Uint8Array} */ (r.resume)
      // Page 0: the engine's answer was full (it bounds each one); nothing
      // to load, scan on.
    } while (r.missingPage === 0)
    // A bounded scan near its end reads few more pages.
    const near = this.#limit > 0 && this.#limit - this.done < 64
    return { pages: [r.missingPage], ahead: { descending: this.#reverse, most: near ? 1 : Infinity } }
  }
}

/** Anti-entropy digests over every page, merged across page loads. */
// Most ms a sync scan works before it lets the event loop run.
const SLICE_MS = 10

export class SyncScanOperation {
  #engine
  #ring
  #request
  #now
  #sliceStart
  #pausing = false
  done = 0
  /** @type {import('../engine/sync-codec.js').SyncAnswer[]} */
  result

  /**
   * @param {import('../engine/wasm-engine.js').WasmEngine} engine
   * @param {import('../engine/ring.js').RingView} ring held by the caller until the operation ends
   * @param {{ rf: number, self: number, queries: import('../engine/sync-codec.js').SyncQuery[] }} request
   * @param {() => number} [now] ms (a monotonic clock), for the slices
   */
  constructor(engine, ring, request, now = () => performance.now()) {
    this.#now = now
    this.#sliceStart = now()
    this.#engine = engine
    this.#ring = ring
    this.#request = { ...request, start: '' }
    this.result = emptySyncAnswers(request.queries)
  }

  /** @returns {Need | null} */
  step() {
    // Slices of at most about SLICE_MS between pauses, page loads included
    // (a memory backend's loads never leave the event loop): a peer's
    // anti-entropy request never holds this thread long (issue 16).
    if (this.#pausing) {
      this.#pausing = false
      this.#sliceStart = this.#now()
    } else if (this.#now() - this.#sliceStart > SLICE_MS) {
      this.#pausing = true
      return { pause: true }
    }
    const r = this.#engine.syncScan(this.#ring, this.#request)
    mergeSyncAnswers(this.result, r.answers)
    if (r.code === StatusCode.OK) return null
    if (r.code !== StatusCode.NOT_RESIDENT) throw errorFromStatus(r.code, r.message)
    if (r.resume !== this.#request.start) this.done++
    this.#request.start = r.resume
    // No page: the engine's slice is done (engine_handle.cc kSyncScanSliceRecords).
    if (r.missingPage === 0) {
      this.#pausing = true
      return { pause: true }
    }
    return { pages: [r.missingPage], ahead: { descending: false, most: Infinity } }
  }
}

/** Removes the tombstones older than a horizon, page by page. result: how many. */
export class PurgeOperation {
  #engine
  #horizon
  #want
  #start = ''
  done = 0
  result = 0

  /**
   * @param {import('../engine/wasm-engine.js').WasmEngine} engine
   * @param {string} horizon an hlc: tombstones stamped before it go
   * @param {number} want pages to name per stop (the driver loads up to its chunk)
   */
  constructor(engine, horizon, want) {
    this.#engine = engine
    this.#horizon = horizon
    this.#want = want
  }

  /** @returns {Need | null} */
  step() {
    const r = this.#engine.purgeTombstones(this.#horizon, this.#start, this.#want)
    this.result += r.purged
    if (r.code === StatusCode.OK) return null
    if (r.code !== StatusCode.NOT_RESIDENT) throw errorFromStatus(r.code, r.message)
    if (r.purged > 0 || r.resume !== this.#start) this.done++
    this.#start = r.resume
    return { pages: r.missing }
  }
}

/**
 * Completes the merges that wait for a neighbour page to be loaded (pages
 * that shrank, after deletes or a purge). Gives up, rather than loop, when a
 * load brings no merge (a page budget too small to hold both halves).
 */
export class MergeOperation {
  #engine
  #last = ''
  done = 0
  result = undefined

  /** @param {import('../engine/wasm-engine.js').WasmEngine} engine */
  constructor(engine) {
    this.#engine = engine
  }

  /** @returns {Need | null} */
  step() {
    const wanted = this.#engine.pagesWantedForMerges()
    const now = wanted.join(',')
    if (wanted.length === 0 || now === this.#last) return null
    this.#last = now
    this.done++
    return { pages: wanted }
  }
}

/**
 * Steps of the write path's compaction pass (Engine::PagesWantedForCompaction):
 * loads the pages the pass names next, at most `steps` times, so that a long
 * pass runs in several queued tasks with the app's operations in between.
 * result: true once the pass is over (the next flush drops the runs).
 */
export class CompactionOperation {
  #engine
  #limit
  #steps
  #bulk
  done = 0
  result = false

  /**
   * @param {import('../engine/wasm-engine.js').WasmEngine} engine
   * @param {number} limit pages per step
   * @param {number} steps steps at most
   * @param {boolean} [bulk] Engine::PagesWantedForCompaction's
   */
  constructor(engine, limit, steps, bulk = false) {
    this.#engine = engine
    this.#limit = limit
    this.#steps = steps
    this.#bulk = bulk
  }

  /** @returns {Need | null} */
  step() {
    if (this.done >= this.#steps) return null
    const wanted = this.#engine.pagesWantedForCompaction(this.#limit, this.#bulk)
    if (wanted.length === 0) {
      this.result = true
      return null
    }
    this.done++
    return { pages: wanted }
  }
}
