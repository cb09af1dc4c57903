// Backups: exportData() lists every live key with its value and version;
// importData() merges such a list back by last-writer-wins, so an import
// never overwrites a newer write.
import { PagingStorageError, StatusCode } from '../core/errors.js'
import { normalizeKey } from '../core/keys.js'
import { decodeValue, encodeValue } from '../core/values.js'
import { isVersion } from '../core/versions.js'
import { writeEach } from './batch-results.js'

/**
 * @typedef {{ key: string, value: import('../core/values.js').JsonValue, hlc?: string, origin?: string }} BackupEntry
 * @typedef {{ peerId: string, exportedAt: string, totalKeys: number, data: BackupEntry[] }} Backup
 */

/**
 * Every live key, resident or not, with its version.
 * @param {{ scan: import('../store/local-store.js').LocalStore['scan'] }} store
 * @param {string} peerId
 * @returns {Promise<Backup>}
 */
export async function exportData(store, peerId) {
  /** @type {BackupEntry[]} */
  const data = []
  await store.scan({}, (r) => data.push({ key: r.key, value: decodeValue(/** @type {string} */ (r.json)), hlc: r.hlc, origin: r.origin }))
  return { peerId, exportedAt: new Date().toISOString(), totalKeys: data.length, data }
}

/**
 * Imports an export. Entries with a version (hlc and origin) merge by
 * last-writer-wins; entries without one are plain writes. A bad entry fails
 * alone.
 * @param {unknown} backup an exportData() result (only `data` is read)
 * @param {{ maxKeyBytes: number, maxValueBytes: number }} limits
 * @param {(ops: import('../store/local-store.js').StoreWrite[]) =>
 *   Promise<import('../engine/codec.js').WriteResult[]>} write
 * @returns {Promise<Array<{key: string, imported: boolean, error?: PagingStorageError, reason?: string}>>}
 * @throws {PagingStorageError} INVALID_ARGUMENT when backup is not an export
 */
export async function importData(backup, limits, write) {
  const data = /** @type {any} */ (backup)?.data
  if (backup === null || typeof backup !== 'object' || !Array.isArray(data)) {
    throw new PagingStorageError('INVALID_ARGUMENT', 'importData expects an exportData() result')
  }
  const keyOf = (/** @type {any} */ entry) => (entry !== null && typeof entry === 'object' ? entry.key : undefined)
  const outcomes = await writeEach(
    data,
    (entry, i) => {
      const key = keyOf(entry)
      if (key === undefined) throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} is not {key, value}`)
      const k = normalizeKey(key, limits.maxKeyBytes)
      const json = encodeValue(entry.value, limits.maxValueBytes, k)
      if (entry.hlc === undefined && entry.origin === undefined) return { type: 'put', key: k, json, replicate: true }
      if (!isVersion(entry.hlc, entry.origin)) {
        throw new PagingStorageError('INVALID_ARGUMENT', `entry ${i} has a malformed version`, { key: k })
      }
      return { type: 'merge', key: k, json, hlc: entry.hlc, origin: entry.origin, deleted: false, replicate: true }
    },
    keyOf,
    write
  )
  return outcomes.map(({ key, error, result }) => {
    if (error) return { key, imported: false, error }
    if (result?.code === StatusCode.OK && result.applied) return { key, imported: true }
    return { key, imported: false, reason: 'a newer version is stored' }
  })
}
