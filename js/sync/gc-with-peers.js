// Tombstone GC with peers, and the check a store back from a long absence
// makes before it shares its old records. The rules (after Cassandra's
// gc_grace_seconds, with the repair made automatic):
//
// 1. A tombstone is purged once it is older than the grace period and every
//    other current replica of its key answers (asked with 'has') that it
//    holds that version, a newer one, or no trace of the key (it purged the
//    tombstone already, or never had the key): no current replica holds an
//    older live copy, and the tombstone has done its job. A store alone on its ring
//    that was in sync before purges nothing (its peers may be away and not
//    have its deletes yet); one that never synced purges as a local store.
// 2. A store away longer than the grace period (js/sync/sync-period.js) may
//    hold live records of keys deleted and purged meanwhile. Before it shares
//    anything, each live record it held when it left is checked with the
//    key's other current replicas: if one of them holds any version, the
//    usual last-writer-wins settles it; if every one answers "no trace" and
//    at least one of them has been in sync since before this store left, the
//    key was deleted (or lost) meanwhile and the record is dropped here
//    without a tombstone. Records written after it left are not touched.

import { compareVersions } from '../core/versions.js'
import { KEYS_PER_QUESTION } from './version-query.js'

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {import('./version-query.js').Held} Held */

/**
 * What the two rules need.
 * @typedef {object} GcContext
 * @property {string} selfId
 * @property {number} rf
 * @property {() => import('../engine/ring.js').RingView} ring
 * @property {(peer: string, keys: string[]) => Promise<Held | null>} ask
 * @property {(range: import('../engine/codec.js').KeyRange, onRecord: (r: StoredRecord) => void) => Promise<void>} scan
 * @property {(ops: import('../store/local-store.js').StoreWrite[]) => Promise<Array<{code: number, applied: boolean}>>} write
 */

/**
 * Rule 1: purges the tombstones older than `horizon` that no other current
 * replica holds an older version of.
 * Called with other members on the ring only (a key whose one replica is
 * this store then needs no confirmation).
 * @param {GcContext} gc
 * @param {string} horizon an hlc
 * @returns {Promise<number>} tombstones purged
 */
export async function purgeConfirmedTombstones(gc, horizon) {
  let purged = 0
  const silent = new Set()
  await eachChunk(gc, true, async (records) => {
    const old = records.filter((r) => r.deleted && r.hlc < horizon)
    if (old.length === 0) return
    const verdicts = await askReplicas(gc, old, silent)
    const confirmed = old.filter((r, i) =>
      verdicts[i].held.every((h) => h !== null && (h === undefined || compareVersions(h.hlc, h.origin, r.hlc, r.origin) >= 0))
    )
    purged += await forget(gc, confirmed)
  })
  return purged
}

/**
 * Rule 2: drops the live records stamped before `before` that no current
 * replica holds, when one that says so has been in sync since `last`.
 * @param {GcContext} gc
 * @param {{ before: string, last: number }} when before: an hlc (records
 *   older are suspect); last: ms this store was last in sync
 * @returns {Promise<{ dropped: number, unresolved: number }>} unresolved:
 *   records some replica did not answer for (check again later)
 */
export async function dropUnheldCopies(gc, { before, last }) {
  let dropped = 0
  let unresolved = 0
  const silent = new Set()
  await eachChunk(gc, false, async (records) => {
    const old = records.filter((r) => !r.deleted && r.hlc < before)
    if (old.length === 0) return
    const verdicts = await askReplicas(gc, old, silent)
    /** @type {StoredRecord[]} */
    const gone = []
    old.forEach((r, i) => {
      const { others, held, since } = verdicts[i]
      if (others.length === 0 || held.some((h) => h === null)) unresolved++
      else if (held.every((h) => h === undefined) && since.some((s) => s > 0 && s <= last)) gone.push(r)
    })
    dropped += await forget(gc, gone)
  })
  return { dropped, unresolved }
}

/**
 * Visits the store in chunks of KEYS_PER_QUESTION records, in key order.
 * @param {GcContext} gc
 * @param {boolean} tombstones include them
 * @param {(records: StoredRecord[]) => Promise<void>} visit
 */
async function eachChunk(gc, tombstones, visit) {
  /** @type {string | undefined} */
  let after
  for (;;) {
    /** @type {StoredRecord[]} */
    const records = []
    await gc.scan({ gt: after, limit: KEYS_PER_QUESTION, tombstones }, (r) => records.push(r))
    if (records.length === 0) return
    await visit(records)
    if (records.length < KEYS_PER_QUESTION) return
    after = records[records.length - 1].key
  }
}

/**
 * Asks each record's other current replicas for their versions. A peer that
 * did not answer once in a run is not asked again in it (`silent`): a run
 * over a large store must not wait a timeout per chunk for a peer gone.
 * @param {GcContext} gc
 * @param {StoredRecord[]} records
 * @param {Set<string>} silent peers that did not answer earlier in this run
 * @returns {Promise<Array<{ others: string[], held: Array<import('./protocol.js').Entry | undefined | null>, since: number[] }>>}
 *   per record: its other replicas; per replica, its version (undefined: no
 *   trace; null: no answer) and since when it has been in sync
 */
async function askReplicas(gc, records, silent) {
  const ring = gc.ring().retain()
  /** @type {string[][]} */
  let replicas
  try {
    replicas = ring.replicasFor(
      records.map((r) => r.key),
      gc.rf
    )
  } finally {
    ring.release()
  }
  /** @type {Map<string, string[]>} */
  const byPeer = new Map()
  const others = replicas.map((peers, i) => {
    const list = peers.filter((p) => p !== gc.selfId)
    for (const p of list) {
      const keys = byPeer.get(p) ?? []
      keys.push(records[i].key)
      byPeer.set(p, keys)
    }
    return list
  })
  const peers = [...byPeer.keys()]
  const ask = async (/** @type {string} */ p) => {
    const held = silent.has(p) ? null : await gc.ask(p, /** @type {string[]} */ (byPeer.get(p)))
    if (held === null) silent.add(p)
    return /** @type {const} */ ([p, held])
  }
  const answers = new Map(await Promise.all(peers.map(ask)))
  return records.map((r, i) => ({
    others: others[i],
    held: others[i].map((p) => {
      const a = answers.get(p)
      return a ? a.entries.get(r.key) : null
    }),
    since: others[i].map((p) => answers.get(p)?.inSyncSince ?? 0)
  }))
}

/**
 * Removes these exact versions (forget ops: a newer version written
 * meanwhile stays).
 * @param {GcContext} gc
 * @param {StoredRecord[]} records
 * @returns {Promise<number>} how many were removed
 */
async function forget(gc, records) {
  if (records.length === 0) return 0
  const results = await gc.write(records.map((r) => ({ type: 'forget', key: r.key, hlc: r.hlc, origin: r.origin, replicate: false })))
  return results.filter((r) => r.applied).length
}
