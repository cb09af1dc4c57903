// The primitives of the wasm boundary's byte formats (wasm/wire_format.h,
// cpp/src/coding.h): LEB128 varints, varstrings, little-endian fixed64.
// Only js/engine/ builds or reads bytes.

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Bytes of n as a LEB128 varint.
 * @param {number} n a non-negative integer below 2^53
 * @returns {number}
 */
function varintSize(n) {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size++
  }
  return size
}

/** Appends primitives to a growable byte buffer. */
export class Writer {
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity)
    this.pos = 0
  }

  reserve(n) {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  byte(b) {
    this.reserve(1)
    this.buf[this.pos++] = b
  }

  /** n: a non-negative integer below 2^53. */
  varint(n) {
    this.reserve(8)
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.buf[this.pos++] = n
  }

  /** A varstring of the string's UTF-8 bytes. */
  string(s) {
    const n = s.length
    // Short ASCII strings (most keys): a plain loop beats encodeInto's
    // fixed cost. A unit past ASCII falls through to encodeInto.
    if (n <= 16) {
      this.reserve(1 + n * 3)
      const buf = this.buf
      let i = 0
      for (; i < n; i++) {
        const c = s.charCodeAt(i)
        if (c >= 0x80) break
        buf[this.pos + 1 + i] = c
      }
      if (i === n) {
        buf[this.pos] = n
        this.pos += 1 + n
        return
      }
    }
    // At most 3 bytes per UTF-16 unit: short strings fit a 1-byte length.
    if (n <= 42) {
      this.reserve(1 + s.length * 3)
      const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos + 1))
      this.buf[this.pos] = written
      this.pos += 1 + written
      return
    }
    // Encoded in place (no copy of its own) after room for the longest
    // length prefix it may need; when the actual length takes fewer bytes,
    // the string moves left to close the gap (varints are minimal).
    const most = n * 3
    const room = varintSize(most)
    this.reserve(room + most)
    const start = this.pos + room
    const { written } = encoder.encodeInto(s, this.buf.subarray(start))
    const size = varintSize(written)
    let length = written
    for (let i = 0; i < size - 1; i++) {
      this.buf[this.pos++] = (length % 0x80) | 0x80
      length = Math.floor(length / 0x80)
    }
    this.buf[this.pos++] = length
    if (this.pos !== start) this.buf.copyWithin(this.pos, start, start + written)
    this.pos += written
  }

  bytes(u8) {
    this.varint(u8.length)
    this.reserve(u8.length)
    this.buf.set(u8, this.pos)
    this.pos += u8.length
  }

  /** hex: 16 hex digits. */
  fixed64Hex(hex) {
    this.reserve(8)
    for (let i = 0; i < 8; i++) {
      this.buf[this.pos + i] = parseInt(hex.slice(14 - 2 * i, 16 - 2 * i), 16)
    }
    this.pos += 8
  }

  /** Wire `keys` (also `members`): count, then each string. */
  strings(list) {
    this.varint(list.length)
    for (const s of list) this.string(s)
  }

  /** A view of what was written; valid until the next write or reset. */
  finish() {
    return this.buf.subarray(0, this.pos)
  }

  /** Empties the writer, keeping its buffer for reuse. */
  reset() {
    this.pos = 0
    return this
  }
}

/** Reads primitives from bytes the engine produced. */
export class Reader {
  constructor(u8) {
    this.buf = u8
    this.pos = 0
  }

  get done() {
    return this.pos >= this.buf.length
  }

  byte() {
    return this.buf[this.pos++]
  }

  varint() {
    let result = 0
    let scale = 1
    for (;;) {
      const b = this.buf[this.pos++]
      result += (b & 0x7f) * scale
      if (b < 0x80) return result
      scale *= 0x80
    }
  }

  bytes() {
    const n = this.varint()
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  string() {
    const n = this.varint()
    const start = this.pos
    this.pos += n
    // Short ASCII strings (most keys and small values): a plain loop beats
    // TextDecoder's fixed cost.
    if (n <= 32) {
      let s = ''
      for (let i = start; i < start + n; i++) {
        const c = this.buf[i]
        if (c >= 0x80) return decoder.decode(this.buf.subarray(start, start + n))
        s += String.fromCharCode(c)
      }
      return s
    }
    return decoder.decode(this.buf.subarray(start, start + n))
  }

  /** Skips a varstring. */
  skipString() {
    // Not `this.pos += this.varint()`: that reads pos before varint() moves it.
    const n = this.varint()
    this.pos += n
  }

  /** 16 lowercase hex digits. */
  fixed64Hex() {
    let hex = ''
    for (let i = 7; i >= 0; i--) hex += this.buf[this.pos + i].toString(16).padStart(2, '0')
    this.pos += 8
    return hex
  }

  /** An IEEE-754 double, little-endian. */
  float64() {
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8)
    this.pos += 8
    return view.getFloat64(0, true)
  }

  skip(n) {
    this.pos += n
  }
}
