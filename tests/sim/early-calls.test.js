// Calls made before a store with peers is ready keep their meaning: they
// wait for it, and then route like any other call.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { PagingStorage } from 'paging-storage'

import { Cluster, FAST } from './helpers.js'

test('a get made before ready asks the replicas (it used to read only the local store)', async () => {
  const c = new Cluster({ seed: 31, options: { replicationFactor: 2 } })
  const b = await c.add('b')
  await b.setLocal('doc', 'on b only') // not pushed: only b holds it
  const a = new PagingStorage({ ...FAST, replicationFactor: 2, transport: c.net.join('a') })
  const early = a.get('doc') // before ready; b is already connected
  assert.equal(await early, 'on b only')
  assert.equal(await a.has('doc'), true)
  await a.shutdown()
  await c.close()
})

test('replicated() takes Infinity as no limit and refuses a timeout or copies that is not one', async () => {
  const c = new Cluster({ seed: 32 })
  const a = await c.add('a')
  await a.set('k', 1)
  await a.replicated({ timeout: Infinity }) // alone: nothing to wait for
  for (const timeout of [-1, NaN, '100']) {
    await assert.rejects(a.replicated({ timeout }), (err) => err.code === 'INVALID_ARGUMENT', String(timeout))
  }
  for (const copies of [0, 1.5, '2', null, -1]) {
    await assert.rejects(a.replicated({ copies }), (err) => err.code === 'INVALID_ARGUMENT', `copies ${copies}`)
  }
  // Alone: one copy, on this device.
  assert.deepEqual(await a.replicated(), { copies: 1, replicationFactor: 3 })
  await assert.rejects(a.replicated({ copies: 2, timeout: 50 }), (err) => err.code === 'TIMEOUT')
  await c.close()
})
