// CallBuffers: the byte protocol of the engine handle's staged calls and
// replies (wasm/engine_handle.h, "staged" and "replies"): inputs are
// written into a staging buffer the handle keeps, after their length;
// answers are read in place from the handle's reply buffer, after theirs.
// Both lengths are fixed32, little-endian. Only js/engine/ uses it.

// Smallest staging room asked for, in bytes.
const STAGE_ROOM = 4096

export class CallBuffers {
  #module
  /** Address and size of the staging room the handle gave; -1: none yet. */
  #stageAt = 0
  #stageRoom = -1

  /** @param {any} module the Emscripten module (its HEAPU8) */
  constructor(module) {
    this.#module = module
  }

  /**
   * Copies a call's input bytes into the handle's staging buffer, after
   * their length. The buffer is asked for again (handle._stage) only when
   * the bytes do not fit it, or when it grew past 1 MiB for a large call
   * and calls are small again (the handle then gives the memory back).
   * @param {any} handle the embind EngineHandle the call goes to
   * @param {Uint8Array} bytes
   */
  stage(handle, bytes) {
    const n = bytes.length
    if (n > this.#stageRoom || (this.#stageRoom > 1 << 20 && n < this.#stageRoom / 4)) {
      // Room to spare, so that calls a little larger than this one fit too.
      const room = Math.max(STAGE_ROOM, n + (n >>> 1))
      this.#stageAt = handle._stage(room)
      this.#stageRoom = room
    }
    // Read HEAPU8 after _stage: a grown memory replaces it.
    const heap = this.#module.HEAPU8
    const at = this.#stageAt
    heap[at] = n & 0xff
    heap[at + 1] = (n >>> 8) & 0xff
    heap[at + 2] = (n >>> 16) & 0xff
    heap[at + 3] = n >>> 24
    heap.set(bytes, at + 4)
  }

  /**
   * The answer of the call just made that replied in the handle's reply
   * buffer, as a view of wasm memory.
   * INVARIANT: the view is decoded at once, before any other call into the
   * module (which may reuse or move the buffer), and never kept: every
   * decoder of a reply copies what it returns (strings, slices).
   * @param {number} at the address the call returned
   * @returns {Uint8Array}
   */
  reply(at) {
    const heap = this.#module.HEAPU8
    const n = (heap[at] | (heap[at + 1] << 8) | (heap[at + 2] << 16) | (heap[at + 3] << 24)) >>> 0
    return heap.subarray(at + 4, at + 4 + n)
  }
}
