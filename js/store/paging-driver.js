// PagingDriver: THE paging loop, and the keeper of the page budget. Every
// store operation that may touch pages that are not resident (writes, reads,
// scans, sync scans) is a resumable operation (store/operations.js) that the
// driver runs to its end: it steps the operation with the pages it has; when
// the operation names pages it needs, the driver makes room (a flush when
// over budget with dirty pages), loads them (one backend read) and steps
// again; when the operation asks, and after it ends, it flushes if over
// budget. The pager (store/pager.js) does the I/O the driver decides.
//
// Progress guarantee: the page an operation needs first is loaded LAST, so
// loading the others (prefetch) can never evict it before the next step,
// and that step settles at least the work waiting on it. A page that needs
// another with it (a base page still applying a run page) may take two
// steps; operations name the pages work began waiting on in the last step
// first (store/wait-list.js). An operation that names the same first page
// twice without progress, or makes none in IDLE_STEPS steps in a row, is
// stepped with one page at a time; named the same first page again without
// progress then (or idle for MAX_IDLE_STEPS), it fails with INTERNAL instead
// of looping.
import { PagingStorageError } from '../core/errors.js'

/**
 * What an operation needs before it can go on (a step's answer; null: done).
 *   { pages }           these pages, in the order they are needed
 *   { pages: [p], ahead } page p, and the pages a scan reads after it
 *                       (descending for a reverse scan; at most `most`)
 *   { flush: true }     over the page budget with dirty pages: flush first
 *   { pause: true }     a slice of the work is done: let the event loop run
 *                       (no call holds the thread long), then step again
 * @typedef {{ pages: number[], ahead?: { descending: boolean, most: number } } | { flush: true } | { pause: true }} Need
 */

/**
 * A resumable operation. step(loaded) does all it can with the resident
 * pages (synchronously) and returns what it needs next, or null when it is
 * done; `loaded` names the pages loaded since the last step (null on the
 * first step and after a flush). `done` counts its progress (any unit, never
 * decreasing); `result` is valid once step returned null. `overBudget`,
 * when the operation knows it: whether its last engine call left the engine
 * over the page budget (saves asking the engine again).
 * @template R
 * @typedef {{ step(loaded: number[] | null): Need | null, readonly done: number, readonly result: R,
 *             readonly overBudget?: boolean }} Operation
 */

// Steps without progress before pages are loaded one at a time; and the
// most a run of such steps may last (a key's base page and one run page per
// run: at most 64 runs, WRITE_PATH.md, plus slack).
const IDLE_STEPS = 2
const MAX_IDLE_STEPS = 200

export class PagingDriver {
  #engine
  #pager
  #prefetch
  #chunk

  /**
   * @param {import('../engine/wasm-engine.js').WasmEngine} engine
   * @param {import('./pager.js').Pager} pager
   * @param {number} maxMemoryPages the page budget
   */
  constructor(engine, pager, maxMemoryPages) {
    this.#engine = engine
    this.#pager = pager
    // A scan fetches up to a quarter of the budget ahead; a read loads up to
    // half of it per step: the rest stays for the pages in use and the dirty.
    this.#prefetch = Math.max(1, Math.floor(maxMemoryPages / 4))
    this.#chunk = Math.max(1, Math.floor(maxMemoryPages / 2))
  }

  /**
   * Runs `op` to its end, then back within the page budget.
   * @template R
   * @param {Operation<R>} op
   * @returns {R | Promise<R>} synchronously when no I/O was needed
   */
  run(op) {
    const need = op.step(null)
    if (need === null && !(op.overBudget ?? this.#engine.overBudget())) return op.result
    return this.#finish(op, need)
  }

  /**
   * @template R
   * @param {Operation<R>} op
   * @param {Need | null} need
   * @returns {Promise<R>}
   */
  async #finish(op, need) {
    /** @type {{ first: number, done: number, alone: boolean } | null} */
    let last = null
    let idle = 0 // loading steps in a row that settled nothing
    while (need !== null) {
      if ('flush' in need) {
        await this.#pager.afterOp()
        need = op.step(null)
        continue
      }
      if ('pause' in need) {
        await yieldToEventLoop()
        need = op.step([])
        continue
      }
      const first = need.pages[0]
      idle = last !== null && last.done === op.done ? idle + 1 : 0
      const stalled = last !== null && last.first === first && last.done === op.done
      if ((stalled && last?.alone) || idle > MAX_IDLE_STEPS) {
        throw new PagingStorageError('INTERNAL', `page ${first} would not stay resident`)
      }
      const ids = this.#plan(need, stalled || idle >= IDLE_STEPS)
      last = { first, done: op.done, alone: ids.length === 1 }
      await this.#pager.makeRoom(ids.length)
      await this.#pager.loadMany(ids)
      need = op.step(ids)
    }
    await this.#pager.afterOp()
    return op.result
  }

  /**
   * The pages to load for `need`, the one needed first last.
   * @param {{ pages: number[], ahead?: { descending: boolean, most: number } }} need
   * @param {boolean} stalled the last load did not let the operation progress
   * @returns {number[]}
   */
  #plan(need, stalled) {
    const first = need.pages[0]
    if (stalled) return [first]
    if (need.ahead) {
      const n = Math.max(1, Math.min(need.ahead.most, this.#prefetch))
      const ids = this.#engine.pagesAhead(first, n, need.ahead.descending)
      return ids.length > 0 ? ids.reverse() : [first]
    }
    return need.pages.slice(0, this.#chunk).reverse()
  }
}

/**
 * Lets the event loop run (timers, messages, rendering) before going on: a
 * macrotask, not throttled like nested timers where avoidable.
 * @returns {Promise<void>}
 */
function yieldToEventLoop() {
  const g = /** @type {any} */ (globalThis)
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate(resolve))
  if (typeof g.scheduler?.yield === 'function') return g.scheduler.yield()
  return new Promise((resolve) => setTimeout(resolve, 0))
}
