// assemble(): which parts a set of options gives, before anything opens.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { assemble, attachNetwork, networkOf } from '../../../../js/api/assemble.js'
import { Lifecycle } from '../../../../js/api/lifecycle.js'
import { normalizeOptions } from '../../../../js/api/options.js'
import { SimulatedNetwork } from '../../../../js/transport/simulated-network.js'

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
