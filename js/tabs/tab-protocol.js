// The messages between the tabs that share one store, over a
// BroadcastChannel named after the store's persistenceKey (every tab of the
// origin that opens it listens). One tab leads: it holds the store (engine,
// backend, network); the others follow, sending it their calls.
//
//   hello    {from}                         a follower asks who leads
//   leader   {from, peerId}                 the leader announces itself: once its store is
//                                           open, and in answer to every hello
//   failed   {from, error}                  the elected tab could not open the store
//   calls    {from, to, calls}              a follower's calls to the leader `to`, in call
//                                           order: [{id, op, args}], those of one turn together
//   replies  {from, to, replies}            answers: [{id, value} | {id, error}]
//   applied  {from, records}                writes that changed the store (leader to all)
//   progress {from, progress}               {task, done, total} of the leader's long work
//   snapshot {from, snap}                   the leader's introspection (see Snapshot)
//   want     {from}                         a follower asks for a snapshot with pages
//   saved    {from, through}                a save stored every write call of follower
//                                           tab T up to call id through[T]
//   bye      {from}                         a tab is leaving
//
// Messages come from tabs of the same origin, that is from the same app;
// still, a malformed one (another version of the library) is dropped, never
// thrown on.
import { PagingStorageError } from '../core/errors.js'

/** The calls a follower makes, by Backing method name (js/api/store-host.js). */
export const OPS = Object.freeze(['write', 'read', 'readLocal', 'scan', 'flush', 'clearCache', 'compact', 'replicated', 'watch'])

/**
 * What the leader tells followers of the store, for their synchronous
 * introspection (getStats, listPages, diagnose, getPeerDistribution,
 * replicasFor).
 * @typedef {object} Snapshot
 * @property {import('../index.js').StorageStats} stats
 * @property {Array<{peerId: string, self: boolean, connected: boolean, share: number, weight: number, durable: boolean}>} distribution
 * @property {boolean} attached
 * @property {number} at Date.now() when taken
 * @property {import('../index.js').PageSummary[]} [pages] when a follower asked (want)
 * @property {import('../index.js').Diagnosis} [diagnosis] likewise
 */

/** @returns {string} an id for this tab's store */
export function tabId() {
  const bytes = new Uint8Array(8)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * @param {string} lockName the Web Lock name of the store (its backend's name)
 * @returns {string} the BroadcastChannel name of its tabs
 */
export function channelName(lockName) {
  return `paging-storage:tabs:${lockName}`
}

/**
 * @param {unknown} m
 * @returns {m is {t: string, from: string} & Record<string, any>} whether m has a known type and a sender
 */
export function isTabMessage(m) {
  if (m === null || typeof m !== 'object') return false
  const { t, from } = /** @type {any} */ (m)
  if (typeof from !== 'string' || from === '') return false
  switch (t) {
    case 'hello':
    case 'want':
    case 'bye':
      return true
    case 'leader':
      return typeof (/** @type {any} */ (m).peerId) === 'string'
    case 'failed':
      return typeof (/** @type {any} */ (m).error) === 'object'
    case 'calls': {
      const c = /** @type {any} */ (m)
      return (
        typeof c.to === 'string' &&
        Array.isArray(c.calls) &&
        c.calls.every((/** @type {any} */ x) => x !== null && typeof x === 'object' && Number.isInteger(x.id) && OPS.includes(x.op) && Array.isArray(x.args))
      )
    }
    case 'replies': {
      const r = /** @type {any} */ (m)
      return typeof r.to === 'string' && Array.isArray(r.replies) && r.replies.every((/** @type {any} */ x) => x !== null && typeof x === 'object' && Number.isInteger(x.id))
    }
    case 'applied':
      return Array.isArray(/** @type {any} */ (m).records)
    case 'progress': {
      const p = /** @type {any} */ (m).progress
      return p !== null && typeof p === 'object' && typeof p.task === 'string' && Number.isSafeInteger(p.done) && Number.isSafeInteger(p.total)
    }
    case 'saved': {
      const through = /** @type {any} */ (m).through
      return typeof through === 'object' && through !== null
    }
    case 'snapshot':
      return typeof (/** @type {any} */ (m).snap) === 'object' && /** @type {any} */ (m).snap !== null
    default:
      return false
  }
}

/**
 * An error as it crosses to another tab (structured clone keeps neither
 * the class nor the code of an Error).
 * @param {unknown} err
 * @returns {{ code?: string, message: string, key?: string }}
 */
export function errorToWire(err) {
  const e = /** @type {any} */ (err)
  return { code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? e), key: e?.key }
}

/**
 * @param {{ code?: string, message?: string, key?: string }} wire
 * @returns {Error} a PagingStorageError when it had a code
 */
export function errorFromWire(wire) {
  const message = String(wire?.message ?? 'error in the leader tab')
  if (typeof wire?.code === 'string') {
    return new PagingStorageError(/** @type {any} */ (wire.code), message, typeof wire.key === 'string' ? { key: wire.key } : {})
  }
  return new Error(message)
}
