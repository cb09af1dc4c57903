// Pager: the store's page I/O, between the backend and the engine. The
// engine names the pages it needs or the dirty pages it holds; the pager
// moves their bytes. Called only from the store's serial queue (or its
// synchronous pagehide path), so at most one flush is ever in flight (the
// engine's precondition).
import { StatusCode, errorFromStatus } from '../core/errors.js'
import { logger } from '../core/log.js'
import { toStorageError } from '../persistence/backend.js'

/** @typedef {import('../engine/wasm-engine.js').WasmEngine} WasmEngine */

const log = logger('pager')

export class Pager {
  #engine
  #backend
  #onError
  #onSaved
  #onSaveFailed
  /** Pages loaded from the backend since open. */
  pageLoads = 0
  /** Flushes that stored something. */
  flushes = 0
  /** @type {number | null} ms of the last successful flush */
  lastSave = null

  /**
   * @param {import('../engine/wasm-engine.js').WasmEngine} engine
   * @param {import('../persistence/backend.js').Backend} backend
   * @param {{ onError: (err: Error) => void, onSaved: () => void,
   *           onSaveFailed?: (err: Error) => void }} hooks
   *   onError: a page that failed to load, a flush that failed (the store
   *   reports them); onSaved: a flush stored everything; onSaveFailed: a
   *   flush failed (before onError)
   */
  constructor(engine, backend, { onError, onSaved, onSaveFailed = () => {} }) {
    this.#engine = engine
    this.#backend = backend
    this.#onError = onError
    this.#onSaved = onSaved
    this.#onSaveFailed = onSaveFailed
  }

  /**
   * Brings pages in with one backend read. A page that fails to load is
   * marked corrupt by the engine (its keys then answer CORRUPT); that is
   * reported, not thrown, so the operation can finish for every other key.
   * REQUIRES: no more ids than the page budget holds beside the pages in use.
   * @param {number[]} ids
   */
  async loadMany(ids) {
    /** @type {Map<number, Uint8Array>} */
    let found
    try {
      found = await this.#backend.readPages(ids)
    } catch (err) {
      throw toStorageError(err, 'reading pages')
    }
    for (const id of ids) {
      const status = this.#engine.loadPage(id, found.get(id) ?? new Uint8Array(0))
      this.pageLoads++
      if (status.code !== StatusCode.OK) {
        const err = errorFromStatus(status.code, `page ${id}: ${status.message}`)
        log('load failed %o', err)
        this.#onError(err)
      }
    }
  }

  /**
   * Writes every dirty page, the pages merged away and the engine state in
   * one backend batch. If that batch does not fit (QUOTA_EXCEEDED), the
   * flush families are stored apart, those with the fewest dirty bytes
   * first: pages that shrank (deleted values) give their old bytes back
   * before pages that grew need room. If the backend throws, what it did
   * not store stays dirty for the next try.
   * @param {{ makeRoom?: boolean }} [how] makeRoom: to get back within the
   *   page budget: nothing is written unless that frees memory (dirty pages,
   *   a full write buffer); what is written is everything acknowledged all
   *   the same
   * @returns {Promise<boolean>} whether there was anything to write
   * @throws {import('../core/errors.js').PagingStorageError} what the backend
   *   threw, as QUOTA_EXCEEDED or IO_ERROR (with `cause`), after reporting it
   */
  async flush({ makeRoom = false } = {}) {
    if (!this.#engine.hasDirtyPages(makeRoom)) return false
    try {
      await this.#store(this.#engine.collectFlush())
    } catch (err) {
      /** @type {import('../core/errors.js').PagingStorageError | null} */
      let mapped = toStorageError(err, 'saving pages')
      if (mapped.code === 'QUOTA_EXCEEDED') {
        try {
          if (await this.#storeByFamily()) mapped = null
        } catch (again) {
          mapped = toStorageError(again, 'saving pages')
        }
      }
      if (mapped !== null) {
        this.#onSaveFailed(mapped)
        this.#onError(mapped)
        throw mapped
      }
    }
    this.#onSaved()
    return true
  }

  /** Writes one batch and marks it stored. @param {ReturnType<WasmEngine['collectFlush']>} batch */
  async #store(batch) {
    await this.#backend.writeBatch(batch)
    this.#engine.commitFlush()
    this.flushes++
    this.lastSave = Date.now()
    log('flushed %d pages, deleted %d', batch.pages.length, batch.deleted.length)
  }

  /**
   * After the whole batch did not fit: stores the flush families in groups,
   * halving a group that does not fit, and goes over those left while a
   * pass stores something (each pass frees the old bytes of what it stored).
   * @returns {Promise<boolean>} every family was stored
   * @throws a backend failure other than QUOTA_EXCEEDED
   */
  async #storeByFamily() {
    let left = this.#engine.flushFamilies()
    if (left.length < 2) return false
    // The first pass starts with halves: the whole batch just failed.
    for (let whole = false; ; whole = true) {
      const before = left.length
      left = await this.#storeFamilies(left, whole)
      if (left.length === 0) return true
      if (left.length === before) return false
    }
  }

  /**
   * @param {number[]} families
   * @param {boolean} whole try them in one batch before halving
   * @returns {Promise<number[]>} those that did not fit
   */
  async #storeFamilies(families, whole) {
    if (families.length === 0) return []
    if (whole || families.length === 1) {
      try {
        await this.#store(this.#engine.collectFlushOf(families))
        return []
      } catch (err) {
        if (toStorageError(err, 'saving pages').code !== 'QUOTA_EXCEEDED') throw err
        if (families.length === 1) return families
      }
    }
    const half = Math.ceil(families.length / 2)
    return [...(await this.#storeFamilies(families.slice(0, half), true)), ...(await this.#storeFamilies(families.slice(half), true))]
  }

  /**
   * Before a load of `incoming` pages: when they would not fit beside the
   * resident pages and some of those are dirty, those are written so that
   * the engine may evict them (only clean pages are evicted), rather than
   * evicting the pages just loaded before they are used.
   * @param {number} [incoming]
   * @throws what flush() throws: the load cannot make room
   */
  async makeRoom(incoming = 0) {
    if (this.#engine.overBudget(incoming) && this.#engine.hasDirtyPages(true)) await this.flush({ makeRoom: true })
  }

  /** After an operation: back within the page budget. A failed flush was
   *  reported by flush() and is retried later; the operation itself already
   *  succeeded. */
  async afterOp() {
    if (!this.#engine.overBudget()) return
    try {
      await this.flush({ makeRoom: true })
    } catch {
      // reported
    }
  }
}
