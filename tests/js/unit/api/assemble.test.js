// assemble(): which parts a set of options gives, before anything opens.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { assemble } from '../../../../js/api/assemble.js'
import { Lifecycle } from '../../../../js/api/lifecycle.js'
import { normalizeOptions } from '../../../../js/api/options.js'
import { SimulatedNetwork } from '../../../../js/transport/simulated-network.js'

test('without peers: the local store alone serves, no transport', async () => {
  const opts = normalizeOptions({})
  const parts = assemble(opts, {}, new Lifecycle(), () => {})
  assert.equal(parts.transport, null)
  assert.equal(parts.replicated, null)
  assert.equal(parts.store, parts.local)
  await parts.local.ready
  await parts.local.close()
})

test("with a transport: the replicated store serves, and the peer id is the transport's", async () => {
  const transport = new SimulatedNetwork({ seed: 1 }).join('peer-a')
  const opts = normalizeOptions({ transport })
  const parts = assemble(opts, {}, new Lifecycle(), () => {})
  assert.equal(parts.transport, transport)
  assert.equal(parts.ownsTransport, false)
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
