// Issue 16, items 3-6: what one hostile peer can make an honest one spend.
// The attacker speaks protocol v1 on the SimulatedNetwork; the honest stores
// have default options but the timings (helpers.js FAST).
import assert from 'node:assert/strict'
import { after, test } from 'node:test'

import { Cluster, rawPeer, until } from './helpers.js'

const V = (msg) => JSON.stringify({ v: 1, ...msg })

const clusters = []

/** Writes n keys key:<i> of realistic values to a store. */
function fill(store, n) {
  return store.setMany(Array.from({ length: n }, (_, i) => [`key:${i}`, { n: i, text: 'some text of a realistic size' }]))
}
after(async () => {
  for (const c of clusters) await c.close()
})

test('regression: a member that never acknowledges is given up on; pending replications drain and replicated() resolves', async () => {
  const c = new Cluster({ seed: 31 })
  clusters.push(c)
  const honest = [await c.add('a'.repeat(40)), await c.add('b'.repeat(40)), await c.add('c'.repeat(40))]
  rawPeer(c, 'e'.repeat(40)) // beats, never acknowledges
  assert.equal(await until(() => honest.every((s) => s.getStats().dht.peers === 4) || 'members', 5000), true)
  const [writer] = honest
  for (let i = 0; i < 40; i++) await writer.set(`k${i}`, i)
  // Before: the attacker's share was resent every retryInterval for ever;
  // pendingReplications never drained and replicated() timed out.
  assert.deepEqual(await writer.replicated({ timeout: 15000 }), { copies: 3, replicationFactor: 3 })
  assert.equal(writer.getStats().sync.pendingReplications, 0)
  assert.equal(writer.getStats().sync.excludedPeers, 1)
  assert.equal(writer.getStats().dht.peers, 3, 'out of the ring while excluded, though it still sends heartbeats')
  for (let i = 0; i < 40; i++) {
    const held = await Promise.all(honest.map((s) => s.getLocal(`k${i}`)))
    assert.equal(held.filter((v) => v === i).length, 3, `k${i} on every honest peer`)
  }
})

test('regression: unfinished fragmented messages from many ids are bounded in all and expire while their senders only beat', async () => {
  const c = new Cluster({ seed: 32 })
  clusters.push(c)
  const victim = await c.add('a'.repeat(40))
  const attackers = Array.from({ length: 20 }, (_, i) => rawPeer(c, `f${String(i).padStart(39, '0')}`))
  const piece = 'x'.repeat(59000)
  // Each id starts 16 messages of 40 fragments (2.4 M characters each) and sends one fragment of each.
  for (const a of attackers) for (let id = 1; id <= 16; id++) a.send(victim.peerId, V({ t: 'frag', id, i: 0, n: 40, d: piece }))
  await until(() => victim.getStats().sync.messagesIn >= 20 * 16 || 'delivering', 5000)
  const maxMessageChars = Math.max(2 * (1 << 20), 4 * 60000) + 65536
  const held = victim.getStats().sync.partialChars
  assert.ok(held <= 4 * maxMessageChars, `${held} characters held, bound ${4 * maxMessageChars}`)
  // Before: 20 ids x 16 x 59,000 = 18.9 M characters, held until each id sent another fragment.
  assert.equal(await until(() => victim.getStats().sync.partialChars === 0 || `${victim.getStats().sync.partialChars} held`, 4 * 800 + 3000), true)
})

test('regression: a get naming big values many times gets a bounded reply and grows wasm memory by a bounded amount', async () => {
  const { loadModule } = await import('../../js/engine/load-module.js')
  const module = await loadModule()
  const c = new Cluster({ seed: 33 })
  clusters.push(c)
  const victim = await c.add('a'.repeat(40))
  const big = 'x'.repeat((1 << 20) - 100)
  await victim.set('big', big)
  for (let i = 0; i < 40; i++) await victim.set(`v${i}`, big.slice(0, 100000))
  await victim.flush()
  const evil = c.net.join('e'.repeat(40))
  const received = new Map() // got id -> characters
  evil.on('message', ({ data }) => {
    const m = JSON.parse(data)
    if (m.t === 'got') received.set(m.id, (received.get(m.id) ?? 0) + data.length)
    if (m.t === 'frag') received.set(`frag ${m.id}`, (received.get(`frag ${m.id}`) ?? 0) + data.length)
  })
  const heapBefore = module.HEAPU8.length
  // 500 times the 1 MiB key (before: 1,000 times grew wasm memory to 1 GB and aborted).
  evil.send(victim.peerId, V({ t: 'get', id: 1, k: Array(500).fill('big') }))
  // 40 distinct keys of 100 KB: 4 M characters asked in one request.
  evil.send(victim.peerId, V({ t: 'get', id: 2, k: Array.from({ length: 40 }, (_, i) => `v${i}`) }))
  assert.equal(await until(() => received.size >= 2 || 'answers', 10000), true)
  await new Promise((r) => setTimeout(r, 500))
  const replies = [...received.values()]
  const bound = 512 * 1024 + (1 << 20) + 65536
  for (const chars of replies) assert.ok(chars <= bound, `a reply of ${chars} characters (bound ${bound})`)
  const grown = module.HEAPU8.length - heapBefore
  assert.ok(grown <= 32 << 20, `wasm memory grew by ${grown} bytes`)
  // The victim is fine: its own reads and writes work.
  await victim.set('after', 1)
  assert.equal(await victim.get('after'), 1)
})

test('regression: sums of many buckets cost the victim one bounded pass, in slices: the event loop is never blocked long', async () => {
  const { monitorEventLoopDelay } = await import('node:perf_hooks')
  // RF 2 with the attacker a member: it shares about half the victim's keys.
  const c = new Cluster({ seed: 34, options: { replicationFactor: 2, sync: { ...(await import('./helpers.js')).FAST.sync, antiEntropyInterval: 0 } } })
  clusters.push(c)
  const victim = await c.add('a'.repeat(40))
  await fill(victim, 40000)
  const evilId = 'e'.repeat(40)
  const evil = rawPeer(c, evilId)
  evil.on('message', ({ from, data }) => {
    const m = JSON.parse(data)
    if (m.t === 'put') evil.send(from, V({ t: 'ack', id: m.id }))
  })
  assert.equal(await until(() => victim.getStats().dht.peers === 2 || 'members', 5000), true)
  await new Promise((r) => setTimeout(r, 500))
  const zeros = Array(16).fill(0)
  const digests = Array(16).fill('0123456789abcdef')
  const { encode } = await import('../../js/sync/protocol.js')
  let fragmentId = 1
  // The frames of a sum of `count` buckets at depth `bits`, cut as the package cuts them.
  const sum = (bits, count) =>
    encode({ t: 'sum', buckets: Array.from({ length: count }, (_, p) => ({ bits, prefix: p % 2 ** bits, counts: zeros, digests })) }, () => fragmentId++)
  const before = victim.getStats().sync
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  // 256 buckets (the most a sum may name) at depth 8, 4 times; and one of 1,000 (refused whole).
  for (let i = 0; i < 4; i++) for (const frame of sum(8, 256)) evil.send(victim.peerId, frame)
  for (const frame of sum(8, 1000)) evil.send(victim.peerId, frame)
  await until(() => victim.getStats().sync.messagesOut - before.messagesOut >= 4 || 'answering', 20000)
  await new Promise((r) => setTimeout(r, 1000))
  h.disable()
  const maxMs = h.max / 1e6
  // Before: one sum of 1,000 buckets blocked the event loop 10 s (100: 1.1 s).
  console.error(`sum flood: event loop blocked up to ${maxMs.toFixed(0)} ms`)
  assert.ok(maxMs < 250, `the event loop was blocked up to ${maxMs.toFixed(0)} ms`)
  const malformed = (s) => s.rejectedWhy['malformed message'] ?? 0
  assert.equal(malformed(victim.getStats().sync) - malformed(before), 1, 'the sum of 1,000 buckets is refused whole')
})

test('regression: what a member can make this peer send is rate-limited like what it receives (since and pull of everything, again and again)', async () => {
  const { FAST } = await import('./helpers.js')
  const rateLimit = { messages: 2000, bytes: 25000 }
  const c = new Cluster({ seed: 35, options: { replicationFactor: 2, sync: { ...FAST.sync, antiEntropyInterval: 0, rateLimit } } })
  clusters.push(c)
  const victim = await c.add('a'.repeat(40))
  await fill(victim, 20000)
  const evilId = 'e'.repeat(40)
  const evil = rawPeer(c, evilId)
  let received = 0
  evil.on('message', ({ from, data }) => {
    received += data.length
    const m = JSON.parse(data)
    if (m.t === 'put') evil.send(from, V({ t: 'ack', id: m.id }))
  })
  assert.equal(await until(() => victim.getStats().dht.peers === 2 || 'members', 5000), true)
  // Before: each of these made the victim send its whole share as fast as
  // the attacker acknowledged (2.67 M characters for one `since {h: 1}`).
  for (let i = 0; i < 20; i++) {
    evil.send(victim.peerId, V({ t: 'since', id: 1000 + i, h: '0000000000000001' }))
    evil.send(victim.peerId, V({ t: 'pull', k: [], b: Array.from({ length: 16 }, (_, p) => [4, p]) }))
  }
  // Measured over 4 s once the victim is sending (the hand-off of its share, then the answers).
  await until(() => received > 100000 || 'not sending yet', 20000)
  const from = received
  const start = Date.now()
  await new Promise((r) => setTimeout(r, 4000))
  const seconds = (Date.now() - start) / 1000
  const sent = received - from
  const bound = rateLimit.bytes * (seconds + 2) // the rate, plus a burst of twice it
  console.error(`out-rate: ${sent} characters in ${seconds} s at ${rateLimit.bytes}/s, throttled ${victim.getStats().sync.throttled}`)
  assert.ok(sent <= bound, `${sent} characters in ${seconds.toFixed(1)} s (bound ${bound})`)
  // The victim still answers its app.
  await victim.set('after', 1)
  assert.equal(await victim.get('after'), 1)
})

test("regression: a peer's tombstones for keys that never existed cannot fill the disk budget; this peer's own writes go on", async () => {
  const { encode } = await import('../../js/sync/protocol.js')
  const { hlcAtWallMs } = await import('../../js/core/versions.js')
  const c = new Cluster({ seed: 36, options: { persistence: { maxDiskPages: 40, maxMemoryPages: 50 } } })
  clusters.push(c)
  const victim = await c.add('a'.repeat(40))
  await c.add('b'.repeat(40))
  const evilId = 'e'.repeat(40)
  const evil = rawPeer(c, evilId)
  assert.equal(await until(() => victim.getStats().dht.peers === 3 || 'members', 5000), true)
  let fragmentId = 1
  const hlc = hlcAtWallMs(Date.now())
  // 100,000 tombstones of keys that never existed, 1,000 per put.
  for (let m = 0; m < 100; m++) {
    const records = Array.from({ length: 1000 }, (_, i) => ({ key: `ghost:${m}:${i}`, hlc, origin: evilId, deleted: true, json: null }))
    for (const frame of encode({ t: 'put', id: m + 1, records }, () => fragmentId++)) evil.send(victim.peerId, frame)
    if (m % 10 === 9) await new Promise((r) => setTimeout(r, 100))
  }
  await until(() => victim.getStats().sync.messagesIn > 300 || 'delivering', 10000)
  await new Promise((r) => setTimeout(r, 1000))
  const stats = victim.getStats()
  console.error(`ghost flood: ${stats.cache.diskPressure.toFixed(2)} of the disk budget, refused ${JSON.stringify(stats.sync.refusedWhy)}`)
  assert.ok(stats.cache.diskPressure < 1, `disk pressure ${stats.cache.diskPressure}`)
  // Before: every set failed with QUOTA_EXCEEDED from then on.
  for (let i = 0; i < 20; i++) await victim.set(`mine:${i}`, { i, text: 'a note of a realistic size' })
  assert.equal(await victim.get('mine:19').then((v) => v.i), 19)
})
