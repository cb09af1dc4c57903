// Backups: exportData() lists every key with its version: live keys with
// their value, deleted keys as tombstones ({key, deleted: true}); importData()
// merges such a list back by last-writer-wins, so an import never overwrites
// a newer write and a newer backup's deletes apply.
import { PagingStorageError, StatusCode } from '../core/errors.js'
import { normalizeKey } from '../core/keys.js'
import { decodeValue, encodeValue } from '../core/values.js'
import { isFromFuture, isVersion } from '../core/versions.js'
import { writeEach } from './batch-results.js'

/**
 * A live key with its value, or a deleted key (deleted: true, no value).
 * @typedef {{ key: string, value: import('../core/values.js').JsonValue, deleted?: undefined, hlc?: string, origin?: string }
 *   | { key: string, deleted: true, value?: undefined, hlc?: string, origin?: string }} BackupEntry
 * @typedef {{ peerId: string, exportedAt: string, totalKeys: number, data: BackupEntry[] }} Backup
 *   totalKeys: the live keys among data
 */

/**
 * Every key, resident or not, with its version; deleted keys as tombstones.
 * @param {{ scan: import('../store/local-store.js').LocalStore['scan'] }} store
 * @param {string} peerId
 * @returns {Promise<Backup>}
 */
export async function exportData(store, peerId) {
  /** @type {BackupEntry[]} */
  const data = []
  let live = 0
  await store.scan({ tombstones: true }, (r) => {
    if (r.deleted) {
      data.push({ key: r.key, deleted: true, hlc: r.hlc, origin: r.origin })
    } else {
      live++
      data.push({ key: r.key, value: decodeValue(/** @type {string} */ (r.json)), hlc: r.hlc, origin: r.origin })
    }
  })
  return { peerId, exportedAt: new Date().toISOString(), totalKeys: live, data }
}

/** Entries an import writes per call (a progress event after each). */
const IMPORT_BATCH = 5000

/**
 * Imports an export. Entries with a version (hlc and origin) merge by
 * last-writer-wins, deleted ones as tombstones (so a newer backup's deletes
 * apply, and an older one never brings a deleted key back); entries without
 * a version are plain writes or deletes. A bad entry fails alone.
 * @param {unknown} backup an exportData() result (only `data` is read)
 * @param {{ maxKeyBytes: number, maxValueBytes: number, sync: { maxClockDrift: number } }} limits maxClockDrift in ms
 * @param {(ops: import('../store/local-store.js').StoreWrite[]) =>
 *   Promise<import('../engine/codec.js').WriteResult[]>} write
 * @param {(p: { task: 'import', done: number, total: number }) => void} [onProgress]
 *   after each batch of IMPORT_BATCH entries written (done of total valid entries)
 * @returns {Promise<Array<{key: string, imported: boolean, error?: PagingStorageError, reason?: string}>>}
 * @throws {PagingStorageError} INVALID_ARGUMENT when backup is not an export
 */
export async function importData(backup, limits, write, onProgress = () => {}) {
  const data = /** @type {any} */ (backup)?.data
  if (backup === null || typeof backup !== 'object' || !Array.isArray(data)) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'importData expects an exportData() result')
  }
  const keyOf = (/** @type {any} */ entry) => (entry !== null && typeof entry === 'object' ? entry.key : undefined)
  const now = Date.now()
  const outcomes = await writeEach(
    data,
    (entry, i) => {
      const key = keyOf(entry)
      if (key === undefined) throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} is not {key, value}`)
      const k = normalizeKey(key, limits.maxKeyBytes)
      const deleted = entry.deleted === true
      if (entry.deleted !== undefined && !deleted) {
        throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i}: deleted must be true or absent`, { key: k })
      }
      if (deleted && entry.value !== undefined) {
        throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} is deleted and has a value`, { key: k })
      }
      const json = deleted ? null : encodeValue(entry.value, limits.maxValueBytes, k)
      if (entry.hlc === undefined && entry.origin === undefined) {
        return deleted ? { type: 'delete', key: k, replicate: true } : { type: 'put', key: k, json: /** @type {string} */ (json), replicate: true }
      }
      if (!isVersion(entry.hlc, entry.origin)) {
        throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} has a malformed version`, { key: k })
      }
      // As from a peer: a version from the future would drag this store's
      // clock along, and its later writes would be refused by its peers.
      if (isFromFuture(entry.hlc, now, limits.sync.maxClockDrift)) {
        throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} has a version from the future (more than sync.maxClockDrift ahead)`, { key: k })
      }
      return { type: 'merge', key: k, json, hlc: entry.hlc, origin: entry.origin, deleted, replicate: true }
    },
    keyOf,
    async (ops) => {
      // In batches, for the progress (each batch is queued as one call).
      const results = []
      for (let at = 0; at < ops.length; at += IMPORT_BATCH) {
        results.push(...(await write(ops.slice(at, at + IMPORT_BATCH))))
        onProgress({ task: 'import', done: results.length, total: ops.length })
      }
      return results
    }
  )
  return outcomes.map(({ key, error, result }, i) => {
    if (error) return { key, imported: false, error }
    if (result?.code === StatusCode.OK && result.applied) return { key, imported: true }
    const plainDelete = data[i].deleted === true && data[i].hlc === undefined
    return { key, imported: false, reason: plainDelete ? 'nothing to delete' : 'a newer version is stored' }
  })
}
