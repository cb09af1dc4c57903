// Handlers: what this peer does with each valid message from a peer. Every
// message that carries records (put, got, scanned, pub) passes one clock
// check first: a record stamped more than maxClockDrift ahead of this
// peer's wall clock rejects the whole message (counted, never merged, never
// returned to the app: merged, it would drag this peer's hybrid logical
// clock along, and its later writes would be refused by every honest
// peer); a heartbeat's clock from the future is ignored. Writes from peers
// (put) then merge by last-writer-wins; reads
// (get, has) are answered from the local store; the rest goes to the part
// that owns it (replicator, routed reads, anti-entropy, catch-up, version
// queries, audits). A stale store (js/sync/freshness.js) ignores repair requests.
import { StatusCode, errorFromStatus } from '../core/errors.js'
import { compareVersions, isFromFuture } from '../core/versions.js'
import { acceptPut } from './accept-puts.js'
import { lookupWithin } from './bounded-replies.js'
import { answerScan } from './ring-scans.js'

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

/**
 * Merges records from peers into the local store, each kept only where its
 * version wins (the value already parsed rides along for change events).
 * @param {import('../store/local-store.js').LocalStore} local
 * @param {StoredRecord[]} records
 * @returns {Promise<import('../engine/codec.js').WriteResult[]>} one per record, with the version stored
 * @throws {import('../core/errors.js').PagingStorageError} the first write the store refused
 */
export async function mergeRecords(local, records) {
  const ops = records.map((r) => {
    /** @type {import('../store/local-store.js').StoreWrite} */
    const op = { type: 'merge', key: r.key, hlc: r.hlc, origin: r.origin, deleted: r.deleted, json: r.json, replicate: false }
    if (r.value !== undefined) op.value = r.value
    return op
  })
  const results = await local.write(ops)
  const bad = results.find((r) => r.code !== StatusCode.OK)
  if (bad) throw errorFromStatus(bad.code, bad.message)
  return results
}

/**
 * The versions kept over records a merge did not take: stored versions
 * newer than theirs, and their own version stored with another value (an
 * equivocated version: what is held is not their record). An equal version
 * with the same value is the same record, held.
 * @param {StoredRecord[]} records
 * @param {import('../engine/codec.js').WriteResult[]} results of mergeRecords, one per record
 * @returns {import('./protocol.js').Entry[]}
 */
export function keptOver(records, results) {
  /** @type {import('./protocol.js').Entry[]} */
  const kept = []
  records.forEach((r, i) => {
    const res = results[i]
    if (res.applied || res.hlc === undefined || res.origin === undefined) return
    const order = compareVersions(res.hlc, res.origin, r.hlc, r.origin)
    if (order > 0 || (order === 0 && res.otherValue)) kept.push({ key: r.key, hlc: res.hlc, origin: res.origin, deleted: false })
  })
  return kept
}

/**
 * @param {import('../store/local-store.js').LocalStore} local
 * @returns {(keys: string[]) => Promise<Array<StoredRecord | null>>} its stored records of keys
 */
function lookupRecords(local) {
  return async (keys) => (await local.lookup(keys)).map((a) => a.record ?? null)
}

/**
 * The parts a message may go to.
 * @typedef {object} Parts
 * @property {import('../store/local-store.js').LocalStore} local
 * @property {import('./messenger.js').Messenger} messenger
 * @property {import('./replicator.js').Replicator} replicator
 * @property {import('./routed-reads.js').RoutedReads} reads
 * @property {import('./ring-scans.js').RingScans} scans
 * @property {import('./publisher.js').Publisher} publisher
 * @property {import('./subscriber.js').Subscriber} subscriber
 * @property {import('./incoming.js').Incoming} incoming
 * @property {import('./anti-entropy.js').AntiEntropy} antiEntropy
 * @property {import('./catch-up.js').CatchUp} catchUp
 * @property {import('./version-query.js').VersionQuery} query
 * @property {{ readonly stale: boolean, readonly suspectBefore: string | null }} freshness
 * @property {number} maxClockDrift ms a record may be stamped ahead of our clock
 * @property {(keys: string[]) => boolean[]} replicates whether this peer replicates each key (its ring)
 * @property {() => boolean} peersFull peers' records fill their share of the disk budget
 * @property {() => boolean} peersNear they nearly do
 * @property {(keys: string[]) => Promise<Array<StoredRecord | null>>} lookup the stored records of keys
 * @property {import('./audits.js').Audits} audits
 * @property {import('./audit-rounds.js').AuditRounds} auditRounds
 * @property {boolean} durableAcks puts are acknowledged once what they brought is on disk (a server peer)
 */

// Records of a put merged at once (a put of 48 KB holds fewer), and while
// peers' records nearly fill their share of the disk budget (about a page
// of tombstones): the share is checked between runs.
const PUT_RUN = 256
const NEAR_FULL_RUN = 32
// Repair requests a stale store ignores (its peers ask again later).
const REPAIR = new Set(['sum', 'ent', 'pull', 'since'])
// The messages that carry records (the clock check above).
const CARRIES_RECORDS = new Set(['put', 'got', 'scanned', 'pub'])

/**
 * Handles one message (validated by the messenger).
 * @param {Parts} parts
 * @param {string} from
 * @param {import('./protocol.js').Message} msg
 * @returns {Promise<void>} rejects with a background failure (a merge the store refused)
 */
export async function handleMessage(parts, from, msg) {
  const { local, messenger, catchUp, antiEntropy, freshness } = parts
  if (freshness.stale && REPAIR.has(msg.t)) return
  if (CARRIES_RECORDS.has(msg.t)) {
    const now = Date.now()
    const records = /** @type {{ records: StoredRecord[] }} */ (/** @type {unknown} */ (msg)).records
    if (records.some((r) => isFromFuture(r.hlc, now, parts.maxClockDrift))) return messenger.reject(from, 'version from the future')
  }
  switch (msg.t) {
    case 'hb':
      return catchUp.onHeartbeat(from, msg.h !== undefined && isFromFuture(msg.h, Date.now(), parts.maxClockDrift) ? undefined : msg.h)
    case 'put': {
      // Only what this peer should hold (js/sync/accept-puts.js). The ack
      // names the keys refused, and the versions kept over the sender's
      // (its writer stamps its write again past them: js/sync/restamps.js).
      // In runs (PUT_RUN), so that one put cannot overshoot the peers' share
      // of the disk budget by much.
      /** @type {import('./protocol.js').Entry[]} */
      const kept = []
      /** @type {string[]} */
      const refused = []
      for (let at = 0; at < msg.records.length; ) {
        const part = msg.records.slice(at, at + (parts.peersNear() ? NEAR_FULL_RUN : PUT_RUN))
        at += part.length
        const taken = await acceptPut(parts, part)
        if (taken.why !== null) messenger.refused(taken.why, taken.refused.length)
        if (taken.notReplicated.length > 0) parts.auditRounds.onRefused(taken.notReplicated)
        refused.push(...taken.refused)
        if (taken.accepted.length > 0) kept.push(...keptOver(taken.accepted, await mergeRecords(local, taken.accepted)))
      }
      // A durable peer acknowledges what is on its disk: a flush failure
      // sends no ack (the sender pushes again).
      if (parts.durableAcks && refused.length < msg.records.length) await local.flush()
      /** @type {import('./protocol.js').Message} */
      const ack = { t: 'ack', id: msg.id }
      if (kept.length > 0) ack.kept = kept
      if (refused.length > 0) ack.refused = refused
      messenger.send(from, ack)
      parts.incoming.onRecords(from, msg.records.length)
      return
    }
    case 'delta':
      return parts.incoming.onDelta(from, msg.n)
    case 'ack':
      if (catchUp.onAck(from, msg.id)) parts.incoming.complete(from)
      else if (!parts.replicator.onAck(from, msg.id, msg.kept, msg.refused) && !parts.publisher.onAck(from, msg.id)) parts.subscriber.onAck(from, msg.id)
      return
    case 'get': {
      const { records, covered } = await lookupWithin(lookupRecords(local), msg.keys)
      // A stale store does not vouch for the live records it held while away.
      const suspect = freshness.suspectBefore
      const vouched = records.filter((r) => !(suspect !== null && !r.deleted && r.hlc < suspect))
      messenger.send(from, covered < msg.keys.length ? { t: 'got', id: msg.id, records: vouched, covered } : { t: 'got', id: msg.id, records: vouched })
      return
    }
    case 'has':
      return parts.query.onHas(from, msg.id, msg.keys)
    case 'had':
      return parts.query.onHad(from, msg)
    case 'got':
      return parts.reads.onGot(from, msg)
    case 'sum':
      return antiEntropy.onSum(from, msg.buckets)
    case 'ent':
      return antiEntropy.onEntries(from, msg.buckets)
    case 'pull':
      return antiEntropy.onPull(from, msg.keys, msg.buckets)
    case 'since':
      return catchUp.onSince(from, msg.id, msg.h)
    case 'scan':
      messenger.send(from, await answerScan(parts.scans.scanLocal, msg, freshness.suspectBefore))
      return
    case 'scanned':
      return parts.scans.onScanned(from, msg)
    case 'sub':
      return parts.publisher.onSub(from, msg)
    case 'pub':
      return parts.subscriber.onPub(from, msg)
    case 'audit':
      if (!(await parts.audits.answer(from, msg))) messenger.reject(from, 'audits past the hashing budget')
      return
    case 'proof':
      return parts.audits.onProof(from, msg.id, msg.answers)
  }
}
