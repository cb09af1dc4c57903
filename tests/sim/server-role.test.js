// Server roles (issue 17): a full replica holds every key besides the ring's
// rf browsers, so browser churn never takes the last copy; weighted server
// peers share the key space between them in proportion to their weights.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { Cluster } from './helpers.js'

const clusters = []
after(async () => {
  for (const c of clusters) await c.close()
})

test('a full-replica peer holds every key; every browser leaves, a new one reads all of them through it', async () => {
  const c = new Cluster({ seed: 17 })
  clusters.push(c)
  const server = await c.add('server', { ringWeight: 'full' })
  const browsers = []
  for (const id of ['b1', 'b2', 'b3', 'b4', 'b5']) browsers.push(await c.add(id))
  // (A peer joins the ring at its first message, with weight 1, until its heartbeat tells its role.)
  await c.until(() => browsers.every((b) => b.getPeerDistribution().length === 6 && b.getPeerDistribution().some((d) => d.weight === 0)), 10000)
  const dist = browsers[0].getPeerDistribution()
  assert.deepEqual(dist.find((d) => d.peerId === 'server'), { peerId: 'server', self: false, connected: true, share: 1, weight: 0, durable: false })
  for (let i = 0; i < 300; i++) await browsers[i % 5].set(`doc:${i}`, { i })
  for (const b of browsers) await b.replicated({ timeout: 20000, copies: 3 })
  // Every replica set: three browsers and the server.
  for (let i = 0; i < 300; i += 37) {
    const replicas = browsers[0].replicasFor(`doc:${i}`)
    assert.equal(replicas.length, 4)
    assert.equal(replicas.at(-1), 'server')
  }
  await c.until(() => server.getStats().totalKeys === 300, 20000)
  // Browsers hold about rf/5 of the keys each, as without the server (plus their own writes).
  for (const b of browsers) assert.ok(b.getStats().totalKeys < 250, `a browser holds ${b.getStats().totalKeys}`)

  for (const id of ['b1', 'b2', 'b3', 'b4', 'b5']) await c.remove(id)
  const late = await c.add('b6')
  await c.until(() => late.getPeerDistribution().length === 2, 10000)
  const got = await late.getMany(Array.from({ length: 300 }, (_, i) => `doc:${i}`))
  assert.equal([...got].filter(([k, v]) => v?.i === Number(k.slice(4))).length, 300)
})

test('two weight-4 server peers and three browsers: the servers take most of the key space, each key has rf replicas', async () => {
  const c = new Cluster({ seed: 18 })
  clusters.push(c)
  const servers = [await c.add('s1', { ringWeight: 4 }), await c.add('s2', { ringWeight: 4 })]
  const browsers = [await c.add('b1'), await c.add('b2'), await c.add('b3')]
  await c.until(() => [...servers, ...browsers].every((s) => s.getPeerDistribution().filter((d) => d.weight === 4).length === 2), 10000)
  const shares = Object.fromEntries(browsers[0].getPeerDistribution().map((d) => [d.peerId, d.share]))
  for (const b of ['b1', 'b2', 'b3']) assert.ok(shares.s1 > 1.5 * shares[b] && shares.s2 > 1.5 * shares[b], JSON.stringify(shares))
  for (let i = 0; i < 200; i++) await browsers[i % 3].set(`k:${i}`, i)
  for (const b of browsers) await b.replicated({ timeout: 20000, copies: 3 })
  let onServers = 0
  for (let i = 0; i < 200; i++) {
    const replicas = servers[0].replicasFor(`k:${i}`)
    assert.equal(replicas.length, 3)
    onServers += replicas.filter((p) => p.startsWith('s')).length
  }
  // Each key's 3 replicas: most of them on the two servers (8 of 11 weights).
  assert.ok(onServers > 200 * 1.5, `${onServers} server slots of 600`)
  assert.ok(servers[0].getStats().totalKeys > browsers[0].getStats().totalKeys)
})

test('replicated({ durable: true }) after the server peer was away: what was written meanwhile reaches its disk and is counted', async () => {
  const { MemoryBackend } = await import('../../js/index.js')
  const c = new Cluster({ seed: 19 })
  clusters.push(c)
  // A backend object keeps data as far as the options know (durableAcks needs one).
  const serverOptions = () => ({ ringWeight: 'full', durableAcks: true, persistence: { backend: new MemoryBackend() } })
  const server = await c.add('server', serverOptions())
  const a = await c.add('a')
  const b = await c.add('b')
  await c.until(() => a.getPeerDistribution().some((d) => d.durable), 10000)
  for (let i = 0; i < 50; i++) await a.set(`before:${i}`, i)
  await a.replicated({ durable: true, timeout: 10000 })
  assert.equal(server.getStats().totalKeys, 50)
  await c.remove('server')
  for (let i = 0; i < 50; i++) await a.set(`away:${i}`, i)
  await a.replicated({ timeout: 10000, copies: 2 })
  await assert.rejects(a.replicated({ durable: true, timeout: 500 }), { code: 'TIMEOUT' })
  const back = await c.add('server', serverOptions())
  await a.replicated({ durable: true, timeout: 20000 })
  assert.equal(await back.getLocal('away:49'), 49)
  void b
})
