// IndexedDBBackend: the default in browsers. One database per
// persistenceKey ("paging-storage:<key>"), three object stores keyed by page
// id: pages (page bytes), records (directory records) and meta ("state").
// Each writeBatch is one readwrite transaction over all three, committed
// explicitly, so a crash leaves the old snapshot or the new one, never a mix.
import { PagingStorageError } from '../core/errors.js'
import { logger } from '../core/log.js'
import { storeName, toStorageError } from './backend.js'

const log = logger('indexeddb')
const DB_VERSION = 1
const STORES = ['pages', 'records', 'meta']

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/**
 * Resolves when the transaction commits; rejects with its error.
 * @param {IDBTransaction} tx
 * @returns {Promise<void>}
 */
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('transaction aborted'))
  })
}

export class IndexedDBBackend {
  #name
  #factory
  /** @type {IDBDatabase | null} */
  #db = null
  #durability

  /**
   * @param {string} persistenceKey
   * @param {IDBFactory} [factory]
   * @param {'strict' | 'relaxed'} [durability] of each commit: 'strict'
   *   waits until the data is on disk; 'relaxed' (the browser's default)
   *   until the OS has it, so an OS crash or power loss may lose the last
   *   flushes (a browser crash does not)
   */
  constructor(persistenceKey, factory = globalThis.indexedDB, durability = 'strict') {
    if (!factory) throw new PagingStorageError('INVALID_ARGUMENT', 'IndexedDB is not available here')
    this.#name = storeName(persistenceKey)
    this.#factory = factory
    this.#durability = durability
  }

  get name() {
    return this.#name
  }

  /** @returns {Promise<IDBDatabase>} */
  async #open() {
    if (this.#db) return this.#db
    const req = this.#factory.open(this.#name, DB_VERSION)
    req.onupgradeneeded = () => {
      for (const store of STORES) {
        if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store)
      }
    }
    req.onblocked = () => log('open blocked by an older connection')
    /** @type {IDBDatabase} */
    let db
    try {
      db = await request(req)
    } catch (err) {
      throw toStorageError(err, 'opening IndexedDB')
    }
    db.onversionchange = () => this.#db?.close()
    this.#db = db
    return db
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
      tx = db.transaction(STORES, 'readwrite', { durability: this.#durability })
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
    const tx = db.transaction(STORES, 'readwrite', { durability: this.#durability })
    const committed = done(tx)
    for (const s of STORES) tx.objectStore(s).clear()
    await committed
  }

  async close() {
    this.#db?.close()
    this.#db = null
  }
}
