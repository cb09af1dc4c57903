// Cleans up what earlier versions of the demo left: each tab was its own
// peer with its own IndexedDB database ('paging-storage:demo_<8 hex>'), its
// identity in sessionStorage, so every closed tab left an orphan database.
// Tabs now share one store; those databases and keys are deleted once.
const OLD_DB = /^paging-storage:demo_[0-9a-f]{8}$/
const OLD_SESSION_KEY = 'paging-storage-demo-tab'

/** @returns {Promise<number>} databases deleted */
export async function removeOldTabStores() {
  sessionStorage.removeItem(OLD_SESSION_KEY)
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith('paging-storage:peer-id:demo_')) localStorage.removeItem(key)
  }
  if (typeof indexedDB.databases !== 'function') return 0
  const old = (await indexedDB.databases()).map((d) => d.name).filter((name) => name && OLD_DB.test(name))
  await Promise.all(
    old.map(
      (name) =>
        new Promise((resolve) => {
          const req = indexedDB.deleteDatabase(name)
          req.onsuccess = req.onerror = req.onblocked = () => resolve(undefined)
        })
    )
  )
  return old.length
}
