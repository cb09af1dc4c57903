// Membership: the live-peer set every peer computes the ring from.
//
// A peer is live while we hear from it: any valid message (heartbeats are
// broadcast every heartbeatInterval) renews it for peerTimeout; the
// transport's peer-left removes it at once, peer-joined adds it at once.
// Peers that hear each other converge on the same set within about one
// heartbeat, so they compute the same replicas. `onChange(members)` gets the
// sorted member list (self included) after every change.
//
// A peer this one has given up on (it never acknowledges what it is sent:
// js/sync/replicator.js) is excluded for a while: not a member, whatever
// it sends, so that its keys get replicas that answer. At most
// MAX_EXCLUDED are remembered (the oldest exclusions end first).
//
// Each member has a role its heartbeats announce: its ring weight (0 a full
// replica, else tokens per virtual node; js/engine/ring.js) and whether it
// acknowledges puts only once they are on disk (durable). A role that
// changes changes the members as the ring sees them (onChange).
import { compareKeys } from '../core/keys.js'
import { isOrigin } from '../core/versions.js'
import { DEFAULT_ROLE } from './roles.js'

const MAX_EXCLUDED = 10000

export class Membership {
  #self
  /** @type {Map<string, number>} peerId -> ms the exclusion ends */
  #excluded = new Map()
  /** Exclusions made since the start. */
  exclusions = 0
  #timeout
  #lastHeard = new Map() // peerId -> ms, for live peers
  #lastSeen = new Map() // peerId -> ms, also for peers gone (bounded)
  #onChange
  /** peerId -> its role, for peers whose role is not the default {weight 1, not durable}. @type {Map<string, {weight: number, durable: boolean}>} */
  #roles = new Map()
  #onReturn
  #onFirstContact
  #now
  #members

  /**
   * @param {string} selfId
   * @param {{ peerTimeout: number, now?: () => number,
   *           onChange: (members: string[]) => void,
   *           onReturn?: (peerId: string, lastSeenMs: number) => void,
   *           onFirstContact?: (peerId: string) => void,
   *           role?: {weight: number, durable: boolean} }} opts
   *   peerTimeout in ms; onChange gets the sorted members after every change;
   *   onReturn: a peer seen before is live again; onFirstContact: a peer never
   *   seen before is live; role: this peer's (default weight 1, not durable)
   */
  constructor(selfId, { peerTimeout, now = () => Date.now(), onChange, onReturn = () => {}, onFirstContact = () => {}, role }) {
    if (role && (role.weight !== 1 || role.durable)) this.#roles.set(selfId, { ...role })
    this.#onReturn = onReturn
    this.#onFirstContact = onFirstContact
    this.#self = selfId
    this.#timeout = peerTimeout
    this.#now = now
    this.#onChange = onChange
    this.#members = [selfId]
  }

  /** Sorted (UTF-8 byte order, as the ring requires), self included. */
  get members() {
    return this.#members
  }

  has(peerId) {
    return peerId === this.#self || this.#lastHeard.has(peerId)
  }

  /**
   * A sign of life from peerId (a message, a connection). An id that is
   * not a peer id (core/versions.js isOrigin) never becomes a member: the
   * ring is built from the members' ids.
   * @param {string} peerId
   * @param {{ weight: number, durable: boolean }} [role] the role its
   *   heartbeat announced: a peer that joins with it joins the ring with
   *   its weight (one ring change, not one at weight 1 and another)
   */
  heard(peerId, role) {
    if (peerId === this.#self || !isOrigin(peerId)) return
    const now = this.#now()
    const until = this.#excluded.get(peerId)
    if (until !== undefined) {
      if (now < until) return
      this.#excluded.delete(peerId)
    }
    const isNew = !this.#lastHeard.has(peerId)
    this.#lastHeard.set(peerId, now)
    // A new member's role is in place before the ring change below makes its ring.
    if (role !== undefined) {
      if (isNew) this.#keepRole(peerId, role)
      else this.setRole(peerId, role.weight, role.durable)
    }
    const seen = this.#lastSeen.get(peerId)
    this.#lastSeen.delete(peerId) // re-inserted last: the map stays in LRU order
    this.#lastSeen.set(peerId, now)
    if (this.#lastSeen.size > 10000) this.#lastSeen.delete(this.#lastSeen.keys().next().value)
    if (isNew) {
      this.#changed()
      if (seen !== undefined) this.#onReturn(peerId, seen)
      else this.#onFirstContact(peerId)
    }
  }

  /**
   * Excludes a peer: it leaves the members now and is not heard for ms.
   * @param {string} peerId
   * @param {number} ms
   */
  exclude(peerId, ms) {
    if (peerId === this.#self) return
    this.exclusions++
    this.#excluded.delete(peerId)
    this.#excluded.set(peerId, this.#now() + ms)
    if (this.#excluded.size > MAX_EXCLUDED) this.#excluded.delete(this.#excluded.keys().next().value)
    this.left(peerId)
  }

  /** @returns {number} peers excluded now */
  get excluded() {
    const now = this.#now()
    for (const [p, until] of this.#excluded) if (until <= now) this.#excluded.delete(p)
    return this.#excluded.size
  }

  left(peerId) {
    if (this.#lastHeard.delete(peerId)) {
      this.#roles.delete(peerId)
      this.#changed()
    }
  }

  /**
   * The role a peer's heartbeat announced; a change of a member's weight
   * changes the ring (onChange).
   * @param {string} peerId
   * @param {number} weight 0..16
   * @param {boolean} durable
   */
  setRole(peerId, weight, durable) {
    if (peerId === this.#self || !this.#lastHeard.has(peerId)) return
    const old = this.#roles.get(peerId) ?? DEFAULT_ROLE
    if (old.weight === weight && old.durable === durable) return
    this.#keepRole(peerId, { weight, durable })
    if (old.weight !== weight) this.#changed()
  }

  /** @param {string} peerId @param {{ weight: number, durable: boolean }} role */
  #keepRole(peerId, { weight, durable }) {
    if (weight === DEFAULT_ROLE.weight && durable === DEFAULT_ROLE.durable) this.#roles.delete(peerId)
    else this.#roles.set(peerId, { weight, durable })
  }

  /** @param {string} peerId @returns {number} its ring weight (1 unless announced) */
  weightOf(peerId) {
    return (this.#roles.get(peerId) ?? DEFAULT_ROLE).weight
  }

  /** @param {string} peerId @returns {boolean} whether it acknowledges only what is on disk */
  isDurable(peerId) {
    return (this.#roles.get(peerId) ?? DEFAULT_ROLE).durable
  }

  /** Drops peers not heard from within peerTimeout. */
  expire() {
    const cutoff = this.#now() - this.#timeout
    let changed = false
    for (const [p, at] of this.#lastHeard) {
      if (at < cutoff) {
        this.#lastHeard.delete(p)
        this.#roles.delete(p)
        changed = true
      }
    }
    if (changed) this.#changed()
  }

  #changed() {
    this.#members = [this.#self, ...this.#lastHeard.keys()].sort(compareKeys)
    this.#onChange(this.#members)
  }
}
