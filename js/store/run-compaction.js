// RunCompaction: when the write path's compaction passes run
// (cpp/src/WRITE_PATH.md): a few steps per queued task while a pass is due,
// a whole pass before writes when runs pile up (backpressure), and a pass
// after a bulk load, before an explicit flush or a large read. The passes themselves are
// CompactionOperations run by the store's paging driver.
import { CompactionOperation } from './operations.js'

// Compaction steps per queued task (each loads up to a quarter of the page
// budget), so that the app's operations run in between.
const STEPS_PER_TASK = 8

/**
 * @typedef {object} CompactionHost
 * @property {() => import('../engine/wasm-engine.js').WasmEngine} engine the open engine
 * @property {() => boolean} isOpen
 * @property {<R>(op: import('./paging-driver.js').Operation<R>) => R | Promise<R>} run
 *   runs an operation with the store's paging driver
 * @property {<T>(fn: () => T | Promise<T>) => Promise<T>} task queues fn on the store's serial queue
 * @property {() => void} saveSoon
 * @property {(err: Error) => void} reportError
 */

export class RunCompaction {
  #host
  #chunk
  #queued = false

  /**
   * @param {CompactionHost} host
   * @param {number} maxMemoryPages the page budget
   */
  constructor(host, maxMemoryPages) {
    this.#host = host
    this.#chunk = Math.max(1, Math.floor(maxMemoryPages / 4))
  }

  /**
   * Queues the steps of a due pass (flushes seal runs; past a few, a pass
   * applies them to every page so that the next flush drops them); once the
   * pass is over, a save drops the runs. Failures are reported as 'error'
   * events.
   * @param {boolean} [bulk] after reads that loaded pages: also when the
   *   runs hold a large share of the data (a bulk load), so that pages
   *   apply them once, in key order, instead of each read's pages applying
   *   them and being stored again
   */
  soon(bulk = false) {
    const host = this.#host
    if (this.#queued || !host.isOpen() || !host.engine().compactionDue(bulk)) return
    this.#queued = true
    host
      .task(() => {
        this.#queued = false
        return host.isOpen() ? host.run(new CompactionOperation(host.engine(), this.#chunk, STEPS_PER_TASK, bulk)) : false
      })
      .then(
        (over) => (over ? host.saveSoon() : this.soon()),
        (err) => {
          this.#queued = false
          if (/** @type {any} */ (err)?.code !== 'CLOSED') host.reportError(err)
        }
      )
  }

  /**
   * Backpressure: passes run to their end, each followed by `store` (a save
   * that drops the runs), until writes need not wait. Inside a queued task.
   * @param {() => Promise<unknown>} store
   */
  async beforeWrites(store) {
    const engine = this.#host.engine()
    while (engine.writeStall()) {
      while (!(await this.#host.run(new CompactionOperation(engine, this.#chunk, Infinity)))) {
        // a pass in steps, each loading what the last one named
      }
      await store()
    }
  }

  /**
   * Before an explicit flush, or a large read: a whole pass when the runs
   * hold a large share of the data (a bulk load), so that reads after it
   * load one page per key. A pass already under way applies the runs up to
   * its target only; the runs written since (writes go on while a
   * background pass waits for its pages) take a save, which drops the
   * runs applied, and another pass. Inside a queued task.
   * @param {() => Promise<unknown>} store a save
   */
  async bulkPass(store) {
    const engine = this.#host.engine()
    for (;;) {
      const op = new CompactionOperation(engine, this.#chunk, Infinity, true)
      await this.#host.run(op)
      if (!engine.compactionDue(true)) return
      // Nothing loaded and nothing to store: no step can progress.
      if (op.done === 0 && !engine.hasDirtyPages()) return
      await store()
    }
  }
}
