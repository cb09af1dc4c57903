// Roles: what heartbeats say of a peer, and the distribution built from a ring with weights.
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { loadModule } from '../../../../js/engine/load-module.js'
import { RingView } from '../../../../js/engine/ring.js'
import { DEFAULT_ROLE, distributionOf, heartbeat, ringWeights } from '../../../../js/sync/roles.js'

let module
before(async () => {
  module = await loadModule()
})

test('a heartbeat carries the role only when it is not a browser\'s', () => {
  assert.deepEqual(heartbeat(DEFAULT_ROLE), { t: 'hb' })
  assert.deepEqual(heartbeat(DEFAULT_ROLE, '0000018f00000001'), { t: 'hb', h: '0000018f00000001' })
  assert.deepEqual(heartbeat({ weight: 0, durable: true }), { t: 'hb', w: 0, d: true })
  assert.deepEqual(heartbeat({ weight: 4, durable: false }, 'x'), { t: 'hb', h: 'x', w: 4 })
})

test('ring weights: this peer\'s own role, the others\' as membership knows them', () => {
  const known = { b: 0, c: 4 }
  assert.deepEqual(ringWeights(['a', 'b', 'c', 'd'], 'a', { weight: 2, durable: false }, (p) => known[p] ?? 1), [2, 0, 4, 1])
})

test('the distribution: shares, weights and durability per member', () => {
  const ring = new RingView(module, ['a', 'b', 'server'], 32, [1, 1, 0])
  try {
    const dist = distributionOf(ring, { selfId: 'a', role: DEFAULT_ROLE, rf: 3, connected: new Set(['server']), isDurable: (p) => p === 'server' })
    assert.deepEqual(
      dist.map((d) => [d.peerId, d.self, d.connected, d.weight, d.durable]),
      [
        ['a', true, true, 1, false],
        ['b', false, false, 1, false],
        ['server', false, true, 0, true]
      ]
    )
    assert.equal(dist[2].share, 1)
    assert.ok(Math.abs(dist[0].share + dist[1].share - 2) < 1e-9, 'two on the circle, rf 3: each holds all')
  } finally {
    ring.release()
  }
})
