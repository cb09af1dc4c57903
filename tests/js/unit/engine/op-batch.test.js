// Cutting an encoded batch into engine calls: at most OPS_PER_CALL ops and
// BYTES_PER_CALL bytes per call, one op at least, contiguous or gathered.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { BYTES_PER_CALL, OPS_PER_CALL, callAt, callFrom, encodeOps } from '../../../../js/engine/op-batch.js'
import { Writer } from '../../../../js/engine/wire.js'

const put = (key, size = 1) => ({ type: /** @type {'put'} */ ('put'), key, json: '"' + 'x'.repeat(size) + '"' })
const opBytes = (ops, i) => [...ops.bytes.subarray(ops.offsets[i], ops.offsets[i + 1])]

test('encodeOps: one offset per op and the end', () => {
  const ops = encodeOps(new Writer(16), [put('a'), put('bb', 40), put('c')])
  assert.equal(ops.count, 3)
  assert.equal(ops.offsets.length, 4)
  assert.equal(ops.offsets[3], ops.bytes.length)
})

test('callFrom: at most OPS_PER_CALL ops, contiguous, from `from` on', () => {
  const ops = encodeOps(new Writer(), Array.from({ length: 1200 }, (_, i) => put('k' + i)))
  assert.equal(callFrom(ops, 0).count, OPS_PER_CALL)
  const last = callFrom(ops, 1024)
  assert.equal(last.count, 1200 - 1024)
  assert.deepEqual([...last.bytes.subarray(0, opBytes(ops, 1024).length)], opBytes(ops, 1024))
  assert.equal(callFrom(ops, 1200).count, 0)
})

test('callFrom and callAt: at most BYTES_PER_CALL bytes, but always one op even larger than that', () => {
  const big = Math.floor(BYTES_PER_CALL / 3)
  const ops = encodeOps(new Writer(), [put('a', big), put('b', big), put('c', big), put('d', BYTES_PER_CALL + 10), put('e')])
  assert.equal(callFrom(ops, 0).count, 2, 'a third op would pass the bound')
  assert.equal(callFrom(ops, 3).count, 1, 'one op larger than the bound goes alone')
  assert.equal(callAt(ops, [3, 4]).count, 1)
  assert.equal(callAt(ops, [4, 0, 1]).count, 3)
})

test('callAt: the ops named, gathered in the order named', () => {
  const ops = encodeOps(new Writer(), [put('a'), put('b', 5), put('c', 9)])
  const { bytes, count } = callAt(ops, [2, 0])
  assert.equal(count, 2)
  assert.deepEqual([...bytes], [...opBytes(ops, 2), ...opBytes(ops, 0)])
})
