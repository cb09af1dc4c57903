// Tombstone GC with peers on a simulated 5-peer network: tombstones go once
// every replica holds them, and a peer away longer than the grace period
// comes back with its old copies without bringing a deleted key back.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend, PagingStorage, SimulatedNetwork } from 'paging-storage'

import { FAST, sleep, until } from './helpers.js'

const GRACE = 1500
const PEERS = ['a0', 'b1', 'c2', 'd3', 'e4'].map((p) => p.padEnd(40, '0'))
const KEYS = 200
const doc = (i) => `doc:${String(i).padStart(3, '0')}`

/** @param {MemoryBackend} backend @param {any} transport */
function open(backend, transport) {
  return new PagingStorage({
    ...FAST,
    tombstoneGracePeriod: GRACE,
    ...(transport ? { transport } : { peerId: PEERS[0] }),
    persistence: { ...FAST.persistence, backend }
  })
}

const tombstones = (stores) => stores.reduce((n, s) => n + s.getStats().tombstones, 0)

test('a peer away longer than the grace period returns with old copies; no deleted key comes back', { timeout: 120000 }, async () => {
  const net = new SimulatedNetwork({ seed: 12, latency: [1, 4] })
  const backends = PEERS.map(() => new MemoryBackend())
  let stores = PEERS.map((p, i) => open(backends[i], net.join(p)))
  await Promise.all(stores.map((s) => s.ready))
  const [away, ...stay] = stores
  const writer = stay[0]

  await sleep(500) // the ring settles
  await writer.setMany(Array.from({ length: KEYS }, (_, i) => [doc(i), { i }]))
  await writer.replicated({ timeout: 10000 })
  // (With 5 peers and 3 replicas, each peer holds about 3/5 of the keys.)
  const held = async () => (await away.keys()).length > KEYS / 2 || `${(await away.keys()).length} copies on the peer that leaves`
  assert.equal(await until(held, 10000), true)
  const deletedHeld = (await away.keys()).filter((k) => k < doc(KEYS / 2)).length
  assert.ok(deletedHeld > 20, `${deletedHeld} copies of keys about to be deleted`)
  await sleep(GRACE / 2) // in sync long enough to have said so

  // It leaves; the others delete half the keys and, after the grace
  // period, purge the tombstones once every replica holds them.
  net.leave(PEERS[0])
  await away.shutdown()
  for (let i = 0; i < KEYS / 2; i++) await writer.delete(doc(i))
  await writer.replicated({ timeout: 10000 })
  await sleep(GRACE + 200)
  const purgedAll = await until(async () => {
    for (const s of stay) await s.compact()
    return tombstones(stay) === 0 || `${tombstones(stay)} tombstones left`
  }, 20000)
  assert.equal(purgedAll, true)

  // Offline, it writes a key of its own (after it lost contact: kept).
  const offline = open(backends[0], null)
  await offline.set('doc:offline', 'written while away')
  await offline.shutdown()

  // Back, with the copies it held when it left.
  const back = open(backends[0], net.join(PEERS[0]))
  await back.ready
  stores = [back, ...stay]
  const settled = await until(async () => {
    for (const s of stores) {
      for (const i of [0, 50, 99]) if ((await s.getLocal(doc(i))) !== undefined) return `${doc(i)} back on ${s.peerId.slice(0, 2)}`
      if ((await s.get(doc(150))) === undefined) return `${doc(150)} missing on ${s.peerId.slice(0, 2)}`
      if ((await s.get('doc:offline')) !== 'written while away') return `the offline write is not readable on ${s.peerId.slice(0, 2)}`
    }
    return true
  }, 20000)
  assert.equal(settled, true)

  // Some rounds of anti-entropy later, still nothing deleted anywhere.
  await sleep(2 * FAST.sync.antiEntropyInterval)
  for (const s of stores) {
    const keys = await s.keys()
    assert.deepEqual(
      keys.filter((k) => k < doc(KEYS / 2)),
      [],
      `deleted keys on ${s.peerId.slice(0, 2)}`
    )
    for (let i = 0; i < KEYS / 2; i += 7) assert.equal(await s.get(doc(i)), undefined)
    for (let i = KEYS / 2; i < KEYS; i += 7) assert.deepEqual(await s.get(doc(i)), { i })
  }
  assert.ok((await back.keys()).length > 0, 'the returning peer kept its live copies')
  await Promise.all(stores.map((s) => s.shutdown()))
})
