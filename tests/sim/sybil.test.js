// Sybil replicas (issue 16, item 8): one attacker under many peer ids takes
// most replica slots next to a few honest peers, acknowledges every put and
// stores nothing. Replica audits must keep the writes that replicated()
// resolved for readable from honest peers once the writer leaves.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { Cluster, frame, peerIdFrom, rawPeer, until } from './helpers.js'

const clusters = []
after(async () => {
  for (const c of clusters) await c.close()
})

/** A seeded generator (mulberry32). */
function random(seed) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * `ids` attacker ids that acknowledge every put, store nothing, answer
 * reads with "not stored" and audits as `audits` says: 'made-up' (proofs
 * of the right form), 'silent' (never).
 * @returns {{ puts: number, audits: number }} counters
 */
function sybils(c, ids, audits = 'made-up') {
  const seen = { puts: 0, audits: 0 }
  for (const id of ids) {
    const t = rawPeer(c, id)
    t.on('message', ({ from, data }) => {
      const m = JSON.parse(data)
      if (m.t === 'put') {
        seen.puts++
        t.send(from, frame({ t: 'ack', id: m.id }))
      } else if (m.t === 'get') t.send(from, frame({ t: 'got', id: m.id, r: [] }))
      else if (m.t === 'has') t.send(from, frame({ t: 'had', id: m.id, e: [], s: 0 }))
      else if (m.t === 'audit') {
        seen.audits++
        if (audits === 'silent') return
        // Well-formed, made up: it holds nothing to hash.
        t.send(from, frame({ t: 'proof', id: m.id, a: m.e.map(() => '0'.repeat(16)) }))
      }
    })
  }
  return seen
}

for (const [n, audits] of [
  [30, 'made-up'],
  [100, 'made-up'],
  [30, 'silent']
]) {
  test(`regression: ${n} Sybil ids that acknowledge and store nothing (audits: ${audits}): the writes replicated() resolved for stay readable from honest peers after the writer leaves`, async () => {
    const c = new Cluster({ seed: 40 + n + audits.length })
    clusters.push(c)
    const gen = random(n)
    const [a, b, cc] = ['a', 'b', 'c'].map((x) => x.repeat(40))
    const writer = await c.add(a)
    const honest = [await c.add(b), await c.add(cc)]
    const seen = sybils(
      c,
      Array.from({ length: n }, () => peerIdFrom(gen)),
      audits
    )
    assert.equal(await until(() => [writer, ...honest].every((s) => s.getStats().dht.peers === n + 3) || 'members', 10000), true)
    const keys = Array.from({ length: 300 }, (_, i) => `note:${i}`)
    for (let i = 0; i < keys.length; i += 30) {
      await writer.setMany(keys.slice(i, i + 30).map((k, j) => [k, { i: i + j, text: 'a note of a realistic size, about a line long' }]))
    }
    const start = Date.now()
    const first = await writer.replicated({ timeout: 60000 })
    const answer = await writer.replicated({ timeout: 60000, copies: 3 })
    const stats = writer.getStats().sync
    await c.remove(a)
    let readable = 0
    for (const k of keys) {
      const held = await Promise.all(honest.map((s) => s.getLocal(k)))
      if (held.some((v) => v !== undefined)) readable++
    }
    console.error(
      `${n} Sybils (audits: ${audits}): replicated() -> ${JSON.stringify(first)}, with copies 3 -> ${JSON.stringify(answer)} after ${Date.now() - start} ms; ${readable} of ${keys.length} keys readable from honest peers; ` +
        `Sybils took ${seen.puts} puts, ${seen.audits} audits; writer excluded ${stats.excludedPeers}, audits ${JSON.stringify(stats.audits)}; ` +
        `honest peers excluded ${honest.map((s) => s.getStats().sync.excludedPeers)}`
    )
    assert.ok(readable >= 0.95 * keys.length, `${readable} of ${keys.length} readable`)
  })
}

test('regression: Sybil ids that hold what they acknowledge through its first audit and drop it later are found by later audits, and their keys regain honest copies', async () => {
  const { proofOf } = await import('../../js/sync/audit-proofs.js')
  const c = new Cluster({ seed: 77 })
  clusters.push(c)
  const gen = random(77)
  const writer = await c.add('a'.repeat(40))
  const honest = [await c.add('b'.repeat(40)), await c.add('c'.repeat(40))]
  const ids = Array.from({ length: 30 }, () => peerIdFrom(gen))
  for (const id of ids) {
    const t = rawPeer(c, id)
    const held = new Map() // key -> wire record, for 1.5 s
    t.on('message', ({ from, data }) => {
      const m = JSON.parse(data)
      if (m.t === 'put') {
        for (const r of m.r) {
          held.set(r[0], r)
          setTimeout(() => held.get(r[0]) === r && held.delete(r[0]), 1500)
        }
        t.send(from, frame({ t: 'ack', id: m.id }))
      } else if (m.t === 'audit') {
        const a = m.e.map(([key, hlc, origin]) => {
          const r = held.get(key)
          if (!r || r[1] !== hlc || r[2] !== origin) return 0
          return proofOf(m.n, { key, hlc, origin, deleted: r[3] === 1, json: r[4] })
        })
        t.send(from, frame({ t: 'proof', id: m.id, a }))
      }
    })
  }
  assert.equal(await until(() => [writer, ...honest].every((s) => s.getStats().dht.peers === 33) || 'members', 10000), true)
  const keys = Array.from({ length: 300 }, (_, i) => `note:${i}`)
  await writer.setMany(keys.map((k, i) => [k, { i, text: 'a note of a realistic size, about a line long' }]))
  const start = Date.now()
  // Their first audits pass: they count as holders for now.
  await writer.replicated({ timeout: 60000, copies: 3 })
  const passedFirst = Date.now() - start
  // Later audits (every antiEntropyInterval, 1 s here, for 3 rounds after the last write) find most of them.
  assert.equal(await until(() => writer.getStats().sync.excludedPeers >= 27 || `${writer.getStats().sync.excludedPeers} excluded`, 30000), true)
  const found = Date.now() - start
  const answer = await writer.replicated({ timeout: 60000, copies: 3 })
  const audits = writer.getStats().sync.audits
  await c.remove('a'.repeat(40))
  let readable = 0
  for (const k of keys) {
    const held = await Promise.all(honest.map((s) => s.getLocal(k)))
    if (held.some((v) => v !== undefined)) readable++
  }
  console.error(
    `droppers: replicated({copies: 3}) first after ${passedFirst} ms, ${writer.getStats().sync.excludedPeers} of 30 excluded after ${found} ms, ` +
      `then ${JSON.stringify(answer)}; ${readable} of 300 readable from honest peers; writer's audits ${JSON.stringify(audits)}`
  )
  assert.ok(readable >= 0.95 * keys.length, `${readable} of ${keys.length} readable`)
})

test('regression: a peer writing two values under one version cannot make honest replicas fail each other\'s audits; a version of this peer squatted at a replica is stamped again', async () => {
  const c = new Cluster({ seed: 88 })
  clusters.push(c)
  const ids = ['a', 'b', 'c'].map((x) => x.repeat(40))
  const honest = []
  for (const id of ids) honest.push(await c.add(id))
  const evilId = 'e'.repeat(40)
  const evil = rawPeer(c, evilId)
  evil.on('message', ({ from, data }) => {
    const m = JSON.parse(data)
    if (m.t === 'put') evil.send(from, frame({ t: 'ack', id: m.id }))
  })
  assert.equal(await until(() => honest.every((s) => s.getStats().dht.peers === 4) || 'members', 5000), true)
  const { hlcAtWallMs } = await import('../../js/core/versions.js')
  // 60 keys, each under one version with one value at a and another at b and c.
  const hlc = hlcAtWallMs(Date.now())
  const records = (value) => Array.from({ length: 60 }, (_, i) => [`eq:${i}`, hlc, evilId, 0, JSON.stringify(value)])
  evil.send(ids[0], frame({ t: 'put', id: 1, r: records('one') }))
  for (const id of ids.slice(1)) evil.send(id, frame({ t: 'put', id: 2, r: records('two') }))
  await until(async () => (await honest[2].getLocal('eq:59')) === 'two' || 'delivering', 5000)
  // Their audit rounds (every antiEntropyInterval, 1 s here) sample these keys.
  for (let i = 0; i < 5; i++) {
    await honest[i % 3].set(`keep-active:${i}`, i)
    await new Promise((r) => setTimeout(r, 1000))
  }
  const stats = honest.map((s) => s.getStats().sync)
  console.error(`equivocation: audits ${JSON.stringify(stats.map((s) => s.audits))}, excluded ${stats.map((s) => s.excludedPeers)}`)
  assert.ok(stats.every((s) => s.audits.sent > 0), 'the replicas audited each other')
  assert.ok(stats.every((s) => s.audits.failed === 0), 'none failed')
  // (The attacker, which answers no audit, is out of their rings as unresponsive.)
  for (const s of honest) {
    const members = s.getPeerDistribution().map((p) => p.peerId)
    for (const id of ids) assert.ok(members.includes(id), `${s.peerId.slice(0, 4)} still counts ${id.slice(0, 4)}`)
  }

  // A version of a's own squatted at b and c before a's push arrives: their
  // acks say they hold it with another value, and a stamps its value again.
  // (a is cut off for less than a peer timeout: its push is lost, its ring stays.)
  const writer = honest[0]
  c.net.partition([[ids[0]], [ids[1], ids[2], evilId]])
  await writer.set('mine', 'the real value')
  const { data } = await writer.exportData()
  const mine = data.find((e) => e.key === 'mine')
  for (const id of ids.slice(1)) evil.send(id, frame({ t: 'put', id: 3, r: [['mine', mine.hlc, ids[0], 0, '"squatted"']] }))
  assert.equal(await until(async () => (await Promise.all(honest.slice(1).map((s) => s.getLocal('mine')))).every((v) => v === 'squatted') || 'delivering', 5000), true)
  c.net.heal()
  await writer.replicated({ timeout: 10000, copies: 3 })
  for (const s of honest) assert.equal(await s.getLocal('mine'), 'the real value')
  assert.ok(writer.getStats().sync.restamped >= 1)
})
