// SerialQueue: the store's operations, run one at a time in call order.
// Consecutive writes (or consecutive reads) coalesce into one run, so a
// burst of calls becomes one wasm call; anything else is a task run alone.
//
// Invariants:
//  1. At most one run or task executes at a time (#busy): an operation that
//     spans awaits (a page load, a flush) never interleaves with another
//     inside the engine, and at most one flush is ever in flight.
//  2. Jobs settle in the order they were queued.
//  3. A run holds at most RUN_LIMIT items (ops or keys), unless it is one
//     job larger than that (a job is never split).
//  4. Nothing runs before `ready` resolves; if it rejects, every job queued
//     rejects with its error. After close(error), new jobs reject with it.
//  5. Work starts synchronously in two cases, each taking the queue as a run
//     or task would: runNowIfIdle() (a save in a `pagehide` handler must
//     start its I/O before the handler returns), and the first read or write
//     of a microtask turn that finds the queue idle (the awaited single call:
//     no queue entry, no extra turn). Later calls of the same turn queue and
//     coalesce as before, so a burst of unawaited calls is still one run.
// Not reentrant: a job must not wait for a job queued after it.

// Ops or keys coalesced into one run.
const RUN_LIMIT = 8192
// Settled: a reaction on it runs at the end of the current microtask turn
// (as queueMicrotask would, without Node's async-hooks resource per call).
const SETTLED = Promise.resolve()

/**
 * @template T, R
 * @typedef {(items: T[]) => R[] | Promise<R[]>} RunFn one result per item, in order
 */

/**
 * @typedef {{ kind: 'write' | 'read' | 'task', items?: any[], fn?: () => any,
 *             resolve: (v: any) => void, reject: (e: any) => void }} Job
 */

export class SerialQueue {
  /** @type {Job[]} */
  #jobs = []
  #busy = false
  /** A read or write ran synchronously in this microtask turn (invariant 5). */
  #ranThisTurn = false
  #endTurn = () => {
    this.#ranThisTurn = false
  }
  /** Jobs taken off #jobs and not settled yet (a run, a task, runNowIfIdle's fn). */
  #running = 0
  #ready
  #isReady = false
  /** @type {Error | null} */
  #closedWith = null
  #runWrites
  #runReads

  /**
   * @param {{ ready: Promise<void>, runWrites: RunFn<any, any>, runReads: RunFn<any, any> }} runs
   *   runWrites/runReads: a coalesced run; they answer synchronously when no I/O is needed
   */
  constructor({ ready, runWrites, runReads }) {
    this.#ready = ready.then(() => {
      this.#isReady = true
    })
    this.#ready.catch(() => {})
    this.#runWrites = runWrites
    this.#runReads = runReads
  }

  /** @returns {number} jobs waiting or running */
  get length() {
    return this.#jobs.length + this.#running
  }

  /**
   * @param {any[]} ops
   * @returns {Promise<any[]>} one result per op
   */
  write(ops) {
    return this.#push('write', ops)
  }

  /**
   * @param {any[]} keys
   * @returns {Promise<any[]>} one answer per key
   */
  read(keys) {
    return this.#push('read', keys)
  }

  /**
   * @template V
   * @param {() => V | Promise<V>} fn runs alone
   * @returns {Promise<V>}
   */
  task(fn) {
    return this.#push('task', undefined, fn)
  }

  /**
   * Runs fn now, synchronously up to its first await, if nothing is running
   * or queued; the queue stays taken until its promise settles.
   * @param {() => Promise<unknown>} fn
   * @returns {boolean} whether it ran
   */
  runNowIfIdle(fn) {
    if (this.#busy || !this.#isReady || this.#closedWith) return false
    this.#busy = true
    this.#running = 1
    let started
    try {
      started = fn()
    } catch (err) {
      started = Promise.reject(err)
    }
    Promise.resolve(started)
      .catch(() => {}) // the caller reports its own failures
      .finally(() => this.#release())
    return true
  }

  /** @param {Error} error what later jobs reject with */
  close(error) {
    this.#closedWith = error
  }

  /**
   * @param {'write' | 'read' | 'task'} kind
   * @param {any[] | undefined} items
   * @param {(() => any) | undefined} [fn]
   */
  #push(kind, items, fn) {
    if (this.#closedWith) return Promise.reject(this.#closedWith)
    if (kind !== 'task' && !this.#busy && this.#isReady && !this.#ranThisTurn) {
      return this.#runNow(/** @type {'write' | 'read'} */ (kind), /** @type {any[]} */ (items))
    }
    return new Promise((resolve, reject) => {
      this.#jobs.push({ kind, items, fn, resolve, reject })
      if (!this.#busy) {
        this.#busy = true
        queueMicrotask(() => this.#drain())
      }
    })
  }

  /**
   * A read or write run at once, the queue being idle (invariant 5).
   * @param {'write' | 'read'} kind
   * @param {any[]} items
   * @returns {Promise<any[]>}
   */
  #runNow(kind, items) {
    this.#busy = true
    this.#running = 1
    this.#ranThisTurn = true
    SETTLED.then(this.#endTurn)
    let results
    try {
      results = kind === 'write' ? this.#runWrites(items) : this.#runReads(items)
    } catch (err) {
      this.#release()
      return Promise.reject(err)
    }
    if (results instanceof Promise) return results.finally(() => this.#release())
    this.#release()
    return Promise.resolve(results)
  }

  #release() {
    this.#running = 0
    this.#busy = false
    if (this.#jobs.length > 0) {
      this.#busy = true
      queueMicrotask(() => this.#drain())
    }
  }

  async #drain() {
    if (!this.#isReady) {
      try {
        await this.#ready
      } catch (err) {
        for (const job of this.#jobs.splice(0)) job.reject(err)
        this.#busy = false
        return
      }
    }
    while (this.#jobs.length > 0) {
      const head = this.#jobs[0]
      if (head.kind === 'task') {
        this.#jobs.shift()
        this.#running = 1
        try {
          head.resolve(await /** @type {() => any} */ (head.fn)())
        } catch (err) {
          head.reject(err)
        } finally {
          this.#running = 0
        }
        continue
      }
      await this.#runCoalesced(head.kind)
    }
    this.#busy = false
  }

  /** @param {'write' | 'read'} kind */
  async #runCoalesced(kind) {
    const run = []
    const items = []
    // A job joins the run only if the run stays within RUN_LIMIT; the first
    // job always starts one.
    while (
      this.#jobs.length > 0 &&
      this.#jobs[0].kind === kind &&
      (run.length === 0 || items.length + /** @type {any[]} */ (this.#jobs[0].items).length <= RUN_LIMIT)
    ) {
      const job = /** @type {Job} */ (this.#jobs.shift())
      run.push(job)
      for (const item of /** @type {any[]} */ (job.items)) items.push(item)
    }
    this.#running = run.length
    try {
      let results = kind === 'write' ? this.#runWrites(items) : this.#runReads(items)
      if (results instanceof Promise) results = await results
      if (run.length === 1) {
        run[0].resolve(results)
        return
      }
      let at = 0
      for (const job of run) {
        const n = /** @type {any[]} */ (job.items).length
        job.resolve(results.slice(at, at + n))
        at += n
      }
    } catch (err) {
      for (const job of run) job.reject(err)
    } finally {
      this.#running = 0
    }
  }
}
