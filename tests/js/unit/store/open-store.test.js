// openStore: a new store and a restored one, and the admission's page count.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { openStore } from '../../../../js/store/open-store.js'

const CONFIG = { peerId: 'me', pageSize: 256, splitThreshold: 204, mergeThreshold: 51, maxMemoryPages: 2, maxKeyBytes: 64, maxValueBytes: 1000, virtualNodes: 8, maxDiskPages: 3 }

test('a new store, then the same backend restored; the admission counts its pages', async () => {
  const backend = new MemoryBackend()
  const errors = []
  const first = await openStore(CONFIG, backend, (e) => errors.push(e))
  assert.equal(first.restored, false)
  const ops = Array.from({ length: 200 }, (_, i) => ({ type: /** @type {'put'} */ ('put'), key: `k${i}`, json: '"some value"' }))
  const { engine, pager } = first
  engine.applyOps(engine.encodeOps(ops), 0, 1000, false)
  await pager.flush()
  const pages = engine.stats().pages
  assert.ok(pages > 3)
  engine.close()

  const again = await openStore(CONFIG, backend, (e) => errors.push(e))
  assert.equal(again.restored, true)
  assert.equal(again.engine.stats().pages, pages)
  const { refused } = again.admission.admit([{ type: 'put' }, { type: 'delete' }])
  assert.deepEqual(refused?.indices, [0], 'over its 3-page budget: values refused, deletes pass')
  assert.deepEqual(errors, [])
  again.engine.close()
})
