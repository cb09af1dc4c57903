// What watch() accepts: a key prefix (string), { prefix } or { key }.
import { PagingStorageError } from './errors.js'

/** @returns {(key: string) => boolean} */
export function keyMatcher(target) {
  if (typeof target === 'string') return (k) => k.startsWith(target)
  if (target && typeof target.key === 'string') return (k) => k === target.key
  if (target && typeof target.prefix === 'string') return (k) => k.startsWith(target.prefix)
  throw new PagingStorageError('INVALID_ARGUMENT', 'watch expects a key prefix, { key } or { prefix }')
}
