// Room: what the store tries before it refuses writes for lack of space.
// Deletes taken since a save failed for lack of space are saved first (the
// pager stores pages that shrank before those that grew, so their old bytes
// go), and a store without peers first purges every tombstone, whatever its
// age; then the refused writes are admitted once more.

/** @typedef {import('../engine/wasm-engine.js').WasmEngine} WasmEngine */

export class Room {
  #engine
  #pager
  #admission
  #purgeAll
  #purgeWhenFull
  // Deletes were taken since a save failed for lack of space.
  #deletedSinceFull = false

  /**
   * @param {{ engine: WasmEngine, pager: import('./pager.js').Pager,
   *           admission: import('./admission.js').Admission,
   *           purgeAll: () => Promise<unknown>, purgeWhenFull: boolean }} parts
   *   purgeAll: removes every tombstone (a queued-task-internal compact);
   *   purgeWhenFull: the store has no peers, so it may
   */
  constructor({ engine, pager, admission, purgeAll, purgeWhenFull }) {
    this.#engine = engine
    this.#pager = pager
    this.#admission = admission
    this.#purgeAll = purgeAll
    this.#purgeWhenFull = purgeWhenFull
  }

  /** The store has joined a network: its tombstones must reach peers, so
   *  none is purged before its grace period from now on. */
  withPeers() {
    this.#purgeWhenFull = false
  }

  /** @returns {boolean} making room may let refused writes in */
  worthTrying() {
    return this.#deletedSinceFull || this.#purgeable()
  }

  /** @param {unknown[]} admitted the writes of a run that were taken */
  noteAdmitted(admitted) {
    // While space is lacking only deletes are admitted.
    if (admitted.length > 0 && this.#admission.quotaBlocked) this.#deletedSinceFull = true
  }

  /** Saves what the deletes freed, after purging when allowed. A failed
   *  save is reported (and noted by the admission) by the pager. */
  async make() {
    this.#deletedSinceFull = false
    if (this.#purgeable()) await this.#purgeAll()
    await this.#pager.flush().catch(() => {})
    this.#admission.notePages(this.#engine.stats().pages)
  }

  #purgeable() {
    return this.#purgeWhenFull && this.#engine.stats().tombstones > 0
  }
}
