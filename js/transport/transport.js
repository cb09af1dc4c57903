// The transport interface: what a store needs from a network. Implemented by
// PeerPigeonTransport (a real WebRTC mesh) and SimulatedNetwork (tests and
// benchmarks); the sync layer reaches the network only through it.
//
// Messages are text. Delivery is best effort: a message may be lost, late or
// (on a mesh) relayed; nothing is acknowledged by the transport, so the sync
// layer acknowledges and retries what matters. Everything that arrives is
// untrusted (js/sync/messenger.js validates it).

/**
 * @typedef {object} Transport
 * @property {string} peerId this peer's id
 * @property {() => string[]} peers the peers reachable now (not this one)
 * @property {(peerId: string, data: string) => void} send to one peer
 * @property {(data: string) => void} broadcast to every peer (short messages)
 * @property {(event: 'peer-joined' | 'peer-left' | 'message', listener: (e: any) => void) => () => void} on
 *   'peer-joined' / 'peer-left' {peerId}; 'message' {from, data}; returns unsubscribe
 * @property {() => void} close stops listening (the network stays its owner's)
 */

export {}
