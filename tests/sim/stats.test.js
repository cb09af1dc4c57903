// Stats with peers: getStats() is synchronous and does no I/O, and the key
// counts it reports (owned / replica) are right after the ring settles.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Cluster, sleep } from './helpers.js'

test('getStats with peers loads no page (it used to scan the whole store every 10 s)', async () => {
  const c = new Cluster({ seed: 21, options: { pageSize: 512, persistence: { maxMemoryPages: 4, autoSaveInterval: 0, maxDiskPages: 1e6 } } })
  const [a] = [await c.add('a'), await c.add('b')]
  // (Not getStats: the first call is the one under test.)
  await c.until(() => a.getPeerDistribution().length === 2 || 'members', 5000)
  await a.setMany(Array.from({ length: 2000 }, (_, i) => [`k:${i}`, { i }]))
  await a.replicated({ timeout: 10000 })
  await a.flush()
  await a.clearCache()
  // Let rebalance, anti-entropy and replica audits settle: no page loaded
  // for 1.2 s, more than an antiEntropyInterval (sync scans pause between
  // slices, so a round can take a while under load; audit rounds go on for
  // 4 rounds after the last write).
  let loads = -1
  await c.until(async () => {
    const now = a.getStats().cache.pageLoads
    const still = now === loads
    loads = now
    await sleep(1200)
    return (still && a.getStats().cache.pageLoads === now) || 'loading'
  }, 20000)
  const before = a.getStats().cache.pageLoads
  for (let i = 0; i < 20; i++) a.getStats()
  await sleep(300)
  assert.equal(a.getStats().cache.pageLoads, before, 'getStats() loaded pages')
  await c.close()
})

test('owned and replica counts match the ring after it settles and follow writes', async () => {
  const c = new Cluster({ seed: 22, options: { replicationFactor: 2 } })
  const stores = [await c.add('a'), await c.add('b'), await c.add('c')]
  await c.until(() => stores.every((s) => s.getStats().dht.peers === 3) || 'members', 5000)
  const keys = Array.from({ length: 600 }, (_, i) => `key:${i}`)
  await stores[0].setMany(keys.map((k) => [k, 1]))
  await stores[0].replicated({ timeout: 10000 })
  /** What each store should count: by the ring's answer for every key. */
  const expected = (s) => {
    let owned = 0
    let replica = 0
    for (const k of keys) {
      const r = s.replicasFor(k)
      if (r[0] === s.peerId) owned++
      else if (r.includes(s.peerId)) replica++
    }
    return { owned, replica }
  }
  const counted = (s) => ({ owned: s.getStats().dht.ownedKeys, replica: s.getStats().dht.replicaKeys })
  const settled = () => stores.every((s) => JSON.stringify(counted(s)) === JSON.stringify(expected(s))) || 'counts'
  assert.equal(await c.until(settled, 10000), true, JSON.stringify(stores.map((s) => [counted(s), expected(s)])))
  // Deleting a third of the keys (on the writer, which holds them all) takes
  // them out of every count.
  for (const k of keys.slice(0, 200)) await stores[0].delete(k)
  await stores[0].replicated({ timeout: 10000 })
  keys.splice(0, 200)
  assert.equal(await c.until(settled, 10000), true, JSON.stringify(stores.map((s) => [counted(s), expected(s)])))
  await c.close()
})
