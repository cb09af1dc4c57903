// A minimal event emitter; a throwing listener never breaks the store.
export class Emitter {
  #listeners = new Map()

  on(event, fn) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set())
    this.#listeners.get(event).add(fn)
    return () => this.off(event, fn)
  }

  off(event, fn) {
    this.#listeners.get(event)?.delete(fn)
  }

  /** Whether anyone listens: lets callers skip building a payload. */
  has(event) {
    return (this.#listeners.get(event)?.size ?? 0) > 0
  }

  emit(event, payload) {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const fn of [...set]) {
      try {
        fn(payload)
      } catch {
        // Listener errors are the app's; swallowing keeps the store running.
      }
    }
  }
}
