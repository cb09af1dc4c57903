// The one key rule: what a key is, how long it is in UTF-8, how keys are
// ordered, and which keys a watch target matches. Pure; every layer uses it.
import { PagingStorageError } from './errors.js'

const encoder = new TextEncoder()

/**
 * UTF-8 byte length of a string, without allocating for ASCII.
 * @param {string} s
 * @returns {number} bytes
 */
export function utf8Length(s) {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return encoder.encode(s).length
  }
  return s.length
}

/**
 * What is wrong with `key` as a key, or null when it is one: a non-empty,
 * well-formed (no lone surrogate) string of at most maxKeyBytes UTF-8 bytes.
 * @param {unknown} key
 * @param {number} maxKeyBytes
 * @returns {string | null}
 */
export function keyProblem(key, maxKeyBytes) {
  if (typeof key !== 'string') return `key must be a string, got ${describe(key)}`
  if (key.length === 0) return 'key must not be empty'
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: long keys are refused before any
  // pass over them, short ones need no count.
  if (key.length > maxKeyBytes) return `key is longer than ${maxKeyBytes} bytes of UTF-8`
  if (!key.isWellFormed()) return 'key contains a lone UTF-16 surrogate'
  if (key.length > maxKeyBytes / 3 && utf8Length(key) > maxKeyBytes) {
    return `key is longer than ${maxKeyBytes} bytes of UTF-8`
  }
  return null
}

/**
 * @param {unknown} key
 * @param {number} maxKeyBytes
 * @returns {key is string} whether key is a valid key (see keyProblem)
 */
export function isKey(key, maxKeyBytes) {
  return keyProblem(key, maxKeyBytes) === null
}

/**
 * The key as the API accepts it: a valid key string, or a finite number
 * (through String()).
 * @param {unknown} key
 * @param {number} maxKeyBytes
 * @returns {string}
 * @throws {PagingStorageError} INVALID_KEY
 */
export function normalizeKey(key, maxKeyBytes) {
  if (typeof key === 'number' && Number.isFinite(key)) key = String(key)
  const problem = keyProblem(key, maxKeyBytes)
  if (problem !== null) {
    const extra = typeof key === 'string' && key.length > 0 ? { key: key.slice(0, 64) } : {}
    throw new PagingStorageError('INVALID_KEY', problem, extra)
  }
  return /** @type {string} */ (key)
}

/**
 * The store's key order: the byte order of the UTF-8 encodings (Unicode
 * code point order), which is what the engine compares. Also orders peer ids
 * on the ring.
 * @param {string} a
 * @param {string} b
 * @returns {number} negative, zero or positive
 */
export function compareKeys(a, b) {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = /** @type {number} */ (a.codePointAt(i))
    const y = /** @type {number} */ (b.codePointAt(i))
    if (x !== y) return x < y ? -1 : 1
    // Equal code points: a surrogate pair in both, skip its second half.
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

/**
 * A watch target as the app gives it — a key prefix (string), { prefix } or
 * exactly { key } — in one shape.
 * @param {unknown} target
 * @returns {{key: string} | {prefix: string}}
 * @throws {PagingStorageError} INVALID_ARGUMENT for anything else
 */
export function watchTarget(target) {
  if (typeof target === 'string') return { prefix: target }
  const t = /** @type {any} */ (target)
  if (t && typeof t.key === 'string') return { key: t.key }
  if (t && typeof t.prefix === 'string') return { prefix: t.prefix }
  throw new PagingStorageError('INVALID_ARGUMENT', 'watch expects a key prefix, { key } or { prefix }')
}

/**
 * The predicate of a watch target (see watchTarget).
 * @param {string | {key: string} | {prefix: string}} target
 * @returns {(key: string) => boolean}
 * @throws {PagingStorageError} INVALID_ARGUMENT for anything else
 */
export function keyMatcher(target) {
  const t = watchTarget(target)
  if ('key' in t) return (k) => k === t.key
  return (k) => k.startsWith(t.prefix)
}

/**
 * A short description of a value's type for error messages.
 * @param {unknown} v
 * @returns {string}
 */
export function describe(v) {
  if (v === null) return 'null'
  if (typeof v === 'bigint') return 'a BigInt'
  if (typeof v === 'function') return 'a function'
  if (typeof v === 'symbol') return 'a symbol'
  if (v === undefined) return 'undefined'
  return typeof v
}
