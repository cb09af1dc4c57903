// One call's answer is bounded (wasm/engine_handle.cc, kMaxAnswerBytes):
// reading or scanning far more than that in one call neither grows wasm
// memory by the size of the answer (it never shrinks back) nor aborts the
// module (700 MB read in one getMany used to end in a raw RuntimeError,
// "Aborted()", and a dead store).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { PagingStorage } from 'paging-storage'

import { loadModule } from '../../js/engine/load-module.js'

test('regression: getMany, range and exportData of 48 MB with every page resident keep wasm memory growth far below the answer', async () => {
  const module = await loadModule()
  const s = new PagingStorage({ persistence: { maxMemoryPages: 1e6 } })
  const big = (i) => String(i).padStart(4, '0') + 'x'.repeat(999_000)
  const keys = Array.from({ length: 48 }, (_, i) => 'big:' + String(i).padStart(2, '0'))
  await s.setMany(keys.map((k, i) => [k, big(i)]))
  const before = module.HEAPU8.length
  const got = await s.getMany(keys)
  assert.equal(got.size, 48)
  keys.forEach((k, i) => assert.equal(got.get(k), big(i), k))
  const listed = await s.range({ prefix: 'big:' })
  assert.deepEqual(
    listed.map(([k]) => k),
    keys
  )
  assert.equal(listed[47][1], big(47))
  const backup = await s.exportData()
  assert.equal(backup.totalKeys, 48)
  const grown = module.HEAPU8.length - before
  assert.ok(grown <= 24 * 1024 * 1024, `wasm memory grew by ${(grown / 1048576).toFixed(0)} MiB for 48 MB answers`)
  await s.shutdown()
})
