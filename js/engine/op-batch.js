// A batch of writes encoded once (wire `ops`), and how it is cut into engine
// calls: at most OPS_PER_CALL ops and BYTES_PER_CALL of their bytes per call
// (one op at least). Between calls a large batch can flush, so the pages it
// dirties stay near the page budget, and one call's input (copied into wasm
// memory, which never shrinks) stays small.
import { encodeOp } from './codec.js'

export const OPS_PER_CALL = 512
export const BYTES_PER_CALL = 4 << 20

/**
 * Ops encoded once, applied in calls. Opaque outside engine/.
 * @typedef {{ bytes: Uint8Array, offsets: number[], count: number }} EncodedOps
 */

/**
 * @param {import('./wire.js').Writer} w reset by the caller; the result is
 *   valid until w is reused
 * @param {readonly import('./codec.js').WriteOp[]} ops
 * @returns {EncodedOps}
 */
export function encodeOps(w, ops) {
  const offsets = new Array(ops.length + 1)
  for (let i = 0; i < ops.length; i++) {
    offsets[i] = w.pos
    encodeOp(w, ops[i])
  }
  offsets[ops.length] = w.pos
  return { bytes: w.finish(), offsets, count: ops.length }
}

/**
 * How many of `n` ops, the k-th of size(k) bytes, one call takes.
 * @param {number} n
 * @param {(k: number) => number} size
 * @returns {number} 0 when n is 0, else at least 1
 */
function opsPerCall(n, size) {
  const most = Math.min(n, OPS_PER_CALL)
  if (most === 0) return 0
  let count = 1
  let total = size(0)
  while (count < most && total + size(count) <= BYTES_PER_CALL) total += size(count++)
  return count
}

/**
 * The ops of one call from ops[from] on, contiguous (no copy).
 * @param {EncodedOps} ops
 * @param {number} from
 * @returns {{ bytes: Uint8Array, count: number }}
 */
export function callFrom(ops, from) {
  const { offsets } = ops
  const count = opsPerCall(ops.count - from, (k) => offsets[from + k + 1] - offsets[from + k])
  return { bytes: ops.bytes.subarray(offsets[from], offsets[from + count]), count }
}

/**
 * The ops of one call among those named, from the first, gathered in order.
 * @param {EncodedOps} ops
 * @param {readonly number[]} indices
 * @returns {{ bytes: Uint8Array, count: number }} the first `count` of indices
 */
export function callAt(ops, indices) {
  const { offsets } = ops
  const size = (/** @type {number} */ k) => offsets[indices[k] + 1] - offsets[indices[k]]
  const count = opsPerCall(indices.length, size)
  let total = 0
  for (let k = 0; k < count; k++) total += size(k)
  const bytes = new Uint8Array(total)
  for (let k = 0, at = 0; k < count; at += size(k), k++) {
    bytes.set(ops.bytes.subarray(offsets[indices[k]], offsets[indices[k] + 1]), at)
  }
  return { bytes, count }
}
