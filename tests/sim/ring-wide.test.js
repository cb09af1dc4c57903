// Reads, deletes and subscriptions that see the whole ring (issue 15): on
// 10 simulated peers with RF 3 most peers are not replicas of a given key,
// yet a delete from any of them removes the key everywhere, a prefix range
// from any of them lists every live key of the ring, a watch on any of them
// hears every change, a read the replicas no longer answer returns the last
// answer, and replicated() tells a write held on this device only.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'

import { PagingStorage } from 'paging-storage'

import { seededRandom } from '../../js/transport/simulated-network.js'
import { Cluster, FAST, peerIdFrom, sleep, until } from './helpers.js'

const PEERS = 10

/** @type {Cluster[]} */
const clusters = []
after(async () => {
  for (const c of clusters) await c.close()
})

async function ring(seed, { loss = 0, options = {} } = {}) {
  const random = seededRandom(seed)
  const c = new Cluster({ seed, loss, options })
  clusters.push(c)
  for (let i = 0; i < PEERS; i++) await c.add(peerIdFrom(random))
  const settled = await until(() => c.live().every((s) => s.getStats().dht.peers === PEERS) || 'members', 10000)
  assert.equal(settled, true)
  return c
}

/** A peer that is not one of key's replicas (and holds no copy of it). */
async function nonReplica(c, key, not = []) {
  for (const s of c.live()) {
    if (not.includes(s)) continue
    if (s.replicasFor(key).includes(s.peerId)) continue
    if ((await s.getLocal(key)) === undefined) return s
  }
  throw new Error(`every peer holds ${key}`)
}

async function allReplicated(c) {
  for (const s of c.live()) await s.replicated({ timeout: 10000 })
}

test('a delete from a peer that holds no copy removes the key on every peer', async () => {
  const c = await ring(151)
  const [writer] = c.live()
  await writer.set('doc:5', { title: 'gone soon' })
  await writer.replicated({ timeout: 5000 })
  const deleter = await nonReplica(c, 'doc:5', [writer])
  assert.equal(await deleter.delete('doc:5'), true, 'a live value existed at the replicas')
  await deleter.replicated({ timeout: 5000 })
  for (const s of c.live()) {
    assert.equal(await s.get('doc:5'), undefined, `${s.peerId.slice(0, 6)} still reads it`)
    assert.equal(await s.has('doc:5'), false)
    if (s.replicasFor('doc:5').includes(s.peerId)) assert.equal(await s.getLocal('doc:5'), undefined)
  }
  // A second delete: nothing live anywhere any more.
  assert.equal(await (await nonReplica(c, 'doc:5', [writer])).delete('doc:5'), false)
  assert.equal(await deleter.delete('never-written'), false)
})

test('a prefix range from any peer lists exactly the live keys of the whole ring', async () => {
  const c = await ring(152)
  const stores = c.live()
  const random = seededRandom(7)
  /** @type {Map<string, unknown>} the model */
  const model = new Map()
  for (let i = 0; i < 400; i++) {
    const key = `item:${String(Math.floor(random() * 100000)).padStart(6, '0')}`
    const value = { i, text: `value ${i}` }
    await stores[i % PEERS].set(key, value)
    model.set(key, value)
  }
  for (let i = 0; i < 50; i++) await stores[(i * 3) % PEERS].set(`other:${i}`, i)
  // Deletes from random peers, most of which hold no copy.
  const doomed = [...model.keys()].filter((_, i) => i % 7 === 0)
  for (const [i, key] of doomed.entries()) {
    assert.equal(await stores[(i * 5 + 1) % PEERS].delete(key), true, key)
    model.delete(key)
  }
  await allReplicated(c)
  const want = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const s of stores) {
    const local = await s.range({ prefix: 'item:', scope: 'local' })
    assert.ok(local.length < want.length, 'a peer alone holds part of the data')
    assert.deepEqual(await s.range({ prefix: 'item:' }), want, `${s.peerId.slice(0, 6)}: range`)
    assert.deepEqual(await s.keys('item:'), want.map(([k]) => k), 'keys')
  }
  const s = stores[3]
  assert.deepEqual(await s.range({ prefix: 'item:', limit: 25 }), want.slice(0, 25))
  assert.deepEqual(await s.range({ prefix: 'item:', limit: 25, reverse: true }), want.slice(-25).reverse())
  // Pages by cursor: gt the last key of the previous page.
  const paged = []
  for (let page = await s.range({ prefix: 'item:', limit: 40 }); page.length > 0; ) {
    paged.push(...page)
    page = await s.range({ prefix: 'item:', gt: page[page.length - 1][0], limit: 40 })
  }
  assert.deepEqual(paged, want)
  const mid = want[100][0]
  assert.deepEqual(await s.range({ gte: mid, lt: 'item:~', limit: 10 }), want.slice(100, 110))
  assert.deepEqual(await s.range({ prefix: 'item:', lte: mid, reverse: true, limit: 3 }), want.slice(98, 101).reverse())
})

test('a non-replica watching a key or a prefix hears every change, with loss and after the replicas change', async () => {
  const c = await ring(153, { loss: 0.1 })
  const key = 'doc:123:title'
  const watcher = await nonReplica(c, key)
  const writer = await nonReplica(c, key, [watcher])
  /** @type {unknown[]} */
  const seen = []
  /** @type {string[]} */
  const prefixSeen = []
  const versions = []
  const offKey = watcher.watch({ key }, (e) => {
    seen.push(e.value)
    versions.push(`${e.hlc} ${e.origin}`)
  })
  const offPrefix = watcher.watch('doc:123:', (e) => prefixSeen.push(e.key))
  // The subscriptions reach the replicas: the prefix is subscribed at every other member, and each confirms it.
  const watching = () => watcher.getStats().sync.subscriptions.watching
  assert.equal(await until(() => watching() >= PEERS - 1 || `${watching()} publishers confirmed`, 10000), true)
  const heartbeat = FAST.sync.heartbeatInterval
  // Latency from the write to the watcher's event (the until() poll adds up to 100 ms).
  const latencies = []
  for (let i = 0; i < 8; i++) {
    const t0 = Date.now()
    const heard = new Promise((resolve) => {
      const off = watcher.watch({ key }, (e) => {
        if (e.value !== `title ${i}`) return
        off()
        resolve(Date.now() - t0)
      })
    })
    await writer.set(key, `title ${i}`)
    const why = await until(() => seen.at(-1) === `title ${i}` || `saw ${JSON.stringify(seen.at(-1))}`, 20 * heartbeat)
    assert.equal(why, true, `change ${i}`)
    latencies.push(await heard)
  }
  latencies.sort((a, b) => a - b)
  // Most changes arrive within two heartbeats (10% loss: a lost push waits for a resend). Logged, not
  // limited: speed targets belong in benchmarks; the bound only catches pushes that no longer work.
  console.log(`# watch latency: median ${latencies[4]} ms (${2 * heartbeat} ms is two heartbeats), all ${latencies}`)
  assert.ok(latencies[4] <= 2000, `median ${latencies[4]} ms, all ${latencies}`)
  for (let i = 0; i < 5; i++) await writer.set(`doc:123:para:${i}`, i)
  assert.equal(await until(() => prefixSeen.filter((k) => k.startsWith('doc:123:para:')).length >= 5 || 'prefix', 40 * heartbeat), true)
  // Every replica of the key leaves; new ones take over and the watch moves.
  for (const p of watcher.replicasFor(key)) if (p !== writer.peerId) await c.remove(p)
  assert.equal(await until(() => watcher.getStats().dht.peers === c.live().length || 'members', 10000), true)
  await sleep(3 * heartbeat)
  await writer.set(key, 'after the move')
  assert.equal(await until(() => seen.at(-1) === 'after the move' || `saw ${JSON.stringify(seen.at(-1))}`, 40 * heartbeat), true)
  assert.ok(watcher.getStats().sync.subscriptions.watching >= 2)
  assert.equal(new Set(versions).size, versions.length, 'each change once, though every replica pushes it')
  offKey()
  offPrefix()
})

test('a read nobody answers returns the last answer, also once the peers are gone', async () => {
  const c = await ring(154)
  const [writer] = c.live()
  await writer.set('doc:5', { v: 1 })
  await writer.replicated({ timeout: 5000 })
  const reader = await nonReplica(c, 'doc:5', [writer])
  assert.deepEqual(await reader.get('doc:5'), { v: 1 })
  const others = c.live().filter((s) => s !== reader).map((s) => s.peerId)
  c.net.partition([[reader.peerId], others])
  assert.equal(await until(() => reader.getStats().dht.peers === 1 || 'members', 10000), true)
  assert.deepEqual(await reader.get('doc:5'), { v: 1 })
  assert.equal(await reader.has('doc:5'), true)
  assert.ok(reader.getStats().cache.remoteRecords >= 1)
})

test('replicated() reports a write held on this device only, and waits for copies on request', async () => {
  const c = await ring(155)
  const [writer] = c.live()
  await writer.set('k:1', 1)
  assert.deepEqual(await writer.replicated({ timeout: 5000 }), { copies: 3, replicationFactor: 3 })
  const others = c.live().filter((s) => s !== writer).map((s) => s.peerId)
  c.net.partition([[writer.peerId], others])
  assert.equal(await until(() => writer.getStats().dht.peers === 1 || 'members', 10000), true)
  await writer.set('k:2', 2)
  assert.deepEqual(await writer.replicated({ timeout: 1000 }), { copies: 1, replicationFactor: 3 })
  assert.equal(writer.getStats().sync.underReplicated, 1)
  await assert.rejects(writer.replicated({ copies: 2, timeout: 300 }), { code: 'TIMEOUT' })
  c.net.heal()
  await writer.replicated({ copies: 3, timeout: 10000 })
  assert.equal(writer.getStats().sync.underReplicated, 0)
  for (const p of writer.replicasFor('k:2')) assert.equal(await c.stores.get(p).getLocal('k:2'), 2)
})

test('progress: a peer joining a ring of 12,000 keys, an import, and a ring-wide range report {task, done, total}', async () => {
  const c = await ring(156)
  const [writer] = c.live()
  const entries = Array.from({ length: 12000 }, (_, i) => [`bulk:${String(i).padStart(5, '0')}`, { i, text: 'x'.repeat(40) }])
  const imports = []
  const offImport = writer.on('progress', (p) => p.task === 'import' && imports.push(p))
  const outcomes = await writer.importData({ data: entries.map(([key, value]) => ({ key, value })) })
  offImport()
  assert.ok(outcomes.every((o) => o.imported))
  assert.ok(imports.length >= 2, 'one event per batch')
  assert.deepEqual(imports.at(-1), { task: 'import', done: 12000, total: 12000 })
  await writer.replicated({ timeout: 30000 })
  // A new peer: its catch-up from every member, in records.
  const id = 'f'.repeat(40)
  const s = new PagingStorage({ ...FAST, transport: c.net.join(id) })
  const seen = []
  s.on('progress', (p) => seen.push(p))
  await s.ready
  c.stores.set(id, s)
  const catchUp = () => seen.filter((p) => p.task === 'catch-up')
  assert.equal(await until(() => { const last = catchUp().at(-1); return (last && last.done === last.total && last.total > 1000) || JSON.stringify(last) }, 20000), true)
  const totals = catchUp().map((p) => p.total)
  assert.ok(catchUp().every((p) => p.done <= p.total), 'never past the total')
  assert.ok(Math.max(...totals) <= 12000 * 3, 'at most every record from each of its replicas')
  assert.equal(await until(() => s.getStats().dht.peers === PEERS + 1 || 'members', 10000), true)
  const rangeProgress = []
  const off = s.on('progress', (p) => p.task === 'range' && rangeProgress.push(p))
  assert.equal((await s.keys('bulk:')).length, 12000)
  off()
  assert.deepEqual(rangeProgress.at(-1), { task: 'range', done: PEERS + 1, total: PEERS + 1 })
})
