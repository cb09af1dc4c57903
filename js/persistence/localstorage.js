// LocalStorageBackend: for small data sets (localStorage is synchronous and
// a few MB per origin). Keys, under the persistenceKey prefix:
//   <prefix>/manifest            JSON {v, state, pages: {id: [generation, record]}}
//   <prefix>/page/<id>/<gen>     the page bytes
// (bytes as base64). localStorage has no transactions, so writes are
// ordered for crash safety: new page bytes go under new generation keys
// first, then the manifest (one setItem, atomic) switches to them, then the
// old generations are removed. A crash at any point leaves a manifest whose
// pages are all present; keys no manifest names are swept on open.
import { PagingStorageError } from '../core/errors.js'
import { storeName, toStorageError } from './backend.js'

function toBase64(bytes) {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000))
  }
  return btoa(s)
}

function fromBase64(text) {
  const s = atob(text)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

export class LocalStorageBackend {
  #prefix
  #storage
  #pages = new Map() // id -> [generation, record base64], as in the manifest

  /** @param {string} persistenceKey */
  constructor(persistenceKey, storage = globalThis.localStorage) {
    if (!storage) throw new PagingStorageError('INVALID_ARGUMENT', 'localStorage is not available here')
    this.#prefix = storeName(persistenceKey)
    this.#storage = storage
  }

  get name() {
    return this.#prefix
  }

  #pageKey(id, gen) {
    return `${this.#prefix}/page/${id}/${gen}`
  }

  async loadManifest() {
    const text = this.#storage.getItem(`${this.#prefix}/manifest`)
    let manifest = null
    if (text !== null) {
      try {
        manifest = JSON.parse(text)
      } catch (err) {
        throw new PagingStorageError('CORRUPT', 'localStorage manifest is not JSON', { cause: err })
      }
      if (manifest?.v !== 1 || typeof manifest.state !== 'string' || typeof manifest.pages !== 'object') {
        throw new PagingStorageError('CORRUPT', 'localStorage manifest has an unknown shape')
      }
      this.#pages = new Map(Object.entries(manifest.pages).map(([id, v]) => [Number(id), v]))
    }
    this.#sweep()
    if (manifest === null) return null
    return {
      state: fromBase64(manifest.state),
      records: [...this.#pages.values()].map(([, record]) => fromBase64(record))
    }
  }

  /** Removes page keys the manifest does not name (left by a crash). */
  #sweep() {
    const live = new Set([...this.#pages].map(([id, [gen]]) => this.#pageKey(id, gen)))
    const stale = []
    for (let i = 0; i < this.#storage.length; i++) {
      const key = this.#storage.key(i)
      if (key !== null && key.startsWith(`${this.#prefix}/page/`) && !live.has(key)) stale.push(key)
    }
    for (const key of stale) this.#storage.removeItem(key)
  }

  async readPages(ids) {
    const out = new Map()
    for (const id of ids) {
      const entry = this.#pages.get(id)
      if (!entry) continue
      const text = this.#storage.getItem(this.#pageKey(id, entry[0]))
      if (text !== null) out.set(id, fromBase64(text))
    }
    return out
  }

  async writeBatch({ pages, deleted, state }) {
    const next = new Map(this.#pages)
    const written = []
    try {
      for (const p of pages) {
        const gen = (this.#pages.get(p.id)?.[0] ?? 0) + 1
        const key = this.#pageKey(p.id, gen)
        this.#storage.setItem(key, toBase64(p.bytes))
        written.push(key)
        next.set(p.id, [gen, toBase64(p.record)])
      }
      for (const id of deleted) next.delete(id)
      this.#storage.setItem(
        `${this.#prefix}/manifest`,
        JSON.stringify({ v: 1, state: toBase64(state), pages: Object.fromEntries(next) })
      )
    } catch (err) {
      // The old manifest still stands; drop what this batch added.
      for (const key of written) this.#storage.removeItem(key)
      throw toStorageError(err, 'saving pages to localStorage')
    }
    for (const [id, [gen]] of this.#pages) {
      const now = next.get(id)
      if (!now || now[0] !== gen) this.#storage.removeItem(this.#pageKey(id, gen))
    }
    this.#pages = next
  }

  async clear() {
    const mine = []
    for (let i = 0; i < this.#storage.length; i++) {
      const key = this.#storage.key(i)
      if (key !== null && key.startsWith(`${this.#prefix}/`)) mine.push(key)
    }
    for (const key of mine) this.#storage.removeItem(key)
    this.#pages.clear()
  }

  async close() {}
}
