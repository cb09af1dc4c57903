// AuditRounds: the audits this peer makes of other replicas after the
// fact (js/sync/audits.js challenges them):
//  - rounds: every sync.antiEntropyInterval while writes apply here, and
//    ACTIVE_ROUNDS rounds more, and while strikes await their follow-ups
//    (then one every IDLE_ROUND_MS: a round reads pages, here and at the
//    audited replicas, and an idle store reads none in between; its
//    anti-entropy re-reads them as often: js/store/digest-cache.js), a
//    sample of the live records held here is audited at their other
//    replicas, first the records due a follow-up (did the replica struck
//    for one keep it once sent it again?). A replica that lacks a record
//    it never acknowledged is sent it;
//  - on refusal: a peer's records this peer refused (not its keys under its
//    ring) are audited at the replicas ranked before it, so that when a
//    peer that excluded a cheat pushes its keys to honest replicas, those
//    find the cheat too (their rings still rank it first).
// The sample comes from a reservoir of keys written or merged here
// (Algorithm R, Vitter 1985: uniform over all of them).

/** Keys sampled per round, replicas audited per round, and the reservoir of
 *  keys held here they are drawn from. */
const ROUND_KEYS = 16
const ROUND_PEERS = 32
const RESERVOIR = 256
/** Rounds after the first one following the last write applied here. */
const ACTIVE_ROUNDS = 3
const IDLE_ROUND_MS = 10 * 60 * 1000
/** Audits made on refusals in flight at once, and live records sampled per put refused. */
const REFUSAL_AUDITS = 8
const REFUSAL_SAMPLE = 2

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */

export class AuditRounds {
  #ctx
  #audits
  #now
  /** @type {string[]} */
  #reservoir = []
  #seen = 0
  /** Rounds since the last write applied here. */
  #quiet = 0
  #lastRound = 0
  #refusalAudits = 0
  #closed = false

  /**
   * @param {import('./sync-context.js').SyncContext} ctx
   * @param {import('./audits.js').Audits} audits
   * @param {() => number} [now] ms
   */
  constructor(ctx, audits, now = () => Date.now()) {
    this.#ctx = ctx
    this.#audits = audits
    this.#now = now
  }

  /**
   * Writes applied here (made here or merged): the keys rounds sample.
   * @param {readonly string[]} keys
   */
  noteHeld(keys) {
    this.#quiet = 0
    for (const key of keys) {
      this.#seen++
      if (this.#reservoir.length < RESERVOIR) this.#reservoir.push(key)
      else {
        const j = Math.floor(Math.random() * this.#seen)
        if (j < RESERVOIR) this.#reservoir[j] = key
      }
    }
  }

  /**
   * One round: the follow-ups due, then a sample of the live records held
   * here, each at its other replicas under the current ring.
   * @returns {Promise<void>}
   */
  async round() {
    const now = this.#now()
    if (this.#closed) return
    if (this.#quiet++ > ACTIVE_ROUNDS && now - this.#lastRound < IDLE_ROUND_MS && !this.#audits.following) return
    this.#lastRound = now
    const followUps = this.#audits.followUps()
    const sampled = this.#reservoir.length === 0 ? [] : Array.from({ length: ROUND_KEYS }, () => this.#reservoir[Math.floor(Math.random() * this.#reservoir.length)])
    const keys = [...new Set([...followUps.map((f) => f.key), ...sampled])]
    if (keys.length === 0) return
    const found = await this.#ctx.lookup(keys)
    if (this.#closed) return
    /** @type {Map<string, StoredRecord>} */
    const held = new Map()
    found.forEach((r, i) => {
      if (r !== null && !r.deleted) held.set(keys[i], r)
    })
    const gone = new Set(keys.filter((_, i) => found[i] === null))
    if (gone.size > 0) this.#reservoir = this.#reservoir.filter((k) => !gone.has(k))
    /** @type {Map<string, StoredRecord[]>} peer -> records to audit there */
    const byPeer = new Map()
    const add = (/** @type {string} */ peer, /** @type {StoredRecord} */ rec) => pushTo(byPeer, peer, rec)
    for (const f of followUps) {
      const rec = held.get(f.key)
      if (rec && this.#ctx.isMember(f.peer)) add(f.peer, rec)
    }
    const records = [...new Set(sampled)].flatMap((k) => (held.has(k) ? [/** @type {StoredRecord} */ (held.get(k))] : []))
    this.#atReplicas(records, add)
    const busy = this.#audits.busy()
    let started = 0
    for (const [peer, list] of byPeer) {
      if (started >= ROUND_PEERS) break
      if (busy.has(peer)) continue
      started++
      this.#audits.challenge(peer, list, { acked: (rec) => this.#audits.acknowledged(peer, rec), push: true })
    }
  }

  /**
   * A peer's records this peer refused: a sample is audited at the
   * replicas ranked before this peer (their newer versions are not taken:
   * this peer does not hold these keys).
   * @param {StoredRecord[]} records
   */
  onRefused(records) {
    if (this.#closed || this.#refusalAudits >= REFUSAL_AUDITS) return
    const sample = records.filter((r) => !r.deleted).slice(0, REFUSAL_SAMPLE)
    /** @type {Map<string, StoredRecord[]>} */
    const byPeer = new Map()
    this.#atReplicas(sample, (peer, rec) => pushTo(byPeer, peer, rec))
    const busy = this.#audits.busy()
    for (const [peer, list] of byPeer) {
      if (this.#refusalAudits >= REFUSAL_AUDITS) break
      if (busy.has(peer)) continue
      this.#refusalAudits++
      this.#audits.challenge(peer, list, { acked: () => false, repair: false, push: true }).finally(() => this.#refusalAudits--)
    }
  }

  close() {
    this.#closed = true
  }

  /**
   * Each record at its replicas other than this peer, under the current ring.
   * @param {StoredRecord[]} records
   * @param {(peer: string, rec: StoredRecord) => void} add
   */
  #atReplicas(records, add) {
    if (records.length === 0) return
    const { selfId, rf } = this.#ctx
    const replicas = this.#ctx.ring().replicasFor(
      records.map((r) => r.key),
      rf
    )
    records.forEach((rec, i) => {
      for (const p of replicas[i]) if (p !== selfId) add(p, rec)
    })
  }
}

/**
 * Appends rec to peer's list in map (made when missing).
 * @param {Map<string, StoredRecord[]>} map
 * @param {string} peer
 * @param {StoredRecord} rec
 */
function pushTo(map, peer, rec) {
  const list = map.get(peer)
  if (list) list.push(rec)
  else map.set(peer, [rec])
}
