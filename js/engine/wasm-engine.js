// WasmEngine: the engine's batch-shaped calls as JavaScript values. It owns
// the embind EngineHandle (the only class that does) and deletes it in
// close(). Synchronous: paging (loading pages, flushing) is the caller's.
import { StatusCode, errorFromStatus } from '../errors.js'
import { Reader, ResultFlag, ScanFlag, Sync, Writer } from './wire.js'

function check(status, what) {
  if (status.code !== StatusCode.OK) {
    throw errorFromStatus(status.code, `${what}: ${status.message}`)
  }
}

export class WasmEngine {
  #handle
  #peerId

  constructor(module, options, manifest) {
    this.#handle = new module.EngineHandle()
    this.#peerId = options.peerId
    const json = JSON.stringify({
      peerId: options.peerId,
      pageSize: options.pageSize,
      splitThreshold: options.splitThreshold,
      mergeThreshold: options.mergeThreshold,
      maxMemoryPages: options.persistence.maxMemoryPages,
      maxKeyBytes: options.maxKeyBytes,
      maxValueBytes: options.maxValueBytes
    })
    try {
      if (manifest) {
        const records = new Writer(1024)
        records.varint(manifest.records.length)
        for (const r of manifest.records) records.bytes(r)
        check(this.#handle._open(json, manifest.state, records.finish()), 'open')
      } else {
        check(this.#handle._create(json), 'create')
      }
    } catch (err) {
      this.#handle.delete()
      throw err
    }
  }

  /**
   * Applies encoded ops (wire `ops`) until one needs a page. Versions are
   * decoded only when asked for.
   * @returns {{ code: number, overBudget: boolean, next: number, missingPage: number,
   *             results: Array<{code, existed, applied, hlc?, origin?, message?}> }}
   */
  applyBatch(opsBytes, wallMs, withVersions = false) {
    const r = new Reader(this.#handle._applyBatch(opsBytes, wallMs))
    const code = r.byte()
    const overBudget = r.byte() === 1
    const pages = r.varint()
    const next = r.varint()
    const missingPage = r.varint()
    const count = r.varint()
    const results = new Array(count)
    for (let i = 0; i < count; i++) {
      const res = { code: r.byte(), existed: false, applied: false }
      const flags = r.byte()
      res.existed = (flags & ResultFlag.EXISTED) !== 0
      res.applied = (flags & ResultFlag.APPLIED) !== 0
      if (flags & ResultFlag.HAS_VERSION) {
        if (withVersions) {
          res.hlc = r.fixed64Hex()
          res.origin = r.string() || this.#peerId
        } else {
          r.skip(8)
          r.skipString()
        }
      }
      if (res.code !== StatusCode.OK) res.message = r.string()
      results[i] = res
    }
    return { code, overBudget, pages, next, missingPage, results }
  }

  /**
   * @param {Uint8Array} keysBytes wire `keys`
   * @returns {Array<{code: number, value?: string, page?: number, message?: string}>
   *   with `overBudget` set on the array}
   */
  getMany(keysBytes) {
    const r = new Reader(this.#handle._getMany(keysBytes))
    const overBudget = r.byte() === 1
    const count = r.varint()
    const out = new Array(count)
    for (let i = 0; i < count; i++) {
      const code = r.byte()
      if (code === StatusCode.OK) out[i] = { code, value: r.string() }
      else if (code === StatusCode.NOT_RESIDENT) out[i] = { code, page: r.varint() }
      else if (code === StatusCode.NOT_FOUND) out[i] = { code }
      else out[i] = { code, message: r.string() }
    }
    out.overBudget = overBudget
    return out
  }

  /**
   * @param {Uint8Array} scanBytes wire `scan`
   * @returns {{ code, missingPage?, resume?: Uint8Array, message?, records }}
   */
  scan(scanBytes) {
    const bytes = this.#handle._scan(scanBytes)
    const r = new Reader(bytes)
    const out = { code: r.byte(), records: [] }
    if (out.code === StatusCode.NOT_RESIDENT) {
      out.missingPage = r.varint()
      const start = r.pos
      const flags = r.byte()
      r.bytes()
      if (flags & ScanFlag.HAS_END) r.bytes()
      r.varint()
      out.resume = bytes.slice(start, r.pos)
    } else if (out.code !== StatusCode.OK) {
      out.message = r.string()
    }
    const count = r.varint()
    for (let i = 0; i < count; i++) {
      const key = r.string()
      const tombstone = (r.byte() & 1) !== 0
      const hlc = r.fixed64Hex()
      const origin = r.string()
      const value = tombstone ? undefined : r.string()
      out.records.push({ key, value, hlc, origin, tombstone })
    }
    return out
  }

  /**
   * Stored records, tombstones included; origins are peer ids as stored
   * (the local peer's id too, as in scan()).
   * @param {string[]} keys
   * @returns {{ overBudget: boolean,
   *             records: Array<{code: number, hlc?: string, origin?: string, tombstone?: boolean,
   *                             value?: string, page?: number, message?: string}> }}
   */
  lookupMany(keys) {
    const w = new Writer(64 + keys.length * 16)
    w.strings(keys)
    const r = new Reader(this.#handle._lookupMany(w.finish()))
    const overBudget = r.byte() === 1
    const count = r.varint()
    const records = new Array(count)
    for (let i = 0; i < count; i++) {
      const code = r.byte()
      if (code === StatusCode.OK) {
        const hlc = r.fixed64Hex()
        const origin = r.string()
        const tombstone = r.byte() === 1
        records[i] = { code, hlc, origin, tombstone }
        if (!tombstone) records[i].value = r.string()
      } else if (code === StatusCode.NOT_RESIDENT) {
        records[i] = { code, page: r.varint() }
      } else if (code === StatusCode.NOT_FOUND) {
        records[i] = { code }
      } else {
        records[i] = { code, message: r.string() }
      }
    }
    return { overBudget, records }
  }

  /**
   * Replaces the ring's membership (index i = members[i]).
   * @param {string[]} members peer ids, non-empty, strictly increasing in UTF-8 byte order
   * @param {number} virtualNodes tokens per member
   * @returns {{code: number, message: string}}
   */
  setRing(members, virtualNodes = 128) {
    const w = new Writer(64 + members.length * 24)
    w.strings(members)
    return this.#handle._setRing(w.finish(), virtualNodes)
  }

  /**
   * @param {string[]} keys
   * @param {number} rf replication factor
   * @returns {number[][]} per key, member indices in ring order
   */
  replicasFor(keys, rf) {
    const w = new Writer(64 + keys.length * 16)
    w.strings(keys)
    const r = new Reader(this.#handle._replicasFor(w.finish(), rf))
    const out = new Array(r.varint())
    for (let i = 0; i < out.length; i++) {
      const replicas = new Array(r.varint())
      for (let j = 0; j < replicas.length; j++) replicas[j] = r.varint()
      out[i] = replicas
    }
    return out
  }

  /**
   * @param {number} rf replication factor
   * @returns {number[]} per member, the fraction of the key space it replicates
   */
  ringShare(rf) {
    const r = new Reader(this.#handle._ringShare(rf))
    const out = new Array(r.varint())
    for (let i = 0; i < out.length; i++) out[i] = r.float64()
    return out
  }

  /**
   * Anti-entropy digests of the records shared with other peers (wire `sync`).
   * On NOT_RESIDENT the answers are partial: load missingPage, call again from
   * resume and merge (XOR digests, add counts, concatenate entries).
   * @param {{ rf: number, self: number, start?: string,
   *           queries: Array<{peer: number, bits: number, prefix: number, entries: boolean}> }} request
   * @returns {{ code: number, missingPage?: number, resume?: string, message?: string,
   *             answers: Array<{counts: number[], digests: string[]} |
   *                            {entries: Array<{key: string, hlc: string, origin: string,
   *                                             tombstone: boolean}>}> }}
   */
  syncScan({ rf, self, start = '', queries }) {
    const w = new Writer(64 + queries.length * 8)
    w.varint(rf)
    w.varint(self)
    w.string(start)
    w.varint(queries.length)
    for (const q of queries) {
      w.varint(q.peer)
      w.byte(q.bits)
      w.varint(q.prefix)
      w.byte(q.entries ? 1 : 0)
    }
    const r = new Reader(this.#handle._syncScan(w.finish()))
    const out = { code: r.byte(), answers: [] }
    if (out.code === StatusCode.NOT_RESIDENT) {
      out.missingPage = r.varint()
      out.resume = r.string()
    } else if (out.code !== StatusCode.OK) {
      out.message = r.string()
    }
    const count = r.varint()
    for (let i = 0; i < count; i++) {
      if (queries[i].entries) {
        const entries = new Array(r.varint())
        for (let j = 0; j < entries.length; j++) {
          const key = r.string()
          const hlc = r.fixed64Hex()
          const origin = r.string()
          entries[j] = { key, hlc, origin, tombstone: r.byte() === 1 }
        }
        out.answers.push({ entries })
      } else {
        const counts = new Array(Sync.CHILDREN)
        const digests = new Array(Sync.CHILDREN)
        for (let c = 0; c < Sync.CHILDREN; c++) {
          counts[c] = r.varint()
          digests[c] = r.fixed64Hex()
        }
        out.answers.push({ counts, digests })
      }
    }
    return out
  }

  /** @returns {{code: number, message: string}} */
  loadPage(id, bytes) {
    return this.#handle._loadPage(id, bytes)
  }

  /** @returns {{pages: Array<{id, bytes, record}>, deleted: number[], state: Uint8Array}} */
  collectFlush() {
    return this.#handle._collectFlush()
  }

  commitFlush() {
    this.#handle._commitFlush()
  }

  evictAllClean() {
    return this.#handle._evictAllClean()
  }

  overBudget() {
    return this.#handle._overBudget()
  }

  hasDirtyPages() {
    return this.#handle._hasDirtyPages()
  }

  pagesWantedForMerges() {
    return this.#handle._pagesWantedForMerges()
  }

  /** Non-resident page ids a scan stopped at `first` reads next, in key
   *  order (see Engine::PagesAhead). */
  pagesAhead(first, limit, descending = false) {
    return this.#handle._pagesAhead(first, limit, descending)
  }

  stats() {
    return JSON.parse(this.#handle._stats())
  }

  listPages() {
    return JSON.parse(this.#handle._listPages())
  }

  /** @returns {{code: number, message: string}} */
  checkInvariants() {
    return this.#handle._checkInvariants()
  }

  close() {
    if (this.#handle) {
      this.#handle.delete()
      this.#handle = null
    }
  }
}
