// The writes of a run that changed the store, as the local store announces
// them ('applied'): one record per write applied, with what it replaced.
import { StatusCode } from '../core/errors.js'

/**
 * @param {import('./local-store.js').StoreWrite[]} ops
 * @param {import('../engine/codec.js').WriteResult[]} results one per op,
 *   with versions (hlc, origin) for the ops applied
 * @returns {import('./local-store.js').AppliedWrite[]} in op order
 */
export function appliedWrites(ops, results) {
  /** @type {import('./local-store.js').AppliedWrite[]} */
  const applied = []
  for (let i = 0; i < ops.length; i++) {
    const r = results[i]
    if (r.code !== StatusCode.OK || !r.applied) continue
    const op = ops[i]
    if (op.type === 'forget') {
      // A live copy dropped is a delete to whoever watched it; a purged
      // tombstone changes nothing anyone sees.
      if (r.existed) applied.push({ record: { key: op.key, hlc: op.hlc, origin: op.origin, deleted: true, json: null }, replicate: false, existed: true })
      continue
    }
    const deleted = op.type === 'delete' || ((op.type === 'merge' || op.type === 'restamp') && op.deleted)
    /** @type {import('../core/record.js').StoredRecord} */
    const record = {
      key: op.key,
      hlc: /** @type {string} */ (r.hlc),
      origin: /** @type {string} */ (r.origin),
      deleted,
      json: deleted ? null : /** @type {string} */ (/** @type {any} */ (op).json)
    }
    if (!deleted && op.value !== undefined) record.value = op.value
    applied.push(r.buffered ? { record, replicate: op.replicate, existed: false, buffered: true } : { record, replicate: op.replicate, existed: r.existed })
  }
  return applied
}
