// The staged-call and reply byte protocol, against a fake module: a heap
// and a handle whose _stage hands out addresses (and may grow the heap).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { CallBuffers } from '../../../../js/engine/call-buffers.js'

function fakes() {
  const module = { HEAPU8: new Uint8Array(64) }
  const stages = []
  const handle = {
    _stage(room) {
      stages.push(room)
      // A staging buffer at the end of a heap grown to hold it (a grown
      // wasm memory replaces HEAPU8).
      const at = module.HEAPU8.length
      const grown = new Uint8Array(at + room + 4)
      grown.set(module.HEAPU8)
      module.HEAPU8 = grown
      return at
    }
  }
  return { module, handle, stages }
}

const length = (heap, at) => new DataView(heap.buffer).getUint32(at, true)

test('stage writes the length, then the bytes, into the room the handle gave', () => {
  const { module, handle, stages } = fakes()
  const b = new CallBuffers(module)
  b.stage(handle, Uint8Array.of(7, 8, 9))
  assert.equal(stages.length, 1)
  assert.ok(stages[0] >= 3)
  assert.equal(length(module.HEAPU8, 64), 3)
  assert.deepEqual([...module.HEAPU8.subarray(68, 71)], [7, 8, 9])
})

test('calls that fit the room ask for no new one; a larger call does', () => {
  const { module, handle, stages } = fakes()
  const b = new CallBuffers(module)
  b.stage(handle, new Uint8Array(10))
  b.stage(handle, new Uint8Array(4000))
  assert.equal(stages.length, 1, 'the first room holds 4096 bytes')
  b.stage(handle, new Uint8Array(5000).fill(1))
  assert.equal(stages.length, 2)
  const at = module.HEAPU8.length - stages[1] - 4
  assert.equal(length(module.HEAPU8, at), 5000)
  assert.equal(module.HEAPU8[at + 4 + 4999], 1)
})

test('a room grown past 1 MiB is given back once calls are small again', () => {
  const { module, handle, stages } = fakes()
  const b = new CallBuffers(module)
  b.stage(handle, new Uint8Array(2 << 20))
  b.stage(handle, new Uint8Array(100))
  assert.equal(stages.length, 2)
  assert.ok(stages[1] < 1 << 20)
})

test('reply reads the answer after its length, in place', () => {
  const module = { HEAPU8: new Uint8Array(32) }
  new DataView(module.HEAPU8.buffer).setUint32(8, 3, true)
  module.HEAPU8.set([4, 5, 6, 99], 12)
  const view = new CallBuffers(module).reply(8)
  assert.deepEqual([...view], [4, 5, 6])
  assert.equal(view.buffer, module.HEAPU8.buffer, 'a view of the heap, not a copy')
})
