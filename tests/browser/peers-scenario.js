// Three browser pages syncing through a real PeerPigeon mesh (WebRTC data
// channels, signaling on 127.0.0.1). Run by peers.test.js, inside a
// loopback-only network namespace when root. The scenario of issue 5:
// A writes 1,000 keys and B reads them; C joins later and receives the keys
// it is responsible for; B and C write one key at once and all converge; a
// delete on A disappears on B and C; B closes, A writes 100 keys, B reopens
// from its IndexedDB and catches up.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { members, poll, startPeerPages, until } from './peer-pages.js'

const ID = { a: 'a'.repeat(40), b: 'b'.repeat(40), c: 'c'.repeat(40) }
let pages

before(async () => {
  pages = await startPeerPages()
})

after(() => pages?.close())

const openPeer = (name) => pages.openPeer(ID[name], `peer-${name}`)

test('three pages sync through PeerPigeon', async () => {
  const A = await openPeer('a')
  const B = await openPeer('b')
  await until(A, ...members(2))
  await until(B, ...members(2))

  // A writes 1,000 keys; B reads them all.
  await A.evaluate(async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => [`item:${i}`, { i, text: `value ${i}` }])
    await window.store.setMany(entries)
    await window.store.replicated({ timeout: 20000 })
  })
  // Polled: on a loaded machine a read may still time out at a replica (readTimeout) and be asked again.
  const readByB = await poll(
    () =>
      B.evaluate(async () => {
        const got = await window.store.getMany(Array.from({ length: 1000 }, (_, i) => `item:${i}`))
        return [...got].filter(([k, v]) => v?.i === Number(k.split(':')[1])).length
      }),
    (n) => n === 1000
  )
  assert.equal(readByB, 1000)

  // C joins later and receives the keys it is responsible for.
  const C = await openPeer('c')
  for (const p of [A, B, C]) await until(p, ...members(3))
  await until(C, async () => {
    const s = window.store
    const mine = Array.from({ length: 1000 }, (_, i) => `item:${i}`).filter((k) => s.replicasFor(k).includes(s.peerId))
    const local = await Promise.all(mine.map((k) => s.getLocal(k)))
    const missing = local.filter((v) => v === undefined).length
    return (mine.length > 0 && missing === 0) || `C lacks ${missing} of its ${mine.length} keys`
  })

  // B and C write one key at once: all three converge on one value.
  await Promise.all([
    B.evaluate(() => window.store.set('shared', 'from B')),
    C.evaluate(() => window.store.set('shared', 'from C'))
  ])
  const agreed = async (p) => p.evaluate(() => window.store.getLocal('shared'))
  await until(A, async () => ((await window.store.getLocal('shared')) ?? 'nothing') !== 'nothing' || 'no value yet')
  const deadline = Date.now() + 60000
  let values
  do {
    values = await Promise.all([A, B, C].map(agreed))
    if (new Set(values).size === 1 && values[0] !== undefined) break
    await new Promise((r) => setTimeout(r, 200))
  } while (Date.now() < deadline)
  assert.equal(new Set(values).size, 1, `converged: ${values}`)
  assert.ok(['from B', 'from C'].includes(values[0]))

  // A delete on A disappears on B and C.
  await A.evaluate(() => window.store.delete('item:7'))
  for (const p of [B, C]) {
    await until(p, async () => ((await window.store.get('item:7')) === undefined && (await window.store.getLocal('item:7')) === undefined) || 'still there')
  }

  // B closes; A writes 100 keys; B reopens from IndexedDB and catches up.
  await B.evaluate(async () => {
    await window.store.shutdown()
    window.mesh.disconnect()
  })
  await B.close()
  await until(A, ...members(2))
  await A.evaluate(async () => {
    await window.store.setMany(Array.from({ length: 100 }, (_, i) => [`late:${i}`, i]))
    await window.store.replicated({ timeout: 20000 })
  })
  const B2 = await openPeer('b')
  assert.deepEqual(await B2.evaluate(() => window.store.getLocal('item:1')), { i: 1, text: 'value 1' }, 'restored from IndexedDB')
  for (const p of [A, B2, C]) await until(p, ...members(3))
  await until(B2, async () => {
    const s = window.store
    const late = Array.from({ length: 100 }, (_, i) => `late:${i}`)
    const mine = late.filter((k) => s.replicasFor(k).includes(s.peerId))
    const local = await Promise.all(mine.map((k) => s.getLocal(k)))
    const all = await s.getMany(late)
    const missing = local.filter((v) => v === undefined).length
    return (missing === 0 && [...all.values()].every((v, i) => v === i)) || `B lacks ${missing} of ${mine.length}`
  })
  const stats = await A.evaluate(() => window.store.getStats())
  assert.equal(stats.sync.rejected, 0)
  assert.ok(stats.connectedPeers >= 2)
  console.log(`# A: ${stats.sync.messagesOut} messages out, ${stats.sync.bytesOut} bytes; ${stats.dht.peers} members`)
})
