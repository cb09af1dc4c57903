// MemoryBackend: the persistence interface (persistence/backend.js), kept in
// JavaScript memory. The default in Node. Pages evicted from the wasm heap
// live here as bytes; nothing survives the process.
export class MemoryBackend {
  #pages = new Map()
  #records = new Map()
  #state = null

  async loadManifest() {
    if (this.#state === null) return null
    return { state: this.#state, records: [...this.#records.values()] }
  }

  async readPages(ids) {
    const out = new Map()
    for (const id of ids) {
      const bytes = this.#pages.get(id)
      if (bytes !== undefined) out.set(id, bytes)
    }
    return out
  }

  async writeBatch({ pages, deleted, state }) {
    for (const p of pages) {
      this.#pages.set(p.id, p.bytes)
      this.#records.set(p.id, p.record)
    }
    for (const id of deleted) {
      this.#pages.delete(id)
      this.#records.delete(id)
    }
    this.#state = state
  }

  async clear() {
    this.#pages.clear()
    this.#records.clear()
    this.#state = null
  }

  async close() {}

  /** Pages stored, for stats and tests. */
  get pageCount() {
    return this.#pages.size
  }
}
