// The record type: a key's stored state (a live value or a tombstone) with
// its version, as every layer above the engine passes it around.
import { compareVersions } from './versions.js'

/**
 * A key's stored state. `json` is the value's JSON text, null for a
 * tombstone (deleted). `value`, when present, is `json` already parsed once
 * (records validated from a peer): the change event for the record carries
 * it (every listener of that event sees the same object), nothing else does.
 * @typedef {object} StoredRecord
 * @property {string} key
 * @property {string} hlc 16 hex digits
 * @property {string} origin the writer's peer id
 * @property {boolean} deleted
 * @property {string | null} json
 * @property {unknown} [value]
 */

/**
 * @param {StoredRecord | null} a
 * @param {StoredRecord | null} b
 * @returns {boolean} whether b holds a newer version than a (any record beats null)
 */
export function isNewer(a, b) {
  if (b === null) return false
  return a === null || compareVersions(a.hlc, a.origin, b.hlc, b.origin) < 0
}
