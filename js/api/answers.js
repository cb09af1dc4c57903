// The store's answers as the API's results: a read answer as a value or a
// presence, a write result as itself; an error status as the documented
// PagingStorageError.
import { StatusCode, errorFromStatus } from '../core/errors.js'
import { decodeValue } from '../core/values.js'

/** @typedef {import('../engine/codec.js').ReadAnswer} ReadAnswer */

/**
 * @param {ReadAnswer} a
 * @param {string} key
 * @returns {import('../core/values.js').JsonValue | undefined} the value; undefined when absent
 * @throws {import('../core/errors.js').PagingStorageError} for an error answer
 */
export function valueOf(a, key) {
  if (a.code === StatusCode.OK) return decodeValue(/** @type {string} */ (a.json))
  if (a.code === StatusCode.NOT_FOUND) return undefined
  throw errorFromStatus(a.code, a.message, key)
}

/**
 * @param {ReadAnswer} a
 * @param {string} key
 * @returns {boolean} whether the key holds a live value
 * @throws {import('../core/errors.js').PagingStorageError} for an error answer
 */
export function presenceOf(a, key) {
  if (a.code === StatusCode.OK) return true
  if (a.code === StatusCode.NOT_FOUND) return false
  throw errorFromStatus(a.code, a.message, key)
}

/**
 * @param {import('../engine/codec.js').WriteResult} result one write's
 * @param {string} key its key, for the error
 * @returns {import('../engine/codec.js').WriteResult} result, when OK
 * @throws {import('../core/errors.js').PagingStorageError} the error its status stands for
 */
export function okOrThrow(result, key) {
  if (result.code !== StatusCode.OK) throw errorFromStatus(result.code, result.message, key)
  return result
}
