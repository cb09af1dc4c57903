// Issue 16, item 1 (clock poisoning): a hostile peer answers routed reads,
// subscriptions and ranges with records stamped far in the future. Before,
// a `got` answer was returned to the app and merged by read repair, and it
// dragged the reader's hybrid logical clock to the end of time: every later
// write of the reader was refused by the honest peers ("version from the
// future"). Now every record that enters from a peer passes the same check
// as a put: never returned, never merged, counted in sync.rejectedWhy.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'

import { Cluster, rawPeer, sleep, until } from './helpers.js'

const V = (msg) => JSON.stringify({ v: 1, ...msg })
const FUTURE = 'ffffffffffff0000'

const clusters = []
after(async () => {
  for (const c of clusters) await c.close()
})

test('regression: records from the far future in answers are refused, and the reader stays able to write', async () => {
  // RF 4 on 3 honest peers and the attacker: the attacker replicates every key.
  const c = new Cluster({ seed: 16, options: { replicationFactor: 4 } })
  clusters.push(c)
  const honest = [await c.add('a'.repeat(40)), await c.add('b'.repeat(40)), await c.add('c'.repeat(40))]
  const evilId = 'e'.repeat(40)
  const evil = rawPeer(c, evilId)
  evil.on('message', ({ from, data }) => {
    const m = JSON.parse(data)
    const poison = (keys) => keys.map((k) => [k, FUTURE, evilId, 0, '"poison"'])
    if (m.t === 'get') evil.send(from, V({ t: 'got', id: m.id, r: poison(m.k) }))
    if (m.t === 'scan') evil.send(from, V({ t: 'scanned', id: m.id, r: poison(['doc:poison']) }))
    if (m.t === 'sub') evil.send(from, V({ t: 'pub', id: 1, r: poison(m.k) }))
    if (m.t === 'put') evil.send(from, V({ t: 'ack', id: m.id }))
  })
  assert.equal(await until(() => honest.every((s) => s.getStats().dht.peers === 4) || 'members', 5000), true)
  const [reader] = honest
  const seen = []
  reader.watch({ key: 'doc:watched' }, (e) => seen.push(e.value))
  assert.equal(await reader.get('doc:1'), undefined, 'a forged answer is not returned')
  assert.deepEqual(await reader.range({ prefix: 'doc:' }), [])
  await sleep(300)
  // Polled: on a loaded machine the forged answers may take longer to come and be refused.
  const futures = () => reader.getStats().sync.rejectedWhy['version from the future'] ?? 0
  await until(() => futures() >= 3 || JSON.stringify(reader.getStats().sync.rejectedWhy), 10000)
  assert.deepEqual(seen, [], 'a forged push is not announced')
  const why = reader.getStats().sync.rejectedWhy
  assert.ok((why['version from the future'] ?? 0) >= 3, JSON.stringify(why))
  // The reader's clock is not poisoned: its writes reach the honest replicas.
  await reader.set('after', 1)
  for (const s of honest.slice(1)) {
    assert.equal(await until(async () => (await s.getLocal('after')) === 1 || 'not there', 5000), true)
  }
  assert.equal(honest[1].getStats().sync.rejectedWhy['version from the future'] ?? 0, 0)
})

test('regression: importData refuses entries stamped beyond maxClockDrift (they poisoned the clock too)', async () => {
  const c = new Cluster({ seed: 17 })
  clusters.push(c)
  const [a, b] = [await c.add('a'.repeat(40)), await c.add('b'.repeat(40))]
  assert.equal(await until(() => a.getStats().dht.peers === 2 || 'members', 5000), true)
  const [outcome] = await a.importData({ data: [{ key: 'k', value: 1, hlc: FUTURE, origin: 'f'.repeat(40) }] })
  assert.equal(outcome.imported, false)
  assert.equal(outcome.error?.code, 'INVALID_ARGUMENT')
  await a.set('after', 2)
  assert.equal(await until(async () => (await b.getLocal('after')) === 2 || 'not there', 5000), true)
})

test('regression: a store whose wall clock ran two hours fast recovers at its next open; its later writes replicate', async () => {
  const { MemoryBackend } = await import('../../js/persistence/memory.js')
  const { PagingStorage } = await import('paging-storage')
  const backend = new MemoryBackend()
  const aId = 'a'.repeat(40)
  const realNow = Date.now
  Date.now = () => realNow() + 2 * 3600 * 1000
  try {
    const alone = new PagingStorage({ peerId: aId, persistence: { backend, autoSaveInterval: 0 } })
    await alone.ready
    await alone.set('written-fast', 'then')
    await alone.flush()
    await alone.shutdown()
  } finally {
    Date.now = realNow
  }
  const c = new Cluster({ seed: 18 })
  clusters.push(c)
  const a = await c.add(aId, { persistence: { backend } })
  const b = await c.add('b'.repeat(40))
  assert.equal(await until(() => a.getStats().dht.peers === 2 || 'members', 5000), true)
  for (let i = 0; i < 20; i++) await a.set(`later:${i}`, i)
  assert.deepEqual(await a.replicated({ timeout: 5000 }), { copies: 2, replicationFactor: 3 })
  for (let i = 0; i < 20; i++) assert.equal(await b.getLocal(`later:${i}`), i)
  assert.equal(b.getStats().sync.rejectedWhy['version from the future'] ?? 0, 0)
  // The value written with the fast clock is still there, and a write over it wins.
  assert.equal(await a.get('written-fast'), 'then')
  await a.set('written-fast', 'now')
  assert.equal(await until(async () => (await b.getLocal('written-fast')) === 'now' || 'not there', 5000), true)
})

test('regression: a write forged ahead in time within maxClockDrift does not swallow the honest writes made before it comes due', async () => {
  const { hlcAtWallMs, hlcWallMs } = await import('../../js/core/versions.js')
  const c = new Cluster({ seed: 19 })
  clusters.push(c)
  const ids = ['a', 'b', 'c', 'd', 'f'].map((x) => x.repeat(40))
  const honest = []
  for (const id of ids) honest.push(await c.add(id))
  const evilId = 'e'.repeat(40)
  const evil = c.net.join(evilId)
  assert.equal(await until(() => honest.every((s) => s.getStats().dht.peers === 5) || 'members', 5000), true)
  const writer = honest[4]
  // A key the writer does not replicate: no replica's audit sends it the
  // forged version (had it seen it, its writes would win by their clock).
  let key = 'doc:title'
  for (let i = 0; writer.replicasFor(key).includes(writer.peerId); i++) key = `doc:title:${i}`
  // Stamped 4 minutes ahead: inside the default maxClockDrift (5 minutes), so every peer takes it.
  const forged = hlcAtWallMs(Date.now() + 4 * 60 * 1000)
  // Sent to every peer but the writer: its writes are made without seeing it.
  for (const id of ids.slice(0, 4)) evil.send(id, V({ t: 'put', id: 1, r: [[key, forged, evilId, 0, '"forged"']] }))
  assert.equal(await until(async () => (await honest[0].get(key)) === 'forged' || 'not yet', 5000), true)
  // Before: each of these resolved, and replicated() too, yet every peer kept "forged".
  for (let i = 1; i <= 5; i++) {
    await writer.set(key, `honest ${i}`)
    await writer.replicated({ timeout: 5000 })
  }
  for (const s of honest) assert.equal(await s.get(key), 'honest 5')
  assert.ok(writer.getStats().sync.restamped >= 1)
  // No honest clock went further ahead than the forged version (within the drift).
  const { data } = await writer.exportData()
  const mine = data.find((e) => e.key === key)
  assert.ok(hlcWallMs(mine.hlc) <= Date.now() + 5 * 60 * 1000, mine.hlc)
})
