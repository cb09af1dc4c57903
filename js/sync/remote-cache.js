// RemoteCache: the last records peers gave this store for keys it does not
// replicate (answers of routed reads, changes pushed to its subscriptions),
// so that a read no replica answers — offline, partitioned, after a reload —
// returns the last answer instead of nothing (the seed's `maxCachePages`:
// "Max remote pages to cache").
//
// Bounds: at most maxCachePages pages of pageSize bytes (a record counts its
// key, value and version, as the engine's pages do); the least recently
// answered records are dropped first. maxCachePages 0: nothing is kept.
//
// Persistence: in a backend of its own beside the store's (IndexedDB or
// localStorage under `<persistenceKey>:remote-cache`; none for the memory
// backend or a backend object), rewritten whole in one atomic batch when it
// changed (the store calls save() after its own saves), and loaded when sync
// starts. Its pages give way first: a failed save (quota) or a store out of
// space (dropPersisted()) clears them, and the cache goes on in memory.
// Whatever it loads is checked as a peer's message would be; a damaged
// cache is dropped, never trusted.
import { isKey } from '../core/keys.js'
import { isNewer } from '../core/record.js'
import { parseJsonText } from '../core/values.js'
import { isVersion } from '../core/versions.js'

// Bytes a record costs beyond its key and value (its version and framing).
const RECORD_OVERHEAD = 64
const FORMAT = 1

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class RemoteCache {
  #budget
  #pageSize
  #backend
  #limits
  /** @type {Map<string, {rec: StoredRecord, bytes: number}>} key -> record, least recently answered first */
  #records = new Map()
  #bytes = 0
  /** Page ids the backend holds now. @type {number[]} */
  #pages = []
  #nextPage = 1
  #dirty = false
  /** @type {Promise<void> | null} */
  #saving = null
  /** @type {() => void} */
  #markLoaded = () => {}
  /** Resolves once load() has finished (at once without a backend). @type {Promise<void>} */
  loaded

  /**
   * @param {{ maxCachePages: number, pageSize: number, backend: import('../persistence/backend.js').Backend | null,
   *   limits: { maxKeyBytes: number, maxValueBytes: number } }} opts
   *   pageSize in bytes; backend: where the cache persists (null: memory only);
   *   limits: what a loaded record must satisfy
   */
  constructor({ maxCachePages, pageSize, backend, limits }) {
    this.#budget = maxCachePages * pageSize
    this.#pageSize = pageSize
    this.#backend = backend
    this.#limits = limits
    this.loaded = backend === null ? Promise.resolve() : new Promise((resolve) => (this.#markLoaded = resolve))
  }

  /** @returns {number} records held */
  get size() {
    return this.#records.size
  }

  /** @returns {number} bytes they count */
  get bytes() {
    return this.#bytes
  }

  /** @returns {number} pages the backend holds */
  get pages() {
    return this.#pages.length
  }

  /**
   * @param {string} key
   * @returns {StoredRecord | null}
   */
  get(key) {
    return this.#records.get(key)?.rec ?? null
  }

  /**
   * @param {{ key: string, hlc: string, origin: string }} rec
   * @returns {boolean} whether the cache holds exactly this version of its key
   */
  holds(rec) {
    const e = this.#records.get(rec.key)
    return e !== undefined && e.rec.hlc === rec.hlc && e.rec.origin === rec.origin
  }

  /**
   * Keeps the newest answer for its key (the most recently answered).
   * @param {StoredRecord} rec
   */
  put(rec) {
    if (this.#budget <= 0) return
    const old = this.#records.get(rec.key)
    if (old && !isNewer(old.rec, rec)) rec = old.rec // an older answer only refreshes the key
    const bytes = rec.key.length + (rec.json?.length ?? 0) + RECORD_OVERHEAD
    if (bytes > this.#budget) return
    this.#drop(rec.key)
    this.#records.set(rec.key, { rec: { key: rec.key, hlc: rec.hlc, origin: rec.origin, deleted: rec.deleted, json: rec.json }, bytes })
    this.#bytes += bytes
    while (this.#bytes > this.#budget) this.#drop(/** @type {string} */ (this.#records.keys().next().value))
    this.#dirty = true
  }

  /** Loads what the backend holds (nothing when damaged or absent); `loaded` resolves after. */
  async load() {
    if (this.#backend === null) return
    try {
      await this.#load()
    } finally {
      this.#markLoaded()
    }
  }

  async #load() {
    if (this.#backend === null) return
    try {
      const manifest = await this.#backend.loadManifest()
      if (manifest === null) return
      const state = JSON.parse(decoder.decode(manifest.state))
      if (state?.v !== FORMAT || !Array.isArray(state.pages) || !state.pages.every(Number.isSafeInteger)) throw new Error('cache manifest')
      const pages = await this.#backend.readPages(state.pages)
      this.#pages = state.pages
      this.#nextPage = Math.max(0, ...state.pages) + 1
      for (const id of state.pages) {
        const bytes = pages.get(id)
        if (!bytes) throw new Error(`cache page ${id} missing`)
        const list = JSON.parse(decoder.decode(bytes))
        if (!Array.isArray(list)) throw new Error('cache page')
        for (const r of list) {
          const rec = this.#recordOf(r)
          if (rec === null) throw new Error('cache record')
          this.put(rec)
        }
      }
      this.#dirty = false
    } catch {
      this.#records.clear()
      this.#bytes = 0
      await this.dropPersisted()
    }
  }

  /** Writes the cache when it changed (one at a time; whole, in one atomic batch). */
  async save() {
    if (this.#backend === null || !this.#dirty) return
    if (this.#saving) return this.#saving
    this.#dirty = false
    const backend = this.#backend
    this.#saving = (async () => {
      /** @type {Array<{id: number, bytes: Uint8Array, record: Uint8Array}>} */
      const pages = []
      let page = []
      let size = 0
      const cut = () => {
        if (page.length === 0) return
        const id = this.#nextPage++
        pages.push({ id, bytes: encoder.encode(JSON.stringify(page)), record: encoder.encode(String(id)) })
        page = []
        size = 0
      }
      for (const { rec, bytes } of this.#records.values()) {
        if (size + bytes > this.#pageSize) cut()
        page.push([rec.key, rec.hlc, rec.origin, rec.deleted ? 1 : 0, rec.deleted ? null : rec.json])
        size += bytes
      }
      cut()
      const ids = pages.map((p) => p.id)
      try {
        await backend.writeBatch({ pages, deleted: this.#pages, state: encoder.encode(JSON.stringify({ v: FORMAT, pages: ids })) })
        this.#pages = ids
      } catch {
        // Out of space (or the backend failed): the cache gives way.
        await this.dropPersisted()
      }
    })().finally(() => {
      this.#saving = null
    })
    return this.#saving
  }

  /** Clears the persisted cache (the store needs the space); memory keeps it. */
  async dropPersisted() {
    if (this.#backend === null) return
    this.#pages = []
    try {
      await this.#backend.clear()
    } catch {
      // Nothing more to give back.
    }
  }

  async close() {
    await this.save()
    await this.#backend?.close()
  }

  /** @param {string} key */
  #drop(key) {
    const old = this.#records.get(key)
    if (!old) return
    this.#records.delete(key)
    this.#bytes -= old.bytes
  }

  /**
   * A stored record as a peer's message carries it, checked as strictly.
   * @param {unknown} r
   * @returns {StoredRecord | null}
   */
  #recordOf(r) {
    if (!Array.isArray(r) || r.length !== 5) return null
    const [key, hlc, origin, tomb, json] = r
    if (!isKey(key, this.#limits.maxKeyBytes) || !isVersion(hlc, origin)) return null
    if (tomb === 1) return json === null ? { key, hlc, origin, deleted: true, json: null } : null
    if (tomb !== 0 || !parseJsonText(json, this.#limits.maxValueBytes).ok) return null
    return { key, hlc, origin, deleted: false, json }
  }
}
