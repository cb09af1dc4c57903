// What a peer that comes back costs the others: each changed record is sent
// to it once, and nothing is sent to the peers that already hold it.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'

import { Cluster, sleep, until } from './helpers.js'

const clusters = []
after(async () => {
  for (const c of clusters) await c.close()
})

test('regression: writes short of copies are pushed again only to the replicas that lack them (a peer coming back cost 2.57x the changed bytes)', async () => {
  const c = new Cluster({ seed: 41, options: { sync: { heartbeatInterval: 100, peerTimeout: 600, retryInterval: 400, antiEntropyInterval: 60000 } } })
  clusters.push(c)
  const [a, b, x] = [await c.add('a'.repeat(40)), await c.add('b'.repeat(40)), await c.add('x'.repeat(40))]
  assert.equal(await until(() => [a, b, x].every((s) => s.getStats().dht.peers === 3) || 'members', 5000), true)
  const value = (i, v) => ({ i, v, text: 'x'.repeat(150) })
  await a.setMany(Array.from({ length: 2000 }, (_, i) => [`doc:${i}`, value(i, 0)]))
  await a.replicated({ timeout: 10000 })
  await until(async () => (await x.exportData()).totalKeys === 2000 || 'x filling', 10000)
  await sleep(300)
  c.net.partition([['x'.repeat(40)], ['a'.repeat(40), 'b'.repeat(40)]])
  await until(() => a.getStats().dht.peers === 2 || 'x still a member', 5000)
  const changed = Array.from({ length: 200 }, (_, n) => (n * 7919) % 2000)
  await a.setMany(changed.map((i) => [`doc:${i}`, value(i, 1)]))
  await a.replicated({ timeout: 10000 })
  let changedChars = 0
  for (const e of (await a.exportData()).data) if (e.value.v === 1) changedChars += JSON.stringify([e.key, e.hlc, e.origin, 0, JSON.stringify(e.value)]).length
  await sleep(300)
  const sent = () => a.getStats().sync.bytesOut + b.getStats().sync.bytesOut
  const before = sent()
  c.net.heal()
  assert.equal(await until(async () => (await Promise.all(changed.map((i) => x.getLocal(`doc:${i}`)))).every((v) => v?.v === 1) || 'x behind', 10000), true)
  await sleep(500)
  const ratio = (sent() - before) / changedChars
  // Each changed record once, to x (plus heartbeats and the exchange around it).
  assert.ok(ratio < 1.5, `a and b sent ${ratio.toFixed(2)}x the changed bytes`)
})
