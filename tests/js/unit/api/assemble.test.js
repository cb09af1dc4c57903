// assemble(): which parts a set of options gives, before anything opens.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { assemble, attachNetwork, networkOf } from '../../../../js/api/assemble.js'
import { Lifecycle } from '../../../../js/api/lifecycle.js'
import { normalizeOptions } from '../../../../js/api/options.js'
import { CombinedTransport } from '../../../../js/transport/combined.js'
import { SimulatedNetwork } from '../../../../js/transport/simulated-network.js'
import { startHub, until } from '../../../support/hub-server.js'

test('without peers: the local store alone serves, its transport detached', async () => {
  const opts = normalizeOptions({})
  const parts = assemble(opts, {}, new Lifecycle(), () => {})
  assert.equal(parts.transport.attached, false)
  assert.equal(parts.transport.peerId, opts.peerId)
  assert.equal(parts.replicated, null)
  assert.equal(parts.store, parts.local)
  await parts.local.ready
  await parts.local.close()
})

test("with a transport: the replicated store serves, and the peer id is the transport's", async () => {
  const transport = new SimulatedNetwork({ seed: 1 }).join('peer-a')
  const opts = normalizeOptions({ transport })
  const parts = assemble(opts, {}, new Lifecycle(), () => {})
  assert.equal(parts.transport.attached, true)
  assert.notEqual(parts.replicated, null)
  assert.equal(parts.store, parts.replicated)
  assert.equal(opts.peerId, 'peer-a')
  await parts.store.close()
})

test('a peerId that differs from the transport: INVALID_ARGUMENT', () => {
  const transport = new SimulatedNetwork({ seed: 1 }).join('peer-a')
  assert.throws(() => assemble(normalizeOptions({ transport, peerId: 'other' }), { peerId: 'other' }, new Lifecycle(), () => {}), {
    code: 'INVALID_ARGUMENT',
    message: /differs from the transport/
  })
})

test('a network attached later: the replicated store takes over, over the same transport', async () => {
  const opts = normalizeOptions({ peerId: 'peer-b' })
  const parts = assemble(opts, {}, new Lifecycle(), () => {})
  await parts.local.ready
  const transport = parts.transport
  attachNetwork(parts, opts, networkOf(new SimulatedNetwork({ seed: 1 }).join('peer-b')))
  assert.equal(parts.transport, transport)
  assert.notEqual(parts.replicated, null)
  assert.equal(parts.store, parts.replicated)
  await parts.store.close()
})

test('networkOf: neither a transport nor a mesh is INVALID_ARGUMENT', () => {
  assert.throws(() => networkOf({}), { code: 'INVALID_ARGUMENT', message: /PeerPigeonMesh/ })
  assert.throws(() => networkOf(null), { code: 'INVALID_ARGUMENT' })
})

test('networkOf: a list of transports is one CombinedTransport (closing it leaves the app\'s open)', () => {
  const net = new SimulatedNetwork({ seed: 1 })
  const a = net.join('peer-a')
  const b = net.join('peer-b')
  const other = new SimulatedNetwork({ seed: 2 }).join('peer-a')
  const { transport, owned } = networkOf([a, other])
  assert.ok(transport instanceof CombinedTransport)
  assert.equal(owned, true)
  assert.deepEqual(transport.peers(), ['peer-b'])
  transport.close()
  assert.deepEqual(b.peers(), ['peer-a'], "the app's transport is not closed")
  assert.throws(() => networkOf([a, b]), { code: 'INVALID_ARGUMENT', message: /one peer id/ })
})

test('transports: a list used together, one set of peers; with transport as well, INVALID_ARGUMENT', async () => {
  const net = new SimulatedNetwork({ seed: 3, latency: [0, 0] })
  const other = new SimulatedNetwork({ seed: 4, latency: [0, 0] })
  const a1 = net.join('peer-a')
  const a2 = other.join('peer-a')
  net.join('peer-b')
  other.join('peer-c')
  const opts = normalizeOptions({ transports: [a1, a2] })
  const parts = assemble(opts, {}, new Lifecycle(), () => {})
  assert.equal(opts.peerId, 'peer-a')
  assert.deepEqual(parts.transport.peers().sort(), ['peer-b', 'peer-c'])
  await parts.store.close()
  assert.throws(() => normalizeOptions({ transports: [a1], transport: a2 }), { code: 'INVALID_ARGUMENT', message: /not both/ })
  for (const transports of [[], {}, 'x']) assert.throws(() => normalizeOptions({ transports }), { code: 'INVALID_ARGUMENT', message: /transports/ })
})

test('servers: the store attaches its server connections once open, beside the transport it was given', async (t) => {
  const server = await startHub()
  t.after(() => server.close())
  // Alone: attached at open, under the store's final peer id.
  const opts = normalizeOptions({ servers: [server.url] })
  const parts = assemble(opts, {}, new Lifecycle(), () => {})
  assert.equal(parts.transport.attached, false)
  await parts.local.ready
  const { attachServers, detachNetwork } = await import('../../../../js/api/assemble.js')
  attachServers(parts, opts)
  await until(() => parts.transport.peers().includes('hub'), 5000, 'the hub')
  assert.equal(parts.servers.length, 1)
  assert.equal(parts.servers[0].peerId, opts.peerId)
  detachNetwork(parts)
  assert.equal(parts.servers.length, 0)
  assert.deepEqual(parts.transport.peers(), [])
  await parts.store.close()

  // Beside a transport: one set of peers over both.
  const net = new SimulatedNetwork({ seed: 1, latency: [0, 0] })
  const mine = net.join('peer-c')
  net.join('peer-d')
  const withNet = normalizeOptions({ transport: mine, servers: server.url })
  const both = assemble(withNet, {}, new Lifecycle(), () => {})
  await until(() => both.transport.peers().length === 2, 5000, 'both networks')
  assert.deepEqual(both.transport.peers().sort(), ['hub', 'peer-d'])
  await both.store.close()
  detachNetwork(both)
  assert.deepEqual(net.join('peer-e').peers().sort(), ['peer-c', 'peer-d'], "the app's network stays")
})
