// Versions as JavaScript sees them: a hybrid logical clock timestamp as 16
// lowercase hex digits (wall-clock ms in the high 48 bits, a counter in the
// low 16; cpp/include/paging_storage/hlc.h) plus the writer's peer id
// (origin). Versions order by (hlc, origin), like the engine.
import { compareKeys, utf8Length } from './keys.js'
import { HLC_LOGICAL_BITS } from './limits.js'

/** The zero clock: never a version (nothing was written at time zero). */
export const ZERO_HLC = '0000000000000000'
/** Longest origin (peer id), in UTF-8 bytes, as the engine counts it
 *  (cpp/src/options.cc, engine_write.cc): peer ids are 1 to 255 bytes. */
export const MAX_ORIGIN_BYTES = 255

const HEX16 = /^[0-9a-f]{16}$/
// Hex digits of the wall-clock part.
const WALL_DIGITS = 16 - HLC_LOGICAL_BITS / 4

/**
 * @param {unknown} hlc
 * @returns {hlc is string} whether hlc is 16 lowercase hex digits
 */
export function isHlc(hlc) {
  return typeof hlc === 'string' && HEX16.test(hlc)
}

/**
 * @param {unknown} origin
 * @returns {origin is string} a non-empty, well-formed peer id of at most
 *   MAX_ORIGIN_BYTES bytes of UTF-8 (the engine refuses longer ones)
 */
export function isOrigin(origin) {
  return (
    typeof origin === 'string' &&
    origin.length > 0 &&
    origin.length <= MAX_ORIGIN_BYTES &&
    origin.isWellFormed() &&
    utf8Length(origin) <= MAX_ORIGIN_BYTES
  )
}

/**
 * Whether (hlc, origin) is a version a record may carry: a non-zero clock
 * and a valid origin. The rule for peers' records and imported backups.
 * @param {unknown} hlc
 * @param {unknown} origin
 * @returns {boolean}
 */
export function isVersion(hlc, origin) {
  return isHlc(hlc) && hlc !== ZERO_HLC && isOrigin(origin)
}

/**
 * Orders versions like the engine: by hlc, then origin (UTF-8 byte order).
 * @param {string} aHlc
 * @param {string} aOrigin
 * @param {string} bHlc
 * @param {string} bOrigin
 * @returns {number} negative, zero or positive
 */
export function compareVersions(aHlc, aOrigin, bHlc, bOrigin) {
  if (aHlc !== bHlc) return aHlc < bHlc ? -1 : 1
  if (aOrigin === bOrigin) return 0
  return compareKeys(aOrigin, bOrigin)
}

/**
 * @param {number} ms wall-clock milliseconds
 * @returns {string} the smallest hlc at that time
 */
export function hlcAtWallMs(ms) {
  return Math.max(0, Math.floor(ms)).toString(16).padStart(WALL_DIGITS, '0') + '0'.repeat(16 - WALL_DIGITS)
}

/**
 * @param {string} hlc
 * @returns {number} its wall-clock milliseconds
 */
export function hlcWallMs(hlc) {
  return parseInt(hlc.slice(0, WALL_DIGITS), 16)
}

/**
 * Whether hlc was stamped more than maxDriftMs after nowMs (a clock from the
 * future: a peer's wrong or hostile clock).
 * @param {string} hlc
 * @param {number} nowMs
 * @param {number} maxDriftMs
 * @returns {boolean}
 */
export function isFromFuture(hlc, nowMs, maxDriftMs) {
  return hlcWallMs(hlc) > nowMs + maxDriftMs
}
