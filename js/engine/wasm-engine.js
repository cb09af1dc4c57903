// WasmEngine: the engine's batch-shaped calls as JavaScript values. It owns
// the embind EngineHandle (the only class that does) and deletes it in
// close(). Synchronous: paging (loading pages, flushing) is the caller's.
import { StatusCode, errorFromStatus } from '../errors.js'
import { Reader, ResultFlag, ScanFlag, Writer } from './wire.js'

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
