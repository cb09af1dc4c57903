// Ring-wide deletes: a delete with peers removes the key wherever it lives,
// not only where this peer holds a copy. Its tombstone is written here
// whether or not a live value is here (engine op 'tombstone', newer than any
// version this peer has seen) and replicated to the key's replicas like any
// write. Its boolean answers whether a live value existed anywhere this peer
// could ask: here, or (when not here) at the key's replicas, asked as a
// routed read is.
//
// Invariant: the tombstone is written when the delete is called (it keeps
// its place among the calls: `delete(k); set(k, v)` leaves v), and pushed to
// the replicas only after they answered whether they held a live value, so
// that their answer is about the value before this delete.
import { StatusCode } from '../core/errors.js'

/** @typedef {import('../store/local-store.js').StoreWrite} StoreWrite */
/** @typedef {import('../engine/codec.js').WriteResult} WriteResult */
/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

/**
 * @param {StoreWrite} op
 * @returns {boolean} whether op is a delete for the whole ring
 */
export function isRingDelete(op) {
  return op.type === 'delete' && op.replicate
}

/**
 * Writes ops (some of them ring-wide deletes, see above).
 * @param {StoreWrite[]} ops
 * @param {{ write: (ops: StoreWrite[]) => Promise<WriteResult[]>,
 *   peersToAsk: () => boolean,
 *   askReplicas: (keys: string[]) => Promise<Array<StoredRecord | null>>,
 *   push: (keys: string[]) => Promise<void> }} how
 *   peersToAsk: whether the ring has other members now; askReplicas: the
 *   newest record the keys' other replicas hold (null: none answered or
 *   none holds one); push: replicate the stored records of keys
 * @returns {Promise<WriteResult[]>} a delete's `existed`: live here, or at a replica that answered
 */
export async function writeWithRingDeletes(ops, how) {
  const local = ops.map((op) => (isRingDelete(op) ? { ...op, always: true, replicate: false } : op))
  const results = await how.write(local)
  /** @type {number[]} */
  const deletes = []
  for (let i = 0; i < ops.length; i++) if (isRingDelete(ops[i]) && results[i].code === StatusCode.OK && results[i].applied) deletes.push(i)
  if (deletes.length === 0) return results
  try {
    const ask = deletes.filter((i) => !results[i].existed)
    if (ask.length > 0 && how.peersToAsk()) {
      const records = await how.askReplicas(ask.map((i) => ops[i].key))
      ask.forEach((i, j) => {
        const rec = records[j]
        if (rec && !rec.deleted) results[i] = { ...results[i], existed: true }
      })
    }
  } finally {
    await how.push(deletes.map((i) => ops[i].key))
  }
  return results
}
