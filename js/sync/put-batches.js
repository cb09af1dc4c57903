// Put batches: how the replicator cuts the records waiting at a peer into
// 'put' messages of about PUT_CHARS characters each: a record that would
// take a message past it starts the next one, so a large record goes alone
// (escaped into the message, it must still fit the receiver's
// maxMessageChars).

/** Characters of records per put (about). */
export const PUT_CHARS = 48000

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

/**
 * @template {{ rec: StoredRecord }} E
 * @param {Iterable<E>} entries waiting, in the order to send them
 * @returns {Generator<E[]>} batches, lazily: stop when the peer has no room
 */
export function* putBatches(entries) {
  /** @type {E[]} */
  let batch = []
  let chars = 0
  for (const e of entries) {
    const size = e.rec.key.length + (e.rec.json?.length ?? 0) + 48
    if (batch.length > 0 && chars + size > PUT_CHARS) {
      yield batch
      batch = []
      chars = 0
    }
    batch.push(e)
    chars += size
    if (chars >= PUT_CHARS) {
      yield batch
      batch = []
      chars = 0
    }
  }
  if (batch.length > 0) yield batch
}
