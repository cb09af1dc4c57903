// StoreRuns: what one coalesced run of LocalStore's serial queue does. A run
// of writes: backpressure from the write path, disk-budget admission (and
// making room once before a refusal), the write operation, and the
// 'applied' announcement. A run of reads: after a bulk load, a large read
// first has a compaction pass apply the buffered runs.
import { appliedWrites } from './applied-writes.js'
import { ReadOperation, WriteOperation } from './operations.js'

/** @typedef {import('./local-store.js').StoreWrite} StoreWrite */

/**
 * What the runs use of the open store (each getter valid once it is open).
 * @typedef {object} RunsHost
 * @property {() => import('../engine/wasm-engine.js').WasmEngine} engine
 * @property {() => import('./pager.js').Pager} pager
 * @property {() => Promise<void>} flushAll the store's flush(), inside a
 *   queued task: a pass after a bulk load, then a save
 * @property {() => import('./admission.js').Admission} admission
 * @property {() => import('./room.js').Room} room
 * @property {import('./run-compaction.js').RunCompaction} compaction
 * @property {<R>(op: import('./paging-driver.js').Operation<R>) => R | Promise<R>} run
 *   runs an operation with the store's paging driver
 * @property {import('../core/emitter.js').Emitter} events 'applied' goes there
 * @property {number} maxMemoryPages the page budget
 */

export class StoreRuns {
  #host

  /** @param {RunsHost} host */
  constructor(host) {
    this.#host = host
  }

  /**
   * One coalesced run of writes.
   * @param {StoreWrite[]} ops
   * @param {boolean} [retried] room was made once for this run already
   * @returns {import('../engine/codec.js').WriteResult[] | Promise<import('../engine/codec.js').WriteResult[]>}
   *   one per op, in order (refusals as QUOTA_EXCEEDED results)
   */
  writes(ops, retried = false) {
    const host = this.#host
    const engine = host.engine()
    if (engine.writeStall()) {
      // Stores the pages the passes applied runs to, which drops those runs.
      const store = () => host.pager().flush({ makeRoom: true })
      return host.compaction.beforeWrites(store).then(() => this.writes(ops, retried))
    }
    const admission = host.admission()
    const { admitted, refused } = admission.admit(ops)
    const room = host.room()
    if (refused !== null && !retried && room.worthTrying()) return room.make().then(() => this.writes(ops, true))
    room.noteAdmitted(admitted)
    const announce = host.events.has('applied')
    const op = new WriteOperation(engine, engine.encodeOps(admitted), Date.now(), announce)
    const finish = () => {
      if (op.done > 0) admission.notePages(op.pages)
      const results = admission.withRefusals(op.result, refused)
      if (announce) {
        const applied = appliedWrites(ops, results)
        if (applied.length > 0) host.events.emit('applied', applied)
      }
      return results
    }
    const done = host.run(op)
    return done instanceof Promise ? done.then(finish) : finish()
  }

  /**
   * One coalesced run of reads of live values.
   * @param {string[]} keys
   * @param {boolean} [passed] a pass ran for this read already
   * @returns {import('../engine/codec.js').ReadAnswer[] | Promise<import('../engine/codec.js').ReadAnswer[]>}
   *   one per key
   */
  reads(keys, passed = false) {
    const host = this.#host
    // After a bulk load, a large read first has a pass apply the runs (once,
    // in key order) and a save drop them; a small one has that done in the
    // background.
    if (!passed && keys.length >= host.maxMemoryPages && host.engine().compactionDue(true)) {
      return host.flushAll().then(() => this.reads(keys, true))
    }
    const done = host.run(new ReadOperation(keys, (ks) => host.engine().getMany(ks)))
    if (done instanceof Promise) host.compaction.soon(true)
    return done
  }
}
