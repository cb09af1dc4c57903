// Per-peer token buckets: a peer may send `messages` messages and `bytes`
// bytes per second on average, with bursts of twice that (a larger message
// passes when the bucket is full, and leaves it in debt). What exceeds is
// dropped (and counted by the caller). The messenger keeps one for what
// peers send and one for what it sends them.
export class RateLimiter {
  #limits
  #buckets = new Map() // peerId -> { messages, bytes, at }
  #now

  /** @param {{messages: number, bytes: number}} limits per second */
  constructor(limits, now = () => Date.now()) {
    this.#limits = limits
    this.#now = now
  }

  /** Takes one message of `size` bytes from `peerId`'s bucket. */
  allow(peerId, size) {
    if (!this.has(peerId, size)) return false
    const b = this.#buckets.get(peerId)
    b.messages -= 1
    b.bytes -= size
    return true
  }

  /** Whether one message of `size` bytes fits `peerId`'s bucket now (nothing taken). */
  has(peerId, size) {
    const now = this.#now()
    const { messages, bytes } = this.#limits
    let b = this.#buckets.get(peerId)
    if (!b) {
      b = { messages: 2 * messages, bytes: 2 * bytes, at: now }
      this.#buckets.set(peerId, b)
    }
    const elapsed = Math.max(0, now - b.at) / 1000
    b.at = now
    b.messages = Math.min(2 * messages, b.messages + elapsed * messages)
    b.bytes = Math.min(2 * bytes, b.bytes + elapsed * bytes)
    // A message larger than the burst passes once the bucket is full, and
    // leaves it in debt: the average stays within the rate, and no message
    // is refused for ever for its size alone.
    return b.messages >= 1 && b.bytes >= Math.min(size, 2 * bytes)
  }

  /** Takes `size` bytes from `peerId`'s bucket whatever it holds (work
   *  done before its cost was known): the bucket may go into debt. */
  charge(peerId, size) {
    this.has(peerId, 0)
    this.#buckets.get(peerId).bytes -= size
  }

  forget(peerId) {
    this.#buckets.delete(peerId)
  }
}
