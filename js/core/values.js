// The one value rule. A value is stored as JSON text, and a value is
// accepted exactly when it reads back deeply equal (assert.deepStrictEqual)
// to what was given; anything else is refused with INVALID_VALUE before
// anything is queued:
//   - null, booleans, strings, finite numbers (-0 too: it is written "-0",
//     which JSON.parse reads back as -0);
//   - arrays without holes, named properties or symbol keys;
//   - plain objects (prototype Object.prototype: not null-prototype objects,
//     class instances, Dates, Maps...) without symbol keys, whose own
//     enumerable properties are all such values (undefined is refused);
//   - no cycles, and at most MAX_VALUE_DEPTH levels of arrays and objects.
// The value is read once (into a copy of plain data that JSON.stringify then
// writes): a getter or a Proxy is asked once per property, and whatever it
// throws becomes INVALID_VALUE.
import { PagingStorageError } from './errors.js'
import { describe, utf8Length } from './keys.js'

/** Deepest nesting of arrays and objects a value may have. */
export const MAX_VALUE_DEPTH = 512

/**
 * Any value JSON carries unchanged: what a store holds (declared in the
 * public types, js/index.d.ts).
 * @typedef {import('../index.js').JsonValue} JsonValue
 */

/**
 * The value as JSON text, under the value rule above.
 * @param {unknown} value
 * @param {number} maxValueBytes largest JSON text, in UTF-8 bytes
 * @param {string} [key] for error messages
 * @returns {string}
 * @throws {PagingStorageError} INVALID_VALUE (with `cause` when reading the value threw)
 */
export function encodeValue(value, maxValueBytes, key) {
  let json
  try {
    const seen = { negativeZero: false }
    const plain = snapshot(value, 0, [], key, seen)
    // JSON.stringify writes -0 as 0; the rare value holding one is written here.
    json = seen.negativeZero ? writePlain(plain) : JSON.stringify(plain)
  } catch (err) {
    if (err instanceof PagingStorageError) throw err
    const message = err instanceof Error ? err.message : String(err)
    throw new PagingStorageError('INVALID_VALUE', `value could not be read: ${message}`, { key, cause: err })
  }
  if (json.length > maxValueBytes / 3 && utf8Length(json) > maxValueBytes) {
    throw new PagingStorageError('INVALID_VALUE', `value is larger than ${maxValueBytes} bytes as JSON`, { key })
  }
  return json
}

/**
 * A copy of value made of plain data, each property read once, checked
 * against the value rule on the way; JSON.stringify then writes the copy.
 * @param {unknown} value
 * @param {number} depth levels of arrays and objects around value
 * @param {object[]} ancestors the arrays and objects around value (cycle check)
 * @param {string | undefined} key
 * @param {{ negativeZero: boolean }} seen set when value holds a -0
 * @returns {unknown}
 */
function snapshot(value, depth, ancestors, key, seen) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) invalid(`${value} is not a finite number`, key)
      if (Object.is(value, -0)) seen.negativeZero = true
      return value
    case 'object':
      break
    default:
      invalid(`${describe(value)} cannot be stored (JSON values only)`, key)
  }
  if (value === null) return null
  if (depth >= MAX_VALUE_DEPTH) invalid(`value nests deeper than ${MAX_VALUE_DEPTH} levels`, key)
  if (ancestors.includes(value)) invalid('value contains a cycle', key)
  if (Object.getOwnPropertySymbols(value).length > 0) invalid('value has symbol-keyed properties (JSON drops them)', key)
  ancestors.push(value)
  /** @type {any} */
  let out
  if (Array.isArray(value)) {
    const n = value.length
    out = new Array(n)
    for (let i = 0; i < n; i++) {
      if (!(i in value)) invalid(`array hole at index ${i}`, key)
      out[i] = snapshot(value[i], depth + 1, ancestors, key, seen)
    }
    if (Object.keys(value).length !== n) invalid('array has named properties (JSON drops them)', key)
  } else {
    if (Object.getPrototypeOf(value) !== Object.prototype) {
      const name = /** @type {any} */ (value).constructor?.name ?? 'a null-prototype object'
      invalid(`${name} is not a plain object; convert it first (e.g. a Date with toISOString())`, key)
    }
    out = {}
    for (const k of Object.keys(value)) {
      const v = snapshot(/** @type {any} */ (value)[k], depth + 1, ancestors, key, seen)
      // '__proto__' is an own property here, as JSON.parse makes it.
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
      else out[k] = v
    }
  }
  ancestors.pop()
  return out
}

/**
 * JSON text of plain data (a snapshot), like JSON.stringify but writing -0
 * as "-0".
 * @param {unknown} v
 * @returns {string}
 */
function writePlain(v) {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v)
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return '[' + v.map(writePlain).join(',') + ']'
  return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + writePlain(/** @type {any} */ (v)[k])).join(',') + '}'
}

/**
 * @param {string} json text produced by encodeValue (or validated by parseJsonText)
 * @returns {JsonValue} a fresh value
 */
export function decodeValue(json) {
  return JSON.parse(json)
}

/**
 * Validates JSON text from outside (a peer): non-empty, at most
 * maxValueBytes of UTF-8, parseable. Parses it once; the caller may keep the
 * value so that nothing parses it again.
 * @param {unknown} json
 * @param {number} maxValueBytes
 * @returns {{ ok: true, value: unknown } | { ok: false }}
 */
export function parseJsonText(json, maxValueBytes) {
  if (typeof json !== 'string' || json.length === 0) return { ok: false }
  if (json.length > maxValueBytes || utf8Length(json) > maxValueBytes) return { ok: false }
  try {
    return { ok: true, value: JSON.parse(json) }
  } catch {
    return { ok: false }
  }
}

/**
 * @param {string} message
 * @param {string | undefined} key
 * @returns {never}
 */
function invalid(message, key) {
  throw new PagingStorageError('INVALID_VALUE', message, { key })
}
