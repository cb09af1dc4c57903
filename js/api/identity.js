// The peer identity of a persistent store: one id per browser profile and
// persistenceKey, kept in localStorage, so that a reload (or another tab)
// is the same peer on the ring (the same replica set, the same writer) and
// not a new, empty one. localStorage answers synchronously (the constructor
// needs the id); the store's own data keeps it too, durably with its pages,
// and wins when they differ (js/store/open-store.js). Where localStorage is
// missing or refuses (Node, storage blocked), callers use a fresh random id.
//
// The id is 40 lowercase hex digits (160 random bits), the form PeerPigeon
// requires of a given peerId (PeerPigeonMesh.validatePeerId), so a mesh can
// be created under the store's id.

const PREFIX = 'paging-storage:peer-id:'
const FORM = /^[0-9a-f]{40}$/

/** @returns {string} 40 random lowercase hex digits */
export function randomPeerId() {
  const bytes = new Uint8Array(20)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** @returns {Storage | null} localStorage where it can be used */
function storageOf() {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null // a sandboxed frame: reading the property throws
  }
}

/**
 * Keeps `peerId` for persistenceKey (the id the store's own data keeps won
 * over the one localStorage had, or lost).
 * @param {string} persistenceKey
 * @param {string} peerId
 */
export function keepPeerId(persistenceKey, peerId) {
  try {
    storageOf()?.setItem(PREFIX + persistenceKey, peerId)
  } catch {
    // quota or access refused: the store's data keeps it anyway
  }
}

/**
 * The peer id kept for persistenceKey in this browser profile, created
 * (and kept) on first use.
 * @param {string} persistenceKey
 * @returns {string | null} null where it cannot be kept (no localStorage, or it throws)
 */
export function persistedPeerId(persistenceKey) {
  const storage = storageOf()
  if (!storage) return null
  try {
    const name = PREFIX + persistenceKey
    const kept = storage.getItem(name)
    if (kept !== null && FORM.test(kept)) return kept
    const id = randomPeerId()
    storage.setItem(name, id)
    return id
  } catch {
    return null // quota or access refused
  }
}
