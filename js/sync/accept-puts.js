// Which records of a peer's put this peer stores (issue 16: a peer stored
// and acknowledged whatever it was sent, and 100,000 tombstones for keys
// that never existed filled its disk budget): only records of keys it
// replicates under its ring, with two places of slack (hand-offs, catch-up,
// repairs and writes all go to the replicas; a sender's ring may lack a
// peer this one has, one it excluded or has not heard of yet), and, while peers' records fill their share of the
// disk budget (store/admission.js rule 4), only tombstones of keys held
// here (they make room). The rest is refused: the ack names those keys,
// and the sender does not count this peer as holding them (a sender whose
// ring differs for a moment pushes them again once the rings agree:
// js/sync/copies.js).
import { lookupWithin } from './bounded-replies.js'

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

/**
 * @param {{ replicates: (keys: string[]) => boolean[], peersFull: () => boolean,
 *           lookup: (keys: string[]) => Promise<Array<StoredRecord | null>> }} host
 *   replicates: whether this peer replicates each key (its ring);
 *   peersFull: peers' records fill their share of the disk budget
 * @param {StoredRecord[]} records validated
 * @returns {Promise<{ accepted: StoredRecord[], refused: string[], why: string | null,
 *   notReplicated: StoredRecord[] }>} why: the reason of the first refusal (for
 *   refusedWhy); notReplicated: the records refused as not this peer's keys
 */
export async function acceptPut(host, records) {
  const mine = host.replicates(records.map((r) => r.key))
  /** @type {StoredRecord[]} */
  let accepted = []
  /** @type {string[]} */
  const refused = []
  /** @type {StoredRecord[]} */
  const notReplicated = []
  let why = null
  records.forEach((r, i) => {
    if (mine[i]) accepted.push(r)
    else {
      refused.push(r.key)
      notReplicated.push(r)
    }
  })
  if (refused.length > 0) why = 'records of keys not replicated here'
  if (accepted.length > 0 && host.peersFull()) {
    const tombstones = accepted.filter((r) => r.deleted).map((r) => r.key)
    const held = new Set((await lookupWithin(host.lookup, tombstones, Infinity)).records.map((r) => r.key))
    const kept = accepted.filter((r) => r.deleted && held.has(r.key))
    if (kept.length < accepted.length) why ??= "peers' records fill their share of the disk budget"
    for (const r of accepted) if (!(r.deleted && held.has(r.key))) refused.push(r.key)
    accepted = kept
  }
  return { accepted, refused, why, notReplicated }
}
