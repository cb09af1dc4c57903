// The one value rule: a value is what JSON carries unchanged, stored as its
// JSON text. Checked before anything is queued, so a bad call stores nothing.
import { PagingStorageError } from './errors.js'
import { describe, utf8Length } from './keys.js'

/**
 * Any value JSON carries unchanged: what a store holds (declared in the
 * public types, js/index.d.ts).
 * @typedef {import('../index.js').JsonValue} JsonValue
 */

/**
 * The value as JSON text. Rejects what JSON cannot carry unchanged, so that
 * every stored value reads back deeply equal.
 * @param {unknown} value
 * @param {number} maxValueBytes largest JSON text, in UTF-8 bytes
 * @param {string} [key] for error messages
 * @returns {string}
 * @throws {PagingStorageError} INVALID_VALUE
 */
export function encodeValue(value, maxValueBytes, key) {
  checkJsonValue(value, [], key)
  const json = JSON.stringify(value)
  if (json.length > maxValueBytes / 3 && utf8Length(json) > maxValueBytes) {
    throw new PagingStorageError('INVALID_VALUE', `value is larger than ${maxValueBytes} bytes as JSON`, { key })
  }
  return json
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
 * @param {unknown} value
 * @param {object[]} ancestors the objects enclosing value (cycle check)
 * @param {string | undefined} key
 */
function checkJsonValue(value, ancestors, key) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) invalid(`${value} is not a finite number`, key)
      return
    case 'object':
      break
    default:
      invalid(`${describe(value)} cannot be stored (JSON values only)`, key)
  }
  if (value === null) return
  if (ancestors.includes(value)) invalid('value contains a cycle', key)
  ancestors.push(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) invalid(`array hole at index ${i}`, key)
      checkJsonValue(value[i], ancestors, key)
    }
  } else {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      invalid(
        `${value.constructor?.name ?? 'object'} is not a plain object; convert it first ` +
          '(e.g. a Date with toISOString())',
        key
      )
    }
    for (const k of Object.keys(value)) checkJsonValue(/** @type {any} */ (value)[k], ancestors, key)
  }
  ancestors.pop()
}

/**
 * @param {string} message
 * @param {string | undefined} key
 * @returns {never}
 */
function invalid(message, key) {
  throw new PagingStorageError('INVALID_VALUE', message, { key })
}
