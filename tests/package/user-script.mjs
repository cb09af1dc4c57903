// Written as a user of the published package would: only its public name.
import { PagingStorage, PagingStorageError } from 'paging-storage'

const out = {}
const storage = new PagingStorage({
  pageSize: 1024,
  persistence: { maxMemoryPages: 4, persistenceKey: 'my_app_storage' }
})
await storage.ready
const errors = []
const unsubscribe = storage.on('error', (e) => errors.push(e))

await storage.set('user:123', { name: 'Alice', age: 30 })
out.user = await storage.get('user:123')
out.exists = await storage.has('user:123')
out.deleted = await storage.delete('user:123')
out.afterDelete = await storage.get('user:123')

await storage.setLocal('local:1', [1, 2, 3])
out.local = await storage.getLocal('local:1')
out.localDeleted = await storage.deleteLocal('local:1')

out.setMany = await storage.setMany([
  ['key1', 'value1'],
  ['key2', 'value2'],
  ['', 'rejected']
]).then((r) => r.map(({ key, success, error }) => ({ key, success, code: error?.code })))
out.getMany = [...(await storage.getMany(['key1', 'key2', 'nope']))]

const many = Array.from({ length: 2000 }, (_, i) => ['item:' + String(i).padStart(4, '0'), { i }])
await storage.setMany(many)
out.range = await storage.range({ prefix: 'item:', limit: 2, reverse: true })
out.keys = (await storage.keys('item:000')).length

const stats = storage.getStats()
out.stats = {
  totalKeys: stats.totalKeys,
  totalPagesOver10: stats.totalPages > 10,
  residentWithinBudget: stats.cache.residentPages <= 4,
  memoryPressure: typeof stats.cache.memoryPressure,
  connectedPeers: stats.connectedPeers,
  hasDht: typeof stats.dht
}
out.pages = storage.listPages().length > 10
out.diagnose = storage.diagnose().ok

const backup = await storage.exportData()
out.export = { totalKeys: backup.totalKeys, peerId: backup.peerId === storage.peerId }
const other = new PagingStorage()
const results = await other.importData(JSON.parse(JSON.stringify(backup)))
out.imported = results.filter((r) => r.imported).length
out.otherValue = await other.get('item:1999')

await storage.flush()
out.cleared = (await storage.clearCache()) > 0
out.afterClear = await storage.get('item:0500')

try {
  await storage.set('bad', undefined)
} catch (err) {
  out.badValue = err instanceof PagingStorageError ? err.code : String(err)
}
try {
  await storage.set('', 1)
} catch (err) {
  out.badKey = err.code
}
unsubscribe()
storage.off('error', () => {})
out.backgroundErrors = errors.length
await storage.shutdown()
await other.shutdown()
try {
  await storage.get('key1')
} catch (err) {
  out.afterShutdown = err.code
}

// The file backend: its dependency (classic-level) came with the tarball's
// install, which ran no install script (no compiler): its prebuilt binary.
const { mkdtempSync, rmSync } = await import('node:fs')
const { tmpdir } = await import('node:os')
const { join } = await import('node:path')
const dir = mkdtempSync(join(tmpdir(), 'user-file-'))
const onDisk = new PagingStorage({ persistence: { backend: 'file', dir } })
await onDisk.setMany(many.slice(0, 500))
await onDisk.shutdown()
const reopened = new PagingStorage({ persistence: { backend: 'file', dir } })
out.file = { keys: (await reopened.keys('item:')).length, last: await reopened.get('item:0499') }
await reopened.shutdown()
rmSync(dir, { recursive: true })
console.log(JSON.stringify(out))
