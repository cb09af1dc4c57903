// Ring-wide range scans: range() and keys() over the data of the whole ring,
// not only the records this peer holds. Keys are spread over the ring by
// their hash, so any key range may have records at every member: the scan
// asks every other member (and this store) for its records in the range,
// tombstones included, a page at a time, and merges them by key (the newest
// version wins; a tombstone hides older live values).
//
// Pages and the merge (a k-way merge with a moving boundary): each source
// answers at most a page in key order and says the last key it covered. A
// key is emitted only once every source still answering has covered it (it
// is at or before the smallest "covered up to" among them), so nothing a
// later page brings can change it; a limit stops the scan early, so a page
// of 100 results costs about a page per source, not the whole prefix.
//
// Consistency: a scan reads each source once per page, not a snapshot. A
// member that does not answer within readTimeout (asked again at each
// quarter) is left out for the rest of the scan, and its records are seen
// through the other replicas of each key; a write racing the scan may or may
// not be in it. Once writes are replicated (replicated()), a scan returns
// exactly the live records of the ring.
import { compareKeys } from '../core/keys.js'
import { isNewer } from '../core/record.js'
import { MAX_SCAN_PAGE } from './protocol.js'

// One answer carries at most this many characters of records (about one
// replication message); a longer page is cut and continues in the next.
const SCAN_CHARS = 48000

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('../engine/codec.js').KeyRange} KeyRange */
/** @typedef {import('./protocol.js').ScanRange} ScanRange */

/**
 * One source of a scan: this store or a peer.
 * @typedef {{ peer: string | null, buf: StoredRecord[], covered: string | null, done: boolean }} Source
 */

export class RingScans {
  #ctx
  #readTimeout
  #onProgress
  /** @type {Map<number, {peer: string, onAnswer: (records: StoredRecord[], next: string | undefined) => void}>} */
  #asked = new Map()
  /** @type {Set<() => void>} settles every fetch in progress (close) */
  #open = new Set()
  #closed = false

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {{ readTimeout: number, scanLocal: (range: KeyRange, onRecord: (r: StoredRecord) => void) => Promise<void>,
   *   onProgress?: (p: { task: 'range', done: number, total: number }) => void }} opts
   *   readTimeout in ms; scanLocal: this store's scan; onProgress: sources
   *   (this store and each peer) done of all (a range ended by its limit
   *   reports them all done)
   */
  constructor(ctx, { readTimeout, scanLocal, onProgress = () => {} }) {
    this.#ctx = ctx
    this.#readTimeout = readTimeout
    this.scanLocal = scanLocal
    this.#onProgress = onProgress
  }

  /**
   * The live records of the ring in range, in key order (reverse when
   * asked), at most range.limit.
   * @param {KeyRange} range
   * @param {(r: StoredRecord) => void} onRecord
   * @returns {Promise<void>}
   */
  async scan(range, onRecord) {
    const want = range.limit ?? Infinity
    if (want === 0) return
    const reverse = Boolean(range.reverse)
    /** @param {string} a @param {string} b */
    const order = reverse ? (a, b) => compareKeys(b, a) : compareKeys
    const peers = this.#ctx.ring().members.filter((p) => p !== this.#ctx.selfId)
    /** @type {Source[]} */
    const sources = [null, ...peers].map((peer) => ({ peer, buf: [], covered: null, done: false }))
    let emitted = 0
    let finished = 0
    const progress = () => {
      const done = sources.filter((s) => s.done).length
      if (done !== finished) this.#onProgress({ task: 'range', done: (finished = done), total: sources.length })
    }
    try {
      await this.#merge(sources, range, order, want, (r) => {
        onRecord(r)
        emitted++
      }, () => emitted, progress)
    } finally {
      if (finished < sources.length) this.#onProgress({ task: 'range', done: sources.length, total: sources.length })
    }
  }

  /**
   * The merge loop (see the top of this file).
   * @param {Source[]} sources
   * @param {KeyRange} range
   * @param {(a: string, b: string) => number} order
   * @param {number} want
   * @param {(r: StoredRecord) => void} emit
   * @param {() => number} emitted
   * @param {() => void} progress
   */
  async #merge(sources, range, order, want, emit, emitted, progress) {
    while (!this.#closed) {
      const count = Math.min(MAX_SCAN_PAGE, Math.max(16, want - emitted() + 8))
      await Promise.all(sources.filter((s) => !s.done && s.buf.length === 0).map((s) => this.#fill(s, range, count)))
      progress()
      // Every source still answering has covered the keys up to `boundary`.
      /** @type {string | null} */
      let boundary = null
      for (const s of sources) if (!s.done && (boundary === null || order(/** @type {string} */ (s.covered), boundary) < 0)) boundary = s.covered
      /** @type {Map<string, StoredRecord>} */
      const merged = new Map()
      for (const s of sources) {
        let n = 0
        while (n < s.buf.length && (boundary === null || order(s.buf[n].key, boundary) <= 0)) {
          const r = s.buf[n++]
          if (isNewer(merged.get(r.key) ?? null, r)) merged.set(r.key, r)
        }
        s.buf.splice(0, n)
      }
      for (const key of [...merged.keys()].sort(order)) {
        const r = /** @type {StoredRecord} */ (merged.get(key))
        if (r.deleted) continue
        emit(r)
        if (emitted() >= want) return
      }
      if (boundary === null) return
    }
  }

  /**
   * A peer's 'scanned' answer.
   * @param {string} from
   * @param {{ id: number, records: StoredRecord[], next?: string }} msg
   */
  onScanned(from, msg) {
    const ask = this.#asked.get(msg.id)
    if (!ask || ask.peer !== from) return
    this.#asked.delete(msg.id)
    ask.onAnswer(msg.records, msg.next)
  }

  /** Settles the scans in progress with what they have. */
  close() {
    this.#closed = true
    for (const settle of [...this.#open]) settle()
    this.#asked.clear()
  }

  /**
   * The next page of a source into its buffer; a source that does not
   * answer in time is done.
   * @param {Source} s
   * @param {KeyRange} range
   * @param {number} count
   */
  async #fill(s, range, count) {
    const from = fromCursor(range, s.covered)
    if (s.peer === null) {
      /** @type {StoredRecord[]} */
      const recs = []
      await this.scanLocal({ ...from, limit: count, reverse: Boolean(range.reverse), tombstones: true }, (r) => recs.push(r))
      s.buf = recs
      if (recs.length < count) s.done = true
      else s.covered = recs[recs.length - 1].key
      return
    }
    const answer = await this.#ask(s.peer, { t: 'scan', id: 0, range: from, reverse: Boolean(range.reverse), count })
    if (answer === null) {
      s.done = true
      return
    }
    s.buf = answer.records
    if (answer.next === undefined) s.done = true
    else s.covered = answer.next
  }

  /**
   * Asks a peer for a page, again at each quarter of readTimeout.
   * @param {string} peer
   * @param {Extract<import('./protocol.js').Message, {t: 'scan'}>} msg
   * @returns {Promise<{records: StoredRecord[], next?: string} | null>} null: no answer in time
   */
  #ask(peer, msg) {
    return new Promise((resolve) => {
      /** @type {number[]} */
      const ids = []
      /** @type {any[]} */
      const timers = []
      /** @param {{records: StoredRecord[], next?: string} | null} answer */
      const settle = (answer) => {
        for (const t of timers) clearTimeout(t)
        for (const id of ids) this.#asked.delete(id)
        this.#open.delete(done)
        resolve(answer)
      }
      const done = () => settle(null)
      this.#open.add(done)
      const send = () => {
        const id = this.#ctx.nextId()
        ids.push(id)
        this.#asked.set(id, { peer, onAnswer: (records, next) => settle(next === undefined ? { records } : { records, next }) })
        this.#ctx.send(peer, { ...msg, id })
      }
      send()
      for (let q = 1; q < 4; q++) timers.push(setTimeout(send, (q * this.#readTimeout) / 4))
      timers.push(setTimeout(done, this.#readTimeout))
    })
  }
}

/**
 * The range a source is asked for next: after the last key it covered.
 * @param {KeyRange} range
 * @param {string | null} covered
 * @returns {ScanRange}
 */
function fromCursor(range, covered) {
  /** @type {ScanRange} */
  const q = {}
  for (const name of /** @type {const} */ (['gte', 'gt', 'lt', 'lte', 'prefix'])) if (range[name] !== undefined) q[name] = range[name]
  if (covered === null) return q
  if (range.reverse) {
    delete q.lte
    q.lt = covered
  } else {
    delete q.gte
    q.gt = covered
  }
  return q
}

/**
 * Answers a peer's scan from this store: at most `count` records and
 * SCAN_CHARS characters, tombstones included; `next` when more may follow.
 * @param {(range: KeyRange, onRecord: (r: StoredRecord) => void) => Promise<void>} scanLocal
 * @param {Extract<import('./protocol.js').Message, {t: 'scan'}>} msg
 * @param {string | null} suspectBefore a stale store leaves out live records older than this hlc
 * @returns {Promise<Extract<import('./protocol.js').Message, {t: 'scanned'}>>}
 */
export async function answerScan(scanLocal, msg, suspectBefore) {
  /** @type {StoredRecord[]} */
  const visited = []
  await scanLocal({ ...msg.range, limit: msg.count, reverse: msg.reverse, tombstones: true }, (r) => visited.push(r))
  let chars = 0
  let n = 0
  for (; n < visited.length; n++) {
    chars += visited[n].key.length + (visited[n].json?.length ?? 0) + 48
    if (chars > SCAN_CHARS && n > 0) break
  }
  const more = n < visited.length || visited.length === msg.count
  const records = visited.slice(0, n).filter((r) => !(suspectBefore !== null && !r.deleted && r.hlc < suspectBefore))
  return more ? { t: 'scanned', id: msg.id, records, next: visited[n - 1].key } : { t: 'scanned', id: msg.id, records }
}
