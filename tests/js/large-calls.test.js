// One engine call's input and answer are bounded (js/engine/wasm-engine.js
// BYTES_PER_CALL, wasm/engine_handle.cc kMaxAnswerBytes): reading, scanning
// or writing far more than that in one API call neither grows wasm memory
// by its size (it never shrinks back) nor aborts the module (700 MB read in
// one getMany, or 1.7 GB of wasm memory for a 400 MB setMany, used to end
// in a raw RuntimeError, "Aborted()", and a dead store).
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
  assert.ok(grown <= 40 * 1024 * 1024, `wasm memory grew by ${(grown / 1048576).toFixed(0)} MiB for 48 MB answers (92 MiB unbounded)`)
  await s.shutdown()
})

test('regression: a setMany of 64 MB through 8 resident pages keeps wasm memory growth far below its size (a 48 MB batch grew it by 251 MB)', async () => {
  const module = await loadModule()
  const s = new PagingStorage({ persistence: { maxMemoryPages: 8 } })
  await s.ready
  const before = module.HEAPU8.length
  const big = (i) => String(i).padStart(4, '0') + 'x'.repeat(999_000)
  await s.setMany(Array.from({ length: 64 }, (_, i) => ['big:' + String(i).padStart(2, '0'), big(i)]))
  const grown = module.HEAPU8.length - before
  assert.equal(await s.get('big:63'), big(63))
  assert.equal(s.getStats().cache.residentPages <= 8, true)
  assert.ok(grown <= 48 * 1024 * 1024, `wasm memory grew by ${(grown / 1048576).toFixed(0)} MiB for a 64 MB batch`)
  await s.shutdown()
})
