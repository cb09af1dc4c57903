// A minimal app, as a user writes it: import the package by name.
import { PagingStorage } from 'paging-storage'

async function run() {
  const storage = new PagingStorage({ pageSize: 512, persistence: { maxMemoryPages: 2 } })
  await storage.ready
  await storage.set('user:123', { name: 'Alice', email: 'alice@example.com' })
  const user = await storage.get('user:123')
  await storage.setMany(Array.from({ length: 500 }, (_, i) => ['item:' + String(i).padStart(3, '0'), i]))
  const firstThree = await storage.range({ prefix: 'item:', limit: 3 })
  const lastTwo = await storage.range({ prefix: 'item:', reverse: true, limit: 2 })
  const deleted = await storage.delete('user:123')
  const afterDelete = await storage.get('user:123')
  const stats = storage.getStats()
  await storage.shutdown()
  return { user, firstThree, lastTwo, deleted, afterDelete, totalKeys: stats.totalKeys,
    residentPages: stats.cache.residentPages, totalPages: stats.totalPages }
}

run().then(
  (result) => { window.__result = result; document.getElementById('out').textContent = 'done' },
  (err) => { window.__result = { error: String(err && err.stack || err) } }
)
