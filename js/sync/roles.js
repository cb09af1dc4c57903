// A peer's role on the ring: its weight (0 a full replica holding every key,
// else tokens per virtual node: js/engine/ring.js) and whether it
// acknowledges puts only once they are on disk (durable: a server peer).
// Heartbeats announce it (js/sync/protocol.js 'hb' w, d); membership keeps
// each member's (js/sync/membership.js); the ring and the distribution
// are built from it here.

/** @typedef {{ weight: number, durable: boolean }} Role */

/** The role of a peer that announces none: a browser. @type {Readonly<Role>} */
export const DEFAULT_ROLE = Object.freeze({ weight: 1, durable: false })

/**
 * A heartbeat: the clock when given, and the role when it is not the default.
 * @param {Role} role
 * @param {string} [h] the sender's clock
 * @returns {import('./protocol.js').Message}
 */
export function heartbeat(role, h) {
  /** @type {import('./protocol.js').Message} */
  const hb = { t: 'hb' }
  if (h !== undefined) hb.h = h
  if (role.weight !== 1) hb.w = role.weight
  if (role.durable) hb.d = true
  return hb
}

/**
 * The weights of a ring's members, in their order.
 * @param {readonly string[]} members
 * @param {string} selfId
 * @param {Role} role this peer's
 * @param {(peer: string) => number} weightOf the others' (membership)
 * @returns {number[]}
 */
export function ringWeights(members, selfId, role, weightOf) {
  return members.map((peer) => (peer === selfId ? role.weight : weightOf(peer)))
}

/**
 * Every member of a ring with its share of the key space and its role
 * (getPeerDistribution).
 * @param {import('../engine/ring.js').RingView} ring
 * @param {{ selfId: string, role: Role, rf: number, connected: Set<string>, isDurable: (peer: string) => boolean }} at
 * @returns {Array<{peerId: string, self: boolean, connected: boolean, share: number, weight: number, durable: boolean}>}
 */
export function distributionOf(ring, { selfId, role, rf, connected, isDurable }) {
  const shares = ring.shares(rf)
  return ring.members.map((peerId, i) => ({
    peerId,
    self: peerId === selfId,
    connected: peerId === selfId || connected.has(peerId),
    share: shares[i] ?? 0,
    weight: ring.weights[i],
    durable: peerId === selfId ? role.durable : isDurable(peerId)
  }))
}
