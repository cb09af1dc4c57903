// Pager: the store's page I/O, between the backend and the engine. The
// engine names the pages it needs or the dirty pages it holds; the pager
// moves their bytes. Called only from the store's serial queue (or its
// synchronous pagehide path), so at most one flush is ever in flight (the
// engine's precondition).
import { StatusCode, errorFromStatus } from '../core/errors.js'
import { logger } from '../core/log.js'
import { toStorageError } from '../persistence/backend.js'

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
   * one backend batch. If the backend throws, nothing is marked clean: the
   * pages stay dirty for the next try.
   * @returns {Promise<boolean>} whether there was anything to write
   * @throws {import('../core/errors.js').PagingStorageError} what the backend
   *   threw, as QUOTA_EXCEEDED or IO_ERROR (with `cause`), after reporting it
   */
  async flush() {
    if (!this.#engine.hasDirtyPages()) return false
    const batch = this.#engine.collectFlush()
    try {
      await this.#backend.writeBatch(batch)
    } catch (err) {
      const mapped = toStorageError(err, 'saving pages')
      this.#onSaveFailed(mapped)
      this.#onError(mapped)
      throw mapped
    }
    this.#engine.commitFlush()
    this.flushes++
    this.lastSave = Date.now()
    this.#onSaved()
    log('flushed %d pages, deleted %d', batch.pages.length, batch.deleted.length)
    return true
  }

  /**
   * Before a load: over the page budget with dirty pages, they are written
   * so that the engine may evict them (only clean pages are evicted).
   * @throws what flush() throws: the load cannot make room
   */
  async makeRoom() {
    if (this.#engine.overBudget() && this.#engine.hasDirtyPages()) await this.flush()
  }

  /** After an operation: back within the page budget. A failed flush was
   *  reported by flush() and is retried later; the operation itself already
   *  succeeded. */
  async afterOp() {
    if (!this.#engine.overBudget()) return
    try {
      await this.flush()
    } catch {
      // reported
    }
  }
}
