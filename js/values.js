// Keys and values as the public API accepts them, checked before anything
// is queued so that a bad call stores nothing.
import { PagingStorageError } from './errors.js'

const encoder = new TextEncoder()

/** UTF-8 byte length of a string, without allocating for ASCII. */
export function utf8Length(s) {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) return encoder.encode(s).length
  }
  return n
}

/**
 * The key as a string: strings as they are, finite numbers through String().
 * @param {unknown} key
 * @param {number} maxKeyBytes
 * @returns {string}
 */
export function normalizeKey(key, maxKeyBytes) {
  if (typeof key === 'number' && Number.isFinite(key)) key = String(key)
  if (typeof key !== 'string') {
    throw new PagingStorageError('INVALID_KEY', `key must be a string, got ${describe(key)}`)
  }
  if (key.length === 0) throw new PagingStorageError('INVALID_KEY', 'key must not be empty')
  if (!key.isWellFormed()) {
    throw new PagingStorageError('INVALID_KEY', 'key contains a lone UTF-16 surrogate', { key })
  }
  if (key.length > maxKeyBytes / 3 && utf8Length(key) > maxKeyBytes) {
    throw new PagingStorageError(
      'INVALID_KEY',
      `key is longer than ${maxKeyBytes} bytes of UTF-8`,
      { key: key.slice(0, 64) }
    )
  }
  return key
}

/**
 * The value as JSON text. Rejects what JSON cannot carry unchanged, so
 * that every stored value reads back deeply equal.
 * @param {unknown} value
 * @param {number} maxValueBytes
 * @param {string} [key] for error messages
 * @returns {string}
 */
export function encodeValue(value, maxValueBytes, key) {
  checkJsonValue(value, [], key)
  const json = JSON.stringify(value)
  if (json.length > maxValueBytes / 3 && utf8Length(json) > maxValueBytes) {
    throw new PagingStorageError(
      'INVALID_VALUE',
      `value is larger than ${maxValueBytes} bytes as JSON`,
      { key }
    )
  }
  return json
}

export function decodeValue(json) {
  return JSON.parse(json)
}

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
    for (const k of Object.keys(value)) checkJsonValue(value[k], ancestors, key)
  }
  ancestors.pop()
}

function invalid(message, key) {
  throw new PagingStorageError('INVALID_VALUE', message, { key })
}

function describe(v) {
  if (v === null) return 'null'
  if (typeof v === 'bigint') return 'a BigInt'
  if (typeof v === 'function') return 'a function'
  if (typeof v === 'symbol') return 'a symbol'
  if (v === undefined) return 'undefined'
  return typeof v
}
