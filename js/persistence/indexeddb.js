// IndexedDBBackend: the default in browsers. One database per
// persistenceKey ("paging-storage:<key>"), three object stores keyed by page
// id: pages (page bytes), records (directory records) and meta ("state").
// Each writeBatch is one readwrite transaction over all three, committed
// explicitly, so a crash leaves the old snapshot or the new one, never a mix.
import { PagingStorageError } from '../errors.js'
import { logger } from '../log.js'

const log = logger('indexeddb')
const DB_VERSION = 1
const STORES = ['pages', 'records', 'meta']

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** Resolves when the transaction commits; rejects with its error. */
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('transaction aborted'))
  })
}

export function toStorageError(err, what) {
  if (err instanceof PagingStorageError) return err
  if (err && (err.name === 'QuotaExceededError' || err.code === 22)) {
    return new PagingStorageError('QUOTA_EXCEEDED', `${what}: the browser's storage quota is full`, { cause: err })
  }
  return new PagingStorageError('IO_ERROR', `${what}: ${err?.message ?? err}`, { cause: err })
}

export class IndexedDBBackend {
  #name
  #factory
  #db = null

  /** @param {string} persistenceKey */
  constructor(persistenceKey, factory = globalThis.indexedDB) {
    if (!factory) throw new PagingStorageError('INVALID_ARGUMENT', 'IndexedDB is not available here')
    this.#name = `paging-storage:${persistenceKey}`
    this.#factory = factory
  }

  get name() {
    return this.#name
  }

  async #open() {
    if (this.#db) return this.#db
    const req = this.#factory.open(this.#name, DB_VERSION)
    req.onupgradeneeded = () => {
      for (const store of STORES) {
        if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store)
      }
    }
    req.onblocked = () => log('open blocked by an older connection')
    try {
      this.#db = await request(req)
    } catch (err) {
      throw toStorageError(err, 'opening IndexedDB')
    }
    this.#db.onversionchange = () => this.#db?.close()
    return this.#db
  }

  async loadManifest() {
    const db = await this.#open()
    const tx = db.transaction(['meta', 'records'], 'readonly')
    const [state, records] = await Promise.all([
      request(tx.objectStore('meta').get('state')),
      request(tx.objectStore('records').getAll())
    ])
    if (state === undefined) return null
    return { state, records }
  }

  async readPages(ids) {
    const db = await this.#open()
    const store = db.transaction('pages', 'readonly').objectStore('pages')
    const found = await Promise.all(ids.map((id) => request(store.get(id))))
    const out = new Map()
    ids.forEach((id, i) => {
      if (found[i] !== undefined) out.set(id, found[i])
    })
    return out
  }

  async writeBatch({ pages, deleted, state }) {
    // No await before the transaction when the database is open: a save
    // started in a `pagehide` handler must create and commit its
    // transaction before the handler returns.
    const db = this.#db ?? (await this.#open())
    let tx
    try {
      tx = db.transaction(STORES, 'readwrite', { durability: 'strict' })
    } catch (err) {
      throw toStorageError(err, 'saving pages')
    }
    const committed = done(tx)
    const pageStore = tx.objectStore('pages')
    const recordStore = tx.objectStore('records')
    for (const p of pages) {
      pageStore.put(p.bytes, p.id)
      recordStore.put(p.record, p.id)
    }
    for (const id of deleted) {
      pageStore.delete(id)
      recordStore.delete(id)
    }
    tx.objectStore('meta').put(state, 'state')
    // Committing now, not when the event loop idles, is what lets a save
    // started from `pagehide` survive the page going away.
    tx.commit?.()
    try {
      await committed
    } catch (err) {
      throw toStorageError(err, 'saving pages')
    }
  }

  async clear() {
    const db = await this.#open()
    const tx = db.transaction(STORES, 'readwrite', { durability: 'strict' })
    const committed = done(tx)
    for (const s of STORES) tx.objectStore(s).clear()
    await committed
  }

  async close() {
    this.#db?.close()
    this.#db = null
  }
}
