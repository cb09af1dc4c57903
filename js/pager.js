// Pager: the asynchronous half of the paging loop. The engine names the page
// it needs or the dirty pages it holds; the pager moves bytes between the
// backend and the engine. All calls come from the store's serial queue, so
// at most one flush is ever in flight (the engine's precondition).
import { StatusCode, errorFromStatus } from './errors.js'
import { logger } from './log.js'

const log = logger('pager')

export class Pager {
  /**
   * @param {import('./engine/wasm-engine.js').WasmEngine} engine
   * @param {object} backend see persistence/memory.js
   * @param {(err: Error) => void} onError
   */
  constructor(engine, backend, onError) {
    this.engine = engine
    this.backend = backend
    this.onError = onError
    this.pageLoads = 0
    this.flushes = 0
    this.lastSave = null
    this.onSaved = () => {}
  }

  /** Brings one page into the engine. A page that fails to load is marked
   *  corrupt by the engine (its keys then answer CORRUPT); that is reported,
   *  not thrown, so the operation can finish for every other key. */
  load(pageId) {
    return this.loadMany([pageId])
  }

  /** Brings several pages in with one backend read. REQUIRES: no more ids
   *  than the page budget can hold beside the pages in use. */
  async loadMany(ids) {
    if (this.engine.overBudget() && this.engine.hasDirtyPages()) await this.flush()
    const found = await this.backend.readPages(ids)
    for (const id of ids) {
      const status = this.engine.loadPage(id, found.get(id) ?? new Uint8Array(0))
      this.pageLoads++
      if (status.code !== StatusCode.OK) {
        const err = errorFromStatus(status.code, `page ${id}: ${status.message}`)
        log('load failed %o', err)
        this.onError(err)
      }
    }
  }

  /** Writes every dirty page, the pages merged away and the engine state in
   *  one backend batch. If the backend throws, nothing is marked clean. */
  async flush() {
    if (!this.engine.hasDirtyPages()) return false
    const batch = this.engine.collectFlush()
    try {
      await this.backend.writeBatch(batch)
    } catch (err) {
      // Nothing is marked clean: the pages stay dirty for the next try.
      this.onError(err)
      throw err
    }
    this.engine.commitFlush()
    this.onSaved()
    this.flushes++
    this.lastSave = Date.now()
    log('flushed %d pages, deleted %d', batch.pages.length, batch.deleted.length)
    return true
  }

  /** After an operation: back within the page budget. A failed flush was
   *  reported by flush() and is retried later; the operation itself already
   *  succeeded. */
  async afterOp() {
    if (!this.engine.overBudget()) return
    try {
      await this.flush()
    } catch {
      // reported
    }
  }
}
