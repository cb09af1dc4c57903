// Issue 16, items 3-6: what one hostile peer can make an honest one spend.
// The attacker speaks protocol v1 on the SimulatedNetwork; the honest stores
// have default options but the timings (helpers.js FAST).
import assert from 'node:assert/strict'
import { after, test } from 'node:test'

import { Cluster, until } from './helpers.js'

const V = (msg) => JSON.stringify({ v: 1, ...msg })

const clusters = []
after(async () => {
  for (const c of clusters) await c.close()
})

test('regression: a member that never acknowledges is given up on; pending replications drain and replicated() resolves', async () => {
  const c = new Cluster({ seed: 31 })
  clusters.push(c)
  const honest = [await c.add('a'.repeat(40)), await c.add('b'.repeat(40)), await c.add('c'.repeat(40))]
  const evilId = 'e'.repeat(40)
  const evil = c.net.join(evilId)
  const beat = setInterval(() => evil.broadcast(V({ t: 'hb' })), 100)
  after(() => clearInterval(beat))
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
