// The peer-to-peer API on a small simulated network: routed reads and
// writes, deletes, change events and watch, replicated(), local-only calls,
// a joining peer receiving its keys, a departed replica replaced.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { PagingStorage, SimulatedNetwork } from 'paging-storage'

import { Cluster, FAST, sleep, until } from './helpers.js'

function converged(cluster, n) {
  return cluster.until(() => cluster.live().every((s) => s.getStats().dht.peers === n) || 'members', 5000)
}

test('a write on one peer is read on the others; deletes follow', async () => {
  const c = new Cluster({ seed: 3 })
  const [a, b, d] = [await c.add('a'), await c.add('b'), await c.add('d')]
  assert.equal(await converged(c, 3), true)
  await a.set('user:1', { name: 'Alice' })
  await a.replicated({ timeout: 5000 })
  assert.deepEqual(await b.get('user:1'), { name: 'Alice' })
  assert.deepEqual(await d.get('user:1'), { name: 'Alice' })
  assert.equal(await d.has('user:1'), true)
  // With RF 3 and 3 peers every peer is a replica: the value is local everywhere.
  assert.deepEqual(await d.getLocal('user:1'), { name: 'Alice' })
  assert.equal(await b.delete('user:1'), true)
  await b.replicated({ timeout: 5000 })
  for (const s of [a, b, d]) {
    assert.equal(await s.get('user:1'), undefined)
    assert.equal(await s.has('user:1'), false)
  }
  const st = a.getStats()
  assert.equal(st.connectedPeers, 2)
  assert.equal(st.dht.enabled, true)
  assert.equal(st.dht.peers, 3)
  assert.equal(st.dht.replicationFactor, 3)
  assert.equal(st.dht.virtualNodes, 128)
  assert.ok(st.sync.messagesIn > 0 && st.sync.bytesOut > 0)
  assert.equal(st.sync.rejected, 0)
  await c.close()
})

test('reads go to the replicas when this peer is not one of them', async () => {
  const c = new Cluster({ seed: 4, options: { replicationFactor: 1 } })
  const stores = []
  for (const id of ['p1', 'p2', 'p3', 'p4']) stores.push(await c.add(id))
  assert.equal(await converged(c, 4), true)
  const writer = stores[0]
  const entries = []
  for (let i = 0; i < 200; i++) entries.push([`k${i}`, i])
  await writer.setMany(entries)
  await writer.replicated({ timeout: 5000 })
  for (const s of stores) {
    const got = await s.getMany(entries.map(([k]) => k))
    for (const [k, v] of entries) assert.equal(got.get(k), v, `${s.peerId} reads ${k}`)
  }
  // A reader that is not the replica and never wrote the key asks the owner.
  const key = entries.map(([k]) => k).find((k) => !['p1', 'p2'].includes(stores[0].replicasFor(k)[0]))
  const owner = stores[0].replicasFor(key)[0]
  const reader = stores.find((s) => s.peerId !== owner && s !== writer)
  assert.equal(await reader.getLocal(key), undefined)
  assert.equal(await reader.get(key), Number(key.slice(1)))
  await c.close()
})

test('change events and watch fire for local and remote writes', async () => {
  const c = new Cluster({ seed: 5 })
  const [a, b] = [await c.add('a'), await c.add('b')]
  assert.equal(await converged(c, 2), true)
  const seen = []
  const docs = []
  b.on('change', (e) => seen.push(e))
  const stop = b.watch('doc:123:', (e) => docs.push(e.key))
  await a.set('doc:123:title', 'Hello')
  await a.set('other', 1)
  await b.set('doc:123:body', 'local')
  await a.delete('other')
  // a's set and delete of 'other' may coalesce into one replicated tombstone
  assert.equal(await c.until(() => seen.length >= 3 || `${seen.length} events`, 3000), true)
  const remote = seen.find((e) => e.key === 'doc:123:title')
  assert.equal(remote.origin, 'a')
  assert.equal(remote.value, 'Hello')
  assert.equal(remote.deleted, false)
  assert.match(remote.hlc, /^[0-9a-f]{16}$/)
  assert.equal(seen.find((e) => e.key === 'doc:123:body').origin, 'b')
  assert.ok(seen.some((e) => e.key === 'other' && e.deleted && e.value === undefined))
  assert.deepEqual(docs.sort(), ['doc:123:body', 'doc:123:title'])
  stop()
  await a.set('doc:123:title', 'again')
  await sleep(100)
  assert.equal(docs.length, 2, 'unsubscribed')
  assert.throws(() => b.watch(42, () => {}), (e) => e.code === 'INVALID_ARGUMENT')
  await c.close()
})

test('setLocal is not pushed; concurrent writes converge to one value', async () => {
  const c = new Cluster({ seed: 6, options: { sync: { ...FAST.sync, antiEntropyInterval: 0 } } })
  const [a, b, d] = [await c.add('a'), await c.add('b'), await c.add('d')]
  assert.equal(await converged(c, 3), true)
  await sleep(300) // the membership round
  const before = a.getStats().sync.messagesOut
  await a.setLocal('draft', 1)
  await sleep(50)
  assert.equal(a.getStats().sync.pendingReplications, 0)
  assert.equal(await b.getLocal('draft'), undefined)
  assert.ok(a.getStats().sync.messagesOut - before < 3, 'only heartbeats went out')
  await Promise.all([a.set('x', 'from a'), b.set('x', 'from b'), d.set('x', 'from d')])
  await Promise.all([a, b, d].map((s) => s.replicated({ timeout: 5000 })))
  const values = await Promise.all([a, b, d].map((s) => s.getLocal('x')))
  assert.equal(new Set(values).size, 1, `all agree: ${values}`)
  await c.close()
})

test('a joining peer receives the keys it is responsible for; a departed replica is replaced', async () => {
  const c = new Cluster({ seed: 7, options: { replicationFactor: 2 } })
  for (const id of ['a', 'b', 'c']) await c.add(id)
  assert.equal(await converged(c, 3), true)
  const a = c.stores.get('a')
  const entries = []
  for (let i = 0; i < 1000; i++) entries.push([`item:${i}`, { i }])
  await a.setMany(entries)
  await a.replicated({ timeout: 5000 })
  const d = await c.add('d')
  assert.equal(await converged(c, 4), true)
  const mine = () => entries.filter(([k]) => d.replicasFor(k).includes('d')).map(([k]) => k)
  const why = await c.until(async () => {
    const keys = mine()
    const got = await Promise.all(keys.map((k) => d.getLocal(k)))
    const missing = got.filter((v) => v === undefined).length
    return missing === 0 || `d lacks ${missing} of ${keys.length}`
  }, 8000)
  assert.equal(why, true)
  assert.ok(mine().length > 200, `d is responsible for ${mine().length} keys`)
  // b leaves: every key again has 2 copies among a, c, d.
  await c.remove('b')
  assert.equal(await converged(c, 3), true)
  const why2 = await c.until(async () => {
    for (const [k] of entries) {
      for (const p of d.replicasFor(k)) {
        if ((await c.stores.get(p).getLocal(k)) === undefined) return `${p} lacks ${k}`
      }
    }
    return true
  }, 8000)
  assert.equal(why2, true)
  await c.close()
})

test('a peer that was offline catches up; a lone peer works locally', async () => {
  const net = new SimulatedNetwork({ seed: 8 })
  const a = new PagingStorage({ ...FAST, transport: net.join('a') })
  await a.set('solo', 1) // alone: a plain local write
  assert.equal(await a.get('solo'), 1)
  const b = new PagingStorage({ ...FAST, transport: net.join('b') })
  await b.ready
  await sleep(300)
  net.partition([['a'], ['b']])
  await sleep(800) // b drops out of a's membership
  for (let i = 0; i < 50; i++) await a.set(`late:${i}`, i)
  net.heal()
  const why = await until(async () => {
    const got = await b.getMany(Array.from({ length: 50 }, (_, i) => `late:${i}`))
    const local = await Promise.all([...got.keys()].map((k) => b.getLocal(k)))
    return local.every((v, i) => v === i) || 'b still behind'
  }, 5000)
  assert.equal(why, true)
  assert.equal(await b.getLocal('solo'), 1)
  await a.shutdown()
  await b.shutdown()
})

test('anti-entropy spreads what a replica holds and the others lack', async () => {
  // setLocal pushes nothing: only the digest comparison can move the value.
  const c = new Cluster({ seed: 9, options: { sync: { ...FAST.sync, antiEntropyInterval: 200 } } })
  const [a, b, d] = [await c.add('a'), await c.add('b'), await c.add('d')]
  assert.equal(await converged(c, 3), true)
  await sleep(500) // past the rebalance that follows a membership change
  for (let i = 0; i < 100; i++) await a.setLocal(`quiet:${i}`, i)
  await b.setLocal('quiet:0', 'newer on b')
  const why = await until(async () => {
    for (const s of [a, b, d]) {
      const got = await Promise.all(Array.from({ length: 100 }, (_, i) => s.getLocal(`quiet:${i}`)))
      if (got[0] !== 'newer on b') return `${s.peerId} has quiet:0 = ${got[0]}`
      if (got.slice(1).some((v, i) => v !== i + 1)) return `${s.peerId} lacks some`
    }
    return true
  }, 5000)
  assert.equal(why, true)
  await c.close()
})
