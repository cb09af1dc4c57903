// StoreHost: the store held in this process, behind the Backing interface.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { normalizeOptions } from '../../../../js/api/options.js'
import { StoreHost } from '../../../../js/api/store-host.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { SimulatedNetwork } from '../../../../js/transport/simulated-network.js'

const put = (key, value) => ({ type: 'put', key, json: JSON.stringify(value), replicate: true })

test('a local host: writes, reads (routed and local), scans, stats and pages, then close lets the backend go', async () => {
  const backend = new MemoryBackend()
  const opts = normalizeOptions({ persistence: { backend, autoSaveInterval: 0 } })
  const host = new StoreHost(opts, {}, () => {})
  await host.ready
  assert.equal(host.role, 'local')
  assert.equal(host.peerId, opts.peerId)
  await host.write([put('a', 1), put('b', 2)])
  assert.equal((await host.read(['a']))[0].json, '1')
  assert.equal((await host.readLocal(['b']))[0].json, '2')
  const keys = []
  await host.scan({}, (r) => keys.push(r.key))
  assert.deepEqual(keys, ['a', 'b'])
  assert.equal(host.stats('open').totalKeys, 2)
  assert.equal(host.pages().length, 1)
  assert.equal(host.diagnose('open').ok, true)
  assert.deepEqual(host.distribution(), [{ peerId: opts.peerId, self: true, connected: true, share: 1, weight: 1, durable: false }])
  assert.deepEqual(host.replicasFor(['a']), [[opts.peerId]])
  await host.replicated(10)
  await host.close()
  const again = new StoreHost(normalizeOptions({ persistence: { backend, autoSaveInterval: 0 } }), {}, () => {})
  await again.ready
  assert.equal((await again.readLocal(['a']))[0].json, '1', 'saved at close, reopened')
  await again.close()
})

test('attach builds the replicated store: reads and replicasFor go through the ring', async () => {
  const net = new SimulatedNetwork({ seed: 3 })
  const host = new StoreHost(normalizeOptions({ peerId: 'p1', persistence: { autoSaveInterval: 0 } }), {}, () => {})
  await host.ready
  assert.equal(host.attached, false)
  host.attach(net.join('p1'))
  assert.equal(host.attached, true)
  assert.equal(host.stats('open').dht.enabled, true)
  host.detach()
  assert.equal(host.attached, false)
  await host.close()
})
