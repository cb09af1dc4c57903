// Proving: the records replicas acknowledged and have yet to prove they hold
// (js/sync/audits.js), for the replicator. One audit in flight per replica:
// what a replica acknowledges meanwhile waits for the next audit, which
// samples all of it. A proof vouches for every record of the audit's batch;
// a batch of tombstones only is held at once (a tombstone's proof would
// show nothing: js/sync/audit-proofs.js).

/** @typedef {import('../core/record.js').StoredRecord} StoredRecord */
/** @typedef {{ rec: StoredRecord }} Acked an entry of the replicator's, acknowledged */

export class Proving {
  #audit
  #current
  #held
  #again
  #notHeld
  #after
  /** @type {Map<string, Acked[]>} peer -> entries acknowledged, not yet in an audit */
  #unproven = new Map()
  /** @type {Set<string>} peers with an audit in flight */
  #auditing = new Set()
  #closed = false

  /**
   * @param {{ audit: (peer: string, records: StoredRecord[]) => Promise<import('./audits.js').Verdict>,
   *           current: (peer: string, e: Acked) => boolean,
   *           held: (peer: string, entries: Acked[]) => void,
   *           again: (peer: string, entries: Acked[]) => void,
   *           notHeld: (peer: string, entries: Acked[]) => void,
   *           after: (peer: string) => void }} opts
   *   audit: a replica's verdict on a sample of the records; current:
   *   whether an entry is still the one pending for its key at that peer
   *   (not superseded, not rerouted); held ('proven'), again ('lacking':
   *   send them again), notHeld ('failed', 'gone'): a verdict's entries,
   *   those still current; after: a verdict was applied
   */
  constructor({ audit, current, held, again, notHeld, after }) {
    this.#audit = audit
    this.#current = current
    this.#held = held
    this.#again = again
    this.#notHeld = notHeld
    this.#after = after
  }

  /**
   * Entries a peer acknowledged: audited with what it acknowledged since
   * its last audit, once that is settled.
   * @param {string} peer
   * @param {Acked[]} entries
   */
  add(peer, entries) {
    if (entries.length === 0) return
    const list = this.#unproven.get(peer)
    if (list) for (const e of entries) list.push(e)
    else this.#unproven.set(peer, [...entries])
    this.#next(peer)
  }

  /** Forgets what waits for an audit (the replicator rerouted it); audits in flight settle unheeded. */
  clear() {
    this.#unproven.clear()
  }

  close() {
    this.#closed = true
    this.#unproven.clear()
  }

  /** @param {string} peer */
  #next(peer) {
    if (this.#auditing.has(peer) || this.#closed) return
    const entries = (this.#unproven.get(peer) ?? []).filter((e) => this.#current(peer, e))
    this.#unproven.delete(peer)
    if (entries.length === 0) return
    if (entries.every((e) => e.rec.deleted)) return this.#held(peer, entries)
    this.#auditing.add(peer)
    this.#audit(
      peer,
      entries.map((e) => e.rec)
    ).then((verdict) => {
      this.#auditing.delete(peer)
      if (this.#closed) return
      const still = entries.filter((e) => this.#current(peer, e))
      if (verdict === 'proven') this.#held(peer, still)
      else if (verdict === 'lacking') this.#again(peer, still)
      // Failed or gone: the auditor excluded the peer, and the ring change
      // rerouted what was pending; what is left is not held.
      else this.#notHeld(peer, still)
      this.#next(peer)
      this.#after(peer)
    })
  }
}
