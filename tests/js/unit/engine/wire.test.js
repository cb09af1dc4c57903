import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { Reader, Writer } from '../../../../js/engine/wire.js'

/** Minimal LEB128, computed with BigInt, as the reference. */
function leb128(n) {
  let v = BigInt(n)
  const out = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return out
}

const bytesOf = (fn, capacity) => {
  const w = new Writer(capacity)
  fn(w)
  return [...w.finish()]
}

describe('varint', () => {
  const values = [0, 1, 127, 128, 255, 300, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 49 + 12345, 2 ** 53 - 1]

  test('encodes minimal LEB128', () => {
    assert.deepEqual(bytesOf((w) => w.varint(0)), [0])
    assert.deepEqual(bytesOf((w) => w.varint(127)), [0x7f])
    assert.deepEqual(bytesOf((w) => w.varint(128)), [0x80, 0x01])
    assert.deepEqual(bytesOf((w) => w.varint(300)), [0xac, 0x02])
    for (const n of values) assert.deepEqual(bytesOf((w) => w.varint(n)), leb128(n), String(n))
  })

  test('2^53-1 takes 8 bytes and round trips', () => {
    const bytes = bytesOf((w) => w.varint(2 ** 53 - 1))
    assert.equal(bytes.length, 8)
    assert.equal(new Reader(Uint8Array.from(bytes)).varint(), 2 ** 53 - 1)
  })

  test('round trips, several in a row, through a Writer that grows', () => {
    const w = new Writer(1)
    for (const n of values) w.varint(n)
    const r = new Reader(w.finish())
    for (const n of values) assert.equal(r.varint(), n)
    assert.equal(r.done, true)
  })
})

describe('string', () => {
  const roundTrip = (s, capacity) => {
    const w = new Writer(capacity)
    w.string(s)
    w.byte(0xee) // a sentinel after it
    const bytes = w.finish()
    const r = new Reader(bytes)
    assert.equal(r.string(), s)
    assert.equal(r.byte(), 0xee)
    assert.equal(r.done, true)
    return [...bytes.subarray(0, bytes.length - 1)]
  }

  test('a varstring is the UTF-8 length then the UTF-8 bytes', () => {
    for (const s of ['', 'a', 'abc', 'é', '€', '😀', 'aé€😀z', '\u0000']) {
      const utf8 = [...Buffer.from(s, 'utf8')]
      assert.deepEqual(roundTrip(s), [...leb128(utf8.length), ...utf8], JSON.stringify(s))
    }
  })

  test('lengths 42 and 43 (the short-string path and past it), ASCII and 3-byte', () => {
    for (const ch of ['x', '€']) {
      for (const n of [41, 42, 43, 44]) {
        const s = ch.repeat(n)
        const utf8 = [...Buffer.from(s, 'utf8')]
        assert.deepEqual(roundTrip(s), [...leb128(utf8.length), ...utf8], `${n} x ${ch}`)
        assert.deepEqual(roundTrip(s, 1), [...leb128(utf8.length), ...utf8], `${n} x ${ch}, tiny writer`)
      }
    }
    // 42 three-byte characters: 126 bytes, still a one-byte length.
    assert.equal(roundTrip('€'.repeat(42))[0], 126)
    // 43 of them: 129 bytes, a two-byte length.
    assert.deepEqual(roundTrip('€'.repeat(43)).slice(0, 2), [0x81, 0x01])
  })

  test('long strings in place: a length prefix shorter than the room left for it closes the gap', () => {
    // Room for 3 bytes per unit; the actual length may take fewer bytes.
    for (const s of ['x'.repeat(43), 'x'.repeat(5462), '€'.repeat(5462), 'é'.repeat(8192), 'a😀'.repeat(3000), 'x'.repeat(20000)]) {
      const utf8 = [...Buffer.from(s, 'utf8')]
      assert.deepEqual(roundTrip(s), [...leb128(utf8.length), ...utf8], `${s.length} units of ${JSON.stringify(s.slice(0, 2))}`)
      assert.deepEqual(roundTrip(s, 1), [...leb128(utf8.length), ...utf8], 'tiny writer')
    }
  })

  test('surrogate pairs in the short path', () => {
    const s = '😀'.repeat(21) // 42 units, 84 bytes
    assert.equal(roundTrip(s)[0], 84)
  })

  test('reader short path (<= 32 bytes) and long path, ASCII and not', () => {
    for (const s of ['a'.repeat(32), 'a'.repeat(33), 'a'.repeat(31) + 'é', 'é'.repeat(16), 'é'.repeat(17), 'x'.repeat(5000), '😀'.repeat(3000)]) {
      roundTrip(s)
    }
  })

  test('strings() writes a count then each string', () => {
    const w = new Writer()
    w.strings(['a', 'bé', ''])
    assert.deepEqual([...w.finish()], [3, 1, 0x61, 3, 0x62, 0xc3, 0xa9, 0])
  })
})

describe('bytes', () => {
  test('length-prefixed raw bytes, read back as a view', () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)
    const w = new Writer(4)
    w.bytes(payload)
    w.bytes(new Uint8Array(0))
    const all = w.finish()
    assert.deepEqual([...all.subarray(0, 2)], leb128(300))
    const r = new Reader(all)
    assert.deepEqual(r.bytes(), payload)
    assert.equal(r.bytes().length, 0)
    assert.equal(r.done, true)
  })
})

describe('fixed64Hex', () => {
  test('little-endian', () => {
    assert.deepEqual(
      bytesOf((w) => w.fixed64Hex('0102030405060708')),
      [8, 7, 6, 5, 4, 3, 2, 1]
    )
  })

  test('round trips, lowercase', () => {
    for (const hex of ['0000000000000000', 'ffffffffffffffff', '0123456789abcdef', '8000000000000001', '0000018f2b3c0001']) {
      const w = new Writer(2)
      w.fixed64Hex(hex)
      const r = new Reader(w.finish())
      assert.equal(r.fixed64Hex(), hex)
      assert.equal(r.done, true)
    }
  })

  test('reads what DataView wrote as a uint64', () => {
    const buf = new Uint8Array(8)
    new DataView(buf.buffer).setBigUint64(0, 0xfedcba9876543210n, true)
    assert.equal(new Reader(buf).fixed64Hex(), 'fedcba9876543210')
  })
})

describe('float64', () => {
  test('reads little-endian doubles, also from a view at an odd offset', () => {
    const values = [0, -0, 0.5, 1 / 3, -1e300, Number.MIN_VALUE, Infinity]
    const backing = new Uint8Array(1 + values.length * 8)
    const view = new DataView(backing.buffer)
    values.forEach((v, i) => view.setFloat64(1 + i * 8, v, true))
    const r = new Reader(backing.subarray(1))
    for (const v of values) assert.equal(Object.is(r.float64(), v), true, String(v))
    assert.equal(r.done, true)
    assert.ok(Number.isNaN((() => {
      const b = new Uint8Array(8)
      new DataView(b.buffer).setFloat64(0, NaN, true)
      return new Reader(b).float64()
    })()))
  })
})

describe('Writer', () => {
  test('grows from capacity 1 and keeps what was written', () => {
    const w = new Writer(1)
    const expected = []
    for (let i = 0; i < 1000; i++) {
      w.byte(i & 0xff)
      expected.push(i & 0xff)
      w.string('s' + i)
      expected.push(...leb128(Buffer.byteLength('s' + i)), ...Buffer.from('s' + i))
    }
    assert.deepEqual([...w.finish()], expected)
    assert.ok(w.buf.length >= w.pos)
  })

  test('one reserve larger than twice the buffer', () => {
    const w = new Writer(2)
    const big = new Uint8Array(10000).fill(7)
    w.bytes(big)
    assert.equal(w.pos, 2 + 10000)
    assert.deepEqual(w.finish().subarray(2), big)
  })

  test('reset empties it and keeps the buffer', () => {
    const w = new Writer(8)
    w.string('hello world, this is long enough to grow')
    const buf = w.buf
    assert.equal(w.reset(), w)
    assert.equal(w.pos, 0)
    assert.equal(w.finish().length, 0)
    assert.equal(w.buf, buf)
    w.byte(1)
    assert.deepEqual([...w.finish()], [1])
  })
})

describe('Reader', () => {
  test('skipString skips a whole varstring (long length prefix too)', () => {
    const w = new Writer()
    w.string('x'.repeat(200))
    w.byte(9)
    const r = new Reader(w.finish())
    r.skipString()
    assert.equal(r.byte(), 9)
    assert.equal(r.done, true)
  })

  test('skip and done', () => {
    const r = new Reader(Uint8Array.of(1, 2, 3))
    assert.equal(r.done, false)
    r.skip(2)
    assert.equal(r.byte(), 3)
    assert.equal(r.done, true)
  })
})
