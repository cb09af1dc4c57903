// The link between usePeerPigeon and usePagingStorage: a `pigeon` ref made
// by usePeerPigeon carries it (under LINK), so that usePagingStorage({ pigeon })
// can run the mesh for its store: create it under the store's peer id
// (kept across reloads) once the store is open, and never in a tab whose
// store did not open. Internal to paging-storage/vue.

/** Key of the link on usePeerPigeon's `pigeon` ref. */
export const LINK = Symbol('paging-storage/vue usePeerPigeon link')

/**
 * @typedef {object} PeerPigeonLink
 * @property {() => void} manage from now on the store decides when to
 *   connect: usePeerPigeon's own autoConnect stands down
 * @property {(peerId: string) => Promise<unknown>} connectAs connects (once)
 *   with a mesh created under peerId
 * @property {import('vue').Ref<string>} status usePeerPigeon's status
 */
