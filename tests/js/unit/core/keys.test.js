import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingStorageError } from '../../../../js/core/errors.js'
import { compareKeys, describe as describeValue, isKey, keyMatcher, keyProblem, normalizeKey, utf8Length } from '../../../../js/core/keys.js'
import { seededRandom } from '../../../../js/transport/simulated-network.js'

const MAX = 1024

/** A deterministic PRNG, so failures reproduce. */
const rng = seededRandom

// Code points from every UTF-8 length class, and the ones around the
// surrogate range where UTF-16 order and code point order disagree.
const POOL = [
  0x01, 0x41, 0x61, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac, 0xd7ff, 0xe000, 0xfb01, 0xfffd, 0xffff,
  0x10000, 0x1f600, 0x10ffff
]

function randomString(next) {
  const n = Math.floor(next() * 6)
  let s = ''
  for (let i = 0; i < n; i++) {
    const cp = next() < 0.7 ? POOL[Math.floor(next() * POOL.length)] : Math.floor(next() * 0x10ffff)
    // Skip the surrogate range: keys are well-formed.
    s += String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? cp + 0x800 : cp)
  }
  return s
}

describe('utf8Length', () => {
  test('equals Buffer.byteLength on ASCII, 2-, 3- and 4-byte characters', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'aé€😀', 'x'.repeat(1000), '\u0000']) {
      assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s))
    }
  })

  test('equals Buffer.byteLength on random strings', () => {
    const next = rng(1)
    for (let i = 0; i < 500; i++) {
      const s = randomString(next)
      assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'))
    }
  })
})

describe('keyProblem', () => {
  test('non-strings are named in the message', () => {
    assert.equal(keyProblem(42, MAX), 'key must be a string, got number')
    assert.equal(keyProblem(null, MAX), 'key must be a string, got null')
    assert.equal(keyProblem(undefined, MAX), 'key must be a string, got undefined')
    assert.equal(keyProblem(1n, MAX), 'key must be a string, got a BigInt')
    assert.equal(keyProblem(Symbol('s'), MAX), 'key must be a string, got a symbol')
    assert.equal(keyProblem(() => 1, MAX), 'key must be a string, got a function')
    assert.equal(keyProblem({}, MAX), 'key must be a string, got object')
    assert.equal(keyProblem(['a'], MAX), 'key must be a string, got object')
    assert.equal(keyProblem(new String('a'), MAX), 'key must be a string, got object')
  })

  test('the empty string is not a key', () => {
    assert.equal(keyProblem('', MAX), 'key must not be empty')
  })

  test('lone surrogates are refused, pairs accepted', () => {
    for (const k of ['\ud800', '\udc00', 'a\ud83db', 'ab\udc00', '\udc00\ud800', '😀'.slice(0, 1)]) {
      assert.equal(keyProblem(k, MAX), 'key contains a lone UTF-16 surrogate', JSON.stringify(k))
    }
    assert.equal(keyProblem('\ud83d\ude00', MAX), null)
  })

  test('length is counted in UTF-8 bytes, at the boundary', () => {
    const tooLong = `key is longer than ${MAX} bytes of UTF-8`
    assert.equal(keyProblem('x'.repeat(1024), MAX), null)
    assert.equal(keyProblem('x'.repeat(1025), MAX), tooLong)
    assert.equal(keyProblem('é'.repeat(512), MAX), null)
    assert.equal(keyProblem('é'.repeat(513), MAX), tooLong)
    assert.equal(keyProblem('€'.repeat(341), MAX), null) // 1023 bytes
    assert.equal(keyProblem('€'.repeat(341) + 'x', MAX), null) // 1024
    assert.equal(keyProblem('€'.repeat(342), MAX), tooLong) // 1026
    assert.equal(keyProblem('😀'.repeat(256), MAX), null) // 1024 bytes, 512 units
    assert.equal(keyProblem('😀'.repeat(256) + 'x', MAX), tooLong)
    // Mixed: 1022 ASCII + one 2-byte char = 1024; one more ASCII is 1025.
    assert.equal(keyProblem('x'.repeat(1022) + 'é', MAX), null)
    assert.equal(keyProblem('x'.repeat(1023) + 'é', MAX), tooLong)
  })

  test('a small limit', () => {
    assert.equal(keyProblem('é', 2), null)
    assert.equal(keyProblem('€', 2), 'key is longer than 2 bytes of UTF-8')
    assert.equal(keyProblem('ab', 2), null)
    assert.equal(keyProblem('abc', 2), 'key is longer than 2 bytes of UTF-8')
  })

  test('isKey agrees with keyProblem', () => {
    for (const k of ['a', '', 42, '\ud800', 'x'.repeat(1025), 'é'.repeat(512)]) {
      assert.equal(isKey(k, MAX), keyProblem(k, MAX) === null)
    }
  })
})

describe('normalizeKey', () => {
  test('valid strings pass unchanged', () => {
    assert.equal(normalizeKey('user:1', MAX), 'user:1')
    assert.equal(normalizeKey('😀', MAX), '😀')
  })

  test('finite numbers are accepted through String()', () => {
    assert.equal(normalizeKey(42, MAX), '42')
    assert.equal(normalizeKey(1.5, MAX), '1.5')
    assert.equal(normalizeKey(-0, MAX), '0')
    assert.equal(normalizeKey(1e21, MAX), '1e+21')
  })

  for (const bad of [NaN, Infinity, -Infinity, null, undefined, {}, 1n, '', '\udfff']) {
    test(`refuses ${typeof bad === 'string' ? JSON.stringify(bad) : String(bad)} with INVALID_KEY and keyProblem's message`, () => {
      assert.throws(
        () => normalizeKey(bad, MAX),
        (err) => {
          assert.ok(err instanceof PagingStorageError)
          assert.equal(err.code, 'INVALID_KEY')
          assert.equal(err.message, keyProblem(bad, MAX))
          return true
        }
      )
    })
  }

  test('a non-finite number is described as a number', () => {
    assert.throws(() => normalizeKey(NaN, MAX), { code: 'INVALID_KEY', message: 'key must be a string, got number' })
  })

  test('the error names at most the first 64 units of a too-long key', () => {
    const key = 'a'.repeat(100) + 'b'.repeat(1000)
    assert.throws(
      () => normalizeKey(key, MAX),
      (err) => {
        assert.equal(err.code, 'INVALID_KEY')
        assert.equal(err.key, 'a'.repeat(64))
        return true
      }
    )
  })

  test('no key property for empty and non-string keys', () => {
    for (const bad of ['', null, 7n]) {
      try {
        normalizeKey(bad, MAX)
        assert.fail('should throw')
      } catch (err) {
        assert.equal('key' in err, false)
      }
    }
  })
})

describe('compareKeys', () => {
  const byteOrder = (a, b) => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')))

  test('equals Buffer.compare of the UTF-8 encodings on random strings', () => {
    const next = rng(42)
    for (let i = 0; i < 4000; i++) {
      const a = randomString(next)
      // Often share a prefix, so that the difference is deep inside.
      const b = next() < 0.5 ? a.slice(0, Math.floor(next() * (a.length + 1))) + randomString(next) : randomString(next)
      assert.equal(Math.sign(compareKeys(a, b)), byteOrder(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
      assert.equal(Math.sign(compareKeys(b, a)), byteOrder(b, a))
    }
  })

  test('surrogate order traps: code point order, not UTF-16 unit order', () => {
    // In UTF-16 units, U+10000 (0xd800 0xdc00) sorts below U+FFFF and U+E000.
    assert.ok(compareKeys('\uffff', '\u{10000}') < 0)
    assert.ok(compareKeys('\u{10000}', '\uffff') > 0)
    assert.ok(compareKeys('\ue000', '\u{1f600}') < 0)
    assert.ok(compareKeys('\ufb01', '😀') < 0)
    assert.ok(compareKeys('a\uffffz', 'a\u{10000}') < 0)
    assert.ok(compareKeys('\u{10000}', '\u{10001}') < 0)
    assert.ok(compareKeys('\u{1f600}b', '\u{1f600}a') > 0)
  })

  test('prefixes sort first; equal strings compare 0', () => {
    assert.ok(compareKeys('ab', 'abc') < 0)
    assert.ok(compareKeys('abc', 'ab') > 0)
    assert.ok(compareKeys('😀', '😀a') < 0)
    assert.equal(compareKeys('😀x', '😀x'), 0)
    assert.equal(compareKeys('', ''), 0)
    assert.ok(compareKeys('', 'a') < 0)
  })

  test('sorting with it equals sorting the UTF-8 bytes', () => {
    const next = rng(7)
    const keys = Array.from({ length: 500 }, () => randomString(next))
    const sorted = [...keys].sort(compareKeys)
    const expected = [...keys].sort(byteOrder)
    assert.deepEqual(sorted, expected)
  })
})

describe('keyMatcher', () => {
  test('a string is a prefix', () => {
    const m = keyMatcher('user:')
    assert.equal(m('user:1'), true)
    assert.equal(m('user:'), true)
    assert.equal(m('users'), false)
    assert.equal(m('xuser:1'), false)
  })

  test('the empty prefix matches every key', () => {
    assert.equal(keyMatcher('')('anything'), true)
    assert.equal(keyMatcher({ prefix: '' })('anything'), true)
  })

  test('{ key } matches exactly', () => {
    const m = keyMatcher({ key: 'doc:1' })
    assert.equal(m('doc:1'), true)
    assert.equal(m('doc:10'), false)
    assert.equal(m('doc:'), false)
  })

  test('{ prefix } is a prefix', () => {
    const m = keyMatcher({ prefix: 'doc:' })
    assert.equal(m('doc:10'), true)
    assert.equal(m('do'), false)
  })

  for (const bad of [null, undefined, 42, {}, { key: 1 }, { prefix: null }, ['a']]) {
    test(`${JSON.stringify(bad)} -> INVALID_ARGUMENT`, () => {
      assert.throws(() => keyMatcher(/** @type {any} */ (bad)), { name: 'PagingStorageError', code: 'INVALID_ARGUMENT' })
    })
  }
})

describe('describe', () => {
  test('names each kind of value', () => {
    assert.equal(describeValue(null), 'null')
    assert.equal(describeValue(undefined), 'undefined')
    assert.equal(describeValue(1n), 'a BigInt')
    assert.equal(describeValue(() => {}), 'a function')
    assert.equal(describeValue(Symbol.iterator), 'a symbol')
    assert.equal(describeValue(3), 'number')
    assert.equal(describeValue('s'), 'string')
    assert.equal(describeValue({}), 'object')
  })
})
