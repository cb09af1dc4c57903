import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingStorageError } from '../../../../js/core/errors.js'
import { MAX_VALUE_DEPTH, decodeValue, encodeValue, parseJsonText } from '../../../../js/core/values.js'

const MAX = 1 << 20

function refused(value, pattern, key) {
  assert.throws(
    () => encodeValue(value, MAX, key),
    (err) => {
      assert.ok(err instanceof PagingStorageError)
      assert.equal(err.code, 'INVALID_VALUE')
      if (pattern) assert.match(err.message, pattern)
      return true
    }
  )
}

describe('encodeValue accepts what JSON carries unchanged', () => {
  const values = [
    null,
    true,
    false,
    0,
    -1.5,
    Number.MAX_SAFE_INTEGER,
    '',
    'text with "quotes" and \u0000 and 😀',
    [],
    [1, 'a', null, [2, [3]]],
    {},
    { a: 1, nested: { b: [true, { c: 'd' }] } }
  ]
  for (const v of values) {
    test(`${JSON.stringify(v)} reads back deeply equal`, () => {
      const json = encodeValue(v, MAX)
      assert.equal(typeof json, 'string')
      assert.deepEqual(decodeValue(json), v)
    })
  }


  test('decodeValue gives a fresh value each time', () => {
    const json = encodeValue({ a: [1] }, MAX)
    const first = /** @type {any} */ (decodeValue(json))
    first.a.push(2)
    assert.deepEqual(decodeValue(json), { a: [1] })
  })

  test('a shared (non-cyclic) reference is not a cycle', () => {
    const shared = { s: 1 }
    assert.equal(encodeValue({ a: shared, b: [shared, shared] }, MAX), '{"a":{"s":1},"b":[{"s":1},{"s":1}]}')
  })

  test('deep nesting', () => {
    let v = 'leaf'
    for (let i = 0; i < 200; i++) v = { v: [v] }
    assert.equal(encodeValue(v, MAX), JSON.stringify(v))
  })
})

describe('encodeValue refuses with INVALID_VALUE', () => {
  test('undefined, at the top and inside', () => {
    refused(undefined, /undefined cannot be stored/)
    refused({ a: undefined }, /undefined/)
    refused([1, undefined], /undefined/)
  })

  test('functions and symbols', () => {
    refused(() => 1, /a function cannot be stored/)
    refused({ f() {} }, /a function/)
    refused(Symbol('s'), /a symbol cannot be stored/)
    refused([Symbol.iterator], /a symbol/)
  })

  test('BigInt', () => {
    refused(1n, /a BigInt cannot be stored/)
    refused({ n: 10n }, /BigInt/)
  })

  test('NaN and Infinity', () => {
    refused(NaN, /NaN is not a finite number/)
    refused(Infinity, /Infinity is not a finite number/)
    refused({ x: -Infinity }, /-Infinity is not a finite number/)
    refused([0, NaN], /NaN/)
  })

  test('cycles, direct and deep', () => {
    const a = { name: 'a' }
    a.self = a
    refused(a, /cycle/)
    const arr = [1]
    arr.push({ back: arr })
    refused(arr, /cycle/)
  })

  test('array holes', () => {
    refused([1, , 3], /array hole at index 1/) // eslint-disable-line no-sparse-arrays
    refused(new Array(2), /array hole at index 0/)
  })

  test('Date, Map, Set, RegExp, typed arrays and class instances', () => {
    refused(new Date(0), /Date is not a plain object/)
    refused(new Map([[1, 2]]), /Map is not a plain object/)
    refused(new Set(), /Set is not a plain object/)
    refused(/x/, /RegExp/)
    refused(new Uint8Array(2), /Uint8Array/)
    class Point {
      constructor() {
        this.x = 1
      }
    }
    refused(new Point(), /Point is not a plain object/)
    refused({ when: new Date(0) }, /Date/)
    refused(new String('boxed'), /String/)
  })

  test('the error carries the key given', () => {
    assert.throws(() => encodeValue(undefined, MAX, 'k1'), { code: 'INVALID_VALUE', key: 'k1' })
  })
})

describe('encodeValue size limit in UTF-8 bytes of the JSON text', () => {
  test('ASCII at the boundary', () => {
    // JSON of a string of n chars is n + 2 bytes.
    assert.equal(encodeValue('x'.repeat(98), 100), JSON.stringify('x'.repeat(98)))
    assert.throws(() => encodeValue('x'.repeat(99), 100), { code: 'INVALID_VALUE', message: /larger than 100 bytes/ })
  })

  test('multi-byte characters count as their UTF-8 bytes', () => {
    // 'é' is 2 bytes: 49 of them + quotes = 100 bytes; 50 = 102.
    assert.doesNotThrow(() => encodeValue('é'.repeat(49), 100))
    assert.throws(() => encodeValue('é'.repeat(50), 100), { code: 'INVALID_VALUE' })
    // 4-byte characters: 24 * 4 + 2 = 98; 25 * 4 + 2 = 102.
    assert.doesNotThrow(() => encodeValue('😀'.repeat(24), 100))
    assert.throws(() => encodeValue('😀'.repeat(25), 100), { code: 'INVALID_VALUE' })
  })

  test('escapes count as the text JSON makes of them', () => {
    // '\n' becomes two characters in JSON.
    assert.doesNotThrow(() => encodeValue('\n'.repeat(49), 100))
    assert.throws(() => encodeValue('\n'.repeat(50), 100), { code: 'INVALID_VALUE' })
  })
})

describe('parseJsonText', () => {
  test('valid JSON text parses once', () => {
    assert.deepEqual(parseJsonText('{"a":[1,2]}', MAX), { ok: true, value: { a: [1, 2] } })
    assert.deepEqual(parseJsonText('null', MAX), { ok: true, value: null })
    assert.deepEqual(parseJsonText('"é"', MAX), { ok: true, value: 'é' })
  })

  test('non-strings, empty text and malformed JSON are refused', () => {
    for (const bad of [undefined, null, 1, {}, '', '{', 'undefined', "{'a':1}", 'NaN', '1 2']) {
      assert.deepEqual(parseJsonText(bad, MAX), { ok: false }, String(bad))
    }
  })

  test('size in UTF-8 bytes at the boundary', () => {
    assert.equal(parseJsonText('"' + 'x'.repeat(8) + '"', 10).ok, true)
    assert.equal(parseJsonText('"' + 'x'.repeat(9) + '"', 10).ok, false)
    assert.equal(parseJsonText('"' + 'é'.repeat(4) + '"', 10).ok, true) // 10 bytes
    assert.equal(parseJsonText('"' + 'é'.repeat(5) + '"', 10).ok, false) // 12 bytes, 7 units
  })
})

describe('regression: one value rule (values used to be stored changed, or refused with raw errors)', () => {
  /** Refused with INVALID_VALUE, and with `cause` when reading the value threw. */
  function refusedWith(value, pattern, withCause = false) {
    assert.throws(
      () => encodeValue(value, MAX, 'k'),
      (err) => {
        assert.ok(err instanceof PagingStorageError, `not a PagingStorageError: ${err}`)
        assert.equal(err.code, 'INVALID_VALUE')
        assert.equal(err.key, 'k')
        assert.match(err.message, pattern)
        if (withCause) assert.ok(err.cause instanceof Error)
        return true
      }
    )
  }

  test(`nesting deeper than MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) is INVALID_VALUE, not a RangeError`, () => {
    let ok = 1
    for (let i = 0; i < MAX_VALUE_DEPTH; i++) ok = [ok]
    assert.deepStrictEqual(decodeValue(encodeValue(ok, MAX)), ok)
    let deep = 1
    for (let i = 0; i < 5000; i++) deep = { d: deep }
    refusedWith(deep, /deeper than 512 levels/)
    refusedWith([ok], /deeper/)
  })

  test('a getter is read once: what is stored is what the check saw', () => {
    let reads = 0
    const sneaky = {
      get x() {
        return reads++ === 0 ? 1 : undefined
      }
    }
    assert.equal(encodeValue(sneaky, MAX), '{"x":1}')
    assert.equal(reads, 1)
  })

  test('throwing getters, throwing Proxy traps and revoked Proxies are INVALID_VALUE with the cause', () => {
    refusedWith(
      {
        get x() {
          throw new Error('boom')
        }
      },
      /could not be read: boom/,
      true
    )
    refusedWith(new Proxy({}, { ownKeys() { throw new Error('trap') } }), /could not be read: trap/, true)
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    refusedWith(proxy, /could not be read/, true)
    refusedWith({ nested: [proxy] }, /could not be read/, true)
  })

  test('-0 is stored exactly (it read back as 0)', () => {
    for (const v of [-0, [1, -0], { a: { b: -0 }, c: 'x', d: [0, -0.5] }]) {
      const json = encodeValue(v, MAX)
      assert.deepStrictEqual(decodeValue(json), v)
    }
    assert.equal(encodeValue({ a: [1, -0] }, MAX), '{"a":[1,-0]}')
    assert.ok(Object.is(decodeValue(encodeValue(-0, MAX)), -0))
  })

  test('what JSON would change is refused: named array properties, null prototypes, symbol keys', () => {
    const arr = Object.assign([1, 2], { extra: 'x' })
    refusedWith(arr, /named properties/)
    refusedWith(Object.assign(Object.create(null), { a: 1 }), /null-prototype object is not a plain object/)
    refusedWith({ a: 1, [Symbol('s')]: 2 }, /symbol-keyed/)
    refusedWith([Object.assign([], { [Symbol('s')]: 1 })], /symbol-keyed/)
  })

  test('a Proxy of a plain value is stored as the value it shows', () => {
    const p = new Proxy({ a: 1, b: [2] }, {})
    assert.deepStrictEqual(decodeValue(encodeValue(p, MAX)), { a: 1, b: [2] })
  })

  test('what is accepted reads back deeply (strictly) equal: random values', () => {
    let seed = 7
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const gen = (depth) => {
      const r = rnd()
      if (depth > 4 || r < 0.3) {
        const pick = Math.floor(rnd() * 6)
        return [null, true, rnd() * 1e6 - 5e5, 'x\u2028"\\' + rnd(), Math.floor(rnd() * 100), ''][pick]
      }
      if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1))
      const o = {}
      for (let i = Math.floor(rnd() * 4); i > 0; i--) o['k' + Math.floor(rnd() * 10)] = gen(depth + 1)
      return o
    }
    for (let i = 0; i < 500; i++) {
      const v = gen(0)
      assert.deepStrictEqual(decodeValue(encodeValue(v, MAX)), v)
      assert.equal(encodeValue(v, MAX), JSON.stringify(v), 'the same text JSON.stringify writes')
    }
  })
})
