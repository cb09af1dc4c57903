import { PagingStorage } from 'paging-storage'

/** A store with small pages and a tiny page budget, so paging happens. */
export function tinyStore(extra = {}) {
  return new PagingStorage({
    pageSize: 512,
    ...extra,
    persistence: { maxMemoryPages: 2, maxDiskPages: 1e6, autoSaveInterval: 0, ...(extra.persistence ?? {}) }
  })
}

export function key(i) {
  return 'k' + String(i).padStart(6, '0')
}

/** A Storage (the localStorage interface) in memory, with an optional quota
 *  in characters (keys + values), over which setItem throws a
 *  QuotaExceededError as browsers do. */
export class MemoryStorage {
  #items = new Map()
  #used = 0
  constructor(quota = Infinity) {
    this.quota = quota
  }
  get length() {
    return this.#items.size
  }
  /** characters held (keys + values) */
  get used() {
    return this.#used
  }
  key(i) {
    return [...this.#items.keys()][i] ?? null
  }
  getItem(k) {
    return this.#items.has(k) ? this.#items.get(k) : null
  }
  setItem(k, v) {
    const value = String(v)
    const old = this.#items.has(k) ? k.length + this.#items.get(k).length : 0
    if (this.#used - old + k.length + value.length > this.quota) {
      throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' })
    }
    this.#items.set(k, value)
    this.#used += k.length + value.length - old
  }
  removeItem(k) {
    if (!this.#items.has(k)) return
    this.#used -= k.length + this.#items.get(k).length
    this.#items.delete(k)
  }
  keys() {
    return [...this.#items.keys()]
  }
}
