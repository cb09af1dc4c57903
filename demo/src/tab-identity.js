// Each tab is its own peer with its own store: two tabs of one browser share
// IndexedDB, and one persistenceKey can be open in one tab only (LOCKED).
// The identity lives in sessionStorage, so a reload keeps the tab's peer id
// and data; a duplicated tab copies it, hits LOCKED, and calls renew().
const KEY = 'paging-storage-demo-tab'

function randomHex(n) {
  const bytes = crypto.getRandomValues(new Uint8Array(n / 2))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** @returns {{peerId: string, persistenceKey: string}} */
export function tabIdentity() {
  const saved = sessionStorage.getItem(KEY)
  if (saved) return JSON.parse(saved)
  const peerId = randomHex(40)
  const identity = { peerId, persistenceKey: `demo_${peerId.slice(0, 8)}` }
  sessionStorage.setItem(KEY, JSON.stringify(identity))
  return identity
}

/** Forgets this tab's identity; the next load is a new peer. */
export function renewTabIdentity() {
  sessionStorage.removeItem(KEY)
}
