// AntiEntropy: finds and repairs what two replicas hold differently, without
// sending what they hold alike (after Dynamo's Merkle-tree comparison). Per
// pair of peers, each side digests the keys both should hold in a 16-ary
// tree over the key token (paging_storage/sync_scan.h). A round sends the
// root's child digests; the other side compares them with its own and
// answers, per child that differs: 'pull' (it has nothing there), a push of
// its records (the asker has nothing there), 'ent' (the entries, when both
// sides are small) or 'sum' (one level deeper). Entries are compared by
// version, and each side pulls or pushes only the newer records.
//
// Rounds run on membership changes and every antiEntropyInterval; in a pair,
// the peer whose id sorts first starts them. A round leaves out a peer this
// one is pushing records to (a catch-up, a hand-off, the last round's
// push), and the other side does not answer then, nor while a delta from
// the starter catches it up: comparing now would find what is on its way
// and send it again, and every level of the comparison reads every page of
// both stores.
import { compareKeys } from '../core/keys.js'
import { SYNC_BITS_PER_LEVEL, SYNC_CHILDREN } from '../core/limits.js'
import { compareVersions } from '../core/versions.js'
import { MAX_BUCKET_BITS, MAX_BUCKETS } from './protocol.js'

// Below this many entries on both sides together, a differing bucket's
// entries are exchanged instead of descending the tree further.
const LEAF_ENTRIES = 32

/** @typedef {import('./protocol.js').Bucket} Bucket */
/** @typedef {import('../engine/sync-codec.js').DigestAnswer} DigestAnswer */
/** @typedef {import('../engine/sync-codec.js').EntriesAnswer} EntriesAnswer */

export class AntiEntropy {
  #ctx
  #catchUp
  /** Rounds started (what tests observe of the periodic and membership rounds). */
  roundsRun = 0

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {import('./catch-up.js').CatchUp} catchUp
   */
  constructor(ctx, catchUp) {
    this.#ctx = ctx
    this.#catchUp = catchUp
  }

  /**
   * Starts a round: root digests to every peer this one leads the pair with
   * and is not pushing records to, and that is not being caught up by a
   * delta (periodic rounds: whether or not).
   * @param {boolean} periodic
   */
  async round(periodic) {
    const ctx = this.#ctx
    const ring = ctx.ring().retain()
    try {
      const peers = ring.members.filter(
        (p) =>
          p !== ctx.selfId &&
          compareKeys(ctx.selfId, p) < 0 &&
          !ctx.isPushingTo(p) &&
          (periodic || !this.#catchUp.isCatchingUp(p))
      )
      if (peers.length === 0) return
      this.roundsRun++
      const answers = /** @type {DigestAnswer[]} */ (
        await ctx.syncScan(ring, peers.map((p) => ({ peer: p, bits: 0, prefix: 0, entries: false })))
      )
      if (ring !== ctx.ring()) return // the ring moved; the next round redoes it
      peers.forEach((p, i) => ctx.send(p, { t: 'sum', buckets: [{ bits: 0, prefix: 0, ...answers[i] }] }))
    } finally {
      ring.release()
    }
  }

  /**
   * The peer's child digests of some buckets: find where we differ.
   * @param {string} from
   * @param {Array<Bucket & DigestAnswer>} buckets
   */
  async onSum(from, buckets) {
    const ctx = this.#ctx
    // Pushing records to it, or a delta from it catching this one up: not
    // now (its next round asks again).
    if (!ctx.isMember(from) || ctx.isPushingTo(from) || this.#catchUp.isCatchingUp(from)) return
    const ring = ctx.ring().retain()
    try {
      const mine = /** @type {DigestAnswer[]} */ (await ctx.syncScan(ring, buckets.map((b) => query(from, b, false))))
      /** @type {Bucket[]} */
      const descend = []
      /** @type {Bucket[]} */
      const entries = []
      /** @type {Bucket[]} */
      const pull = []
      /** @type {Bucket[]} */
      const push = []
      buckets.forEach(({ bits, prefix, counts, digests }, b) => {
        const own = mine[b]
        for (let i = 0; i < SYNC_CHILDREN; i++) {
          if (own.counts[i] === counts[i] && own.digests[i] === digests[i]) continue
          const child = { bits: bits + SYNC_BITS_PER_LEVEL, prefix: prefix * SYNC_CHILDREN + i }
          if (own.counts[i] === 0) pull.push(child)
          else if (counts[i] === 0) push.push(child)
          else if (child.bits >= MAX_BUCKET_BITS || own.counts[i] + counts[i] <= LEAF_ENTRIES) entries.push(child)
          else descend.push(child)
        }
      })
      for (const part of inParts(pull)) ctx.send(from, { t: 'pull', keys: [], buckets: part })
      if (push.length > 0) await this.pushBuckets(from, push)
      const queries = [...descend.map((b) => query(from, b, false)), ...entries.map((b) => query(from, b, true))]
      if (queries.length === 0) return
      const answers = await ctx.syncScan(ring, queries)
      const sums = descend.map((b, i) => ({ ...b, .../** @type {DigestAnswer} */ (answers[i]) }))
      for (const part of inParts(sums)) ctx.send(from, { t: 'sum', buckets: part })
      const off = descend.length
      const ents = entries.map((b, i) => ({ ...b, entries: /** @type {EntriesAnswer} */ (answers[off + i]).entries }))
      for (const part of inParts(ents)) ctx.send(from, { t: 'ent', buckets: part })
    } finally {
      ring.release()
    }
  }

  /**
   * The peer's entries of some buckets: pull what is newer there, push what
   * is newer here.
   * @param {string} from
   * @param {Array<Bucket & EntriesAnswer>} buckets
   */
  async onEntries(from, buckets) {
    const ctx = this.#ctx
    if (!ctx.isMember(from)) return
    // (syncScan holds the ring it is given until it ends.)
    const mine = /** @type {EntriesAnswer[]} */ (await ctx.syncScan(ctx.ring(), buckets.map((b) => query(from, b, true))))
    /** @type {string[]} */
    const pull = []
    /** @type {string[]} */
    const push = []
    buckets.forEach(({ entries: theirs }, b) => {
      const own = new Map(mine[b].entries.map((e) => [e.key, e]))
      for (const { key, hlc, origin } of theirs) {
        const e = own.get(key)
        own.delete(key)
        const c = e ? compareVersions(e.hlc, e.origin, hlc, origin) : -1
        if (c < 0) pull.push(key)
        else if (c > 0) push.push(key)
      }
      for (const key of own.keys()) push.push(key)
    })
    if (pull.length > 0) ctx.send(from, { t: 'pull', keys: pull, buckets: [] })
    if (push.length > 0) await ctx.pushKeys(from, push)
  }

  /**
   * The peer asks for keys and whole buckets (of the keys it shares with
   * this peer: syncScan's query for that peer).
   * @param {string} from
   * @param {string[]} keys
   * @param {Bucket[]} buckets
   */
  async onPull(from, keys, buckets) {
    const ctx = this.#ctx
    if (!ctx.isMember(from)) return
    if (keys.length > 0) {
      // Only keys the asker replicates (the keys of an 'ent' exchange are):
      // a pull is no way to read the store.
      const replicas = ctx.ring().replicasFor(keys, ctx.rf)
      const theirs = keys.filter((_, i) => replicas[i].includes(from))
      if (theirs.length > 0) await ctx.pushKeys(from, theirs)
    }
    if (buckets.length > 0) await this.pushBuckets(from, buckets)
  }

  /**
   * Sends every record of buckets the peer has nothing in. Unfiltered: a
   * replica that lacks a key cannot be relied on to send it, so this path,
   * the safety net, may send a key from more than one peer (the 'since'
   * exchange on first contact is the once-per-key path).
   * @param {string} peer
   * @param {Bucket[]} buckets
   */
  async pushBuckets(peer, buckets) {
    const ctx = this.#ctx
    const answers = /** @type {EntriesAnswer[]} */ (await ctx.syncScan(ctx.ring(), buckets.map((b) => query(peer, b, true))))
    const keys = answers.flatMap((a) => a.entries.map((e) => e.key))
    if (keys.length > 0) await ctx.pushKeys(peer, keys)
  }
}

/**
 * A list of buckets cut into messages' worth (peers refuse more than
 * MAX_BUCKETS in one).
 * @template T
 * @param {T[]} list
 * @returns {T[][]}
 */
function inParts(list) {
  const parts = []
  for (let at = 0; at < list.length; at += MAX_BUCKETS) parts.push(list.slice(at, at + MAX_BUCKETS))
  return parts
}

/**
 * @param {string} peer
 * @param {Bucket} bucket
 * @param {boolean} entries
 */
function query(peer, { bits, prefix }, entries) {
  return { peer, bits, prefix, entries }
}
