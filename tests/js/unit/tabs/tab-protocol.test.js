// The tabs' messages: what is accepted, and errors across tabs.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { PagingStorageError } from '../../../../js/core/errors.js'
import { OPS, channelName, errorFromWire, errorToWire, isTabMessage, tabId } from '../../../../js/tabs/tab-protocol.js'

test('well-formed messages pass; malformed ones (another version, garbage) are dropped', () => {
  for (const m of [
    { t: 'hello', from: 'a' },
    { t: 'leader', from: 'a', peerId: 'p' },
    { t: 'calls', from: 'a', to: 'b', calls: [{ id: 1, op: 'write', args: [[]] }] },
    { t: 'replies', from: 'b', to: 'a', replies: [{ id: 1, value: [] }] },
    { t: 'applied', from: 'b', records: [] },
    { t: 'progress', from: 'b', progress: { task: 'catch-up', done: 1, total: 2 } },
    { t: 'calls', from: 'a', to: 'b', calls: [{ id: 1, op: 'watch', args: [[{ key: 'k' }]] }] },
    { t: 'snapshot', from: 'b', snap: {} },
    { t: 'failed', from: 'b', error: { message: 'x' } },
    { t: 'want', from: 'a' },
    { t: 'bye', from: 'a' }
  ]) {
    assert.equal(isTabMessage(m), true, JSON.stringify(m))
  }
  for (const m of [
    null,
    'hello',
    { t: 'hello' },
    { t: 'hello', from: '' },
    { t: 'nope', from: 'a' },
    { t: 'leader', from: 'a' },
    { t: 'calls', from: 'a', to: 'b', calls: [{ id: 1, op: 'shutdown', args: [] }] },
    { t: 'calls', from: 'a', to: 'b', calls: [{ id: 1.5, op: 'write', args: [] }] },
    { t: 'calls', from: 'a', to: 'b', calls: [{ id: 1, op: 'write', args: 'x' }] },
    { t: 'calls', from: 'a', to: 'b', calls: [null] },
    { t: 'replies', from: 'b', to: 'a', replies: [{ value: 1 }] },
    { t: 'applied', from: 'b', records: {} },
    { t: 'progress', from: 'b', progress: null },
    { t: 'progress', from: 'b', progress: { task: 'x', done: '1', total: 2 } },
    { t: 'snapshot', from: 'b', snap: null }
  ]) {
    assert.equal(isTabMessage(m), false, JSON.stringify(m))
  }
  assert.ok(OPS.includes('scan') && !OPS.includes('close'))
})

test('an error keeps its code, message and key across tabs; one without a code stays a plain Error', () => {
  const back = errorFromWire(structuredClone(errorToWire(new PagingStorageError('QUOTA_EXCEEDED', 'full', { key: 'k' }))))
  assert.ok(back instanceof PagingStorageError)
  assert.equal(back.code, 'QUOTA_EXCEEDED')
  assert.equal(back.message, 'full')
  assert.equal(back.key, 'k')
  const plain = errorFromWire(structuredClone(errorToWire(new Error('timed out'))))
  assert.ok(!(plain instanceof PagingStorageError))
  assert.equal(plain.message, 'timed out')
})

test('tab ids are distinct; the channel is named after the lock', () => {
  assert.notEqual(tabId(), tabId())
  assert.equal(channelName('paging-storage:app'), 'paging-storage:tabs:paging-storage:app')
})
