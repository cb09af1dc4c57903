import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingStorageError, StatusCode } from '../../../../js/core/errors.js'
import { Admission } from '../../../../js/store/admission.js'

const put = (key) => ({ type: 'put', key })
const del = (key) => ({ type: 'delete', key })
const merge = (key) => ({ type: 'merge', key })
const ok = (tag) => ({ code: 0, existed: false, applied: true, tag })

describe('Admission.admit', () => {
  test('below the disk budget: everything admitted, nothing refused', () => {
    const a = new Admission(10, 9, () => false)
    const ops = [put('a'), del('b'), merge('c')]
    const { admitted, refused } = a.admit(ops)
    assert.deepEqual(admitted, ops)
    assert.equal(refused, null)
    assert.equal(a.quotaBlocked, false)
  })

  test('at the disk budget: new values refused, deletes admitted', () => {
    const a = new Admission(10, 10, () => false)
    const { admitted, refused } = a.admit([put('a'), del('b'), merge('c'), del('d'), put('e')])
    assert.deepEqual(admitted, [del('b'), del('d')])
    assert.deepEqual(refused?.indices, [0, 2, 4])
    assert.match(/** @type {string} */ (refused?.message), /disk budget of 10 pages \(maxDiskPages\) is full/)
  })

  test("regression: peers' live records are refused from 90% of the disk budget on; the rest is this peer's (a peer's records filled it, and every set failed)", () => {
    const a = new Admission(10, 9, () => false)
    assert.equal(a.peersFull, true)
    const fromPeer = { type: 'merge', key: 'p', replicate: false, deleted: false }
    const peerTombstone = { type: 'merge', key: 't', replicate: false, deleted: true }
    const imported = { type: 'merge', key: 'i', replicate: true, deleted: false }
    const { admitted, refused } = a.admit([put('a'), fromPeer, peerTombstone, imported])
    assert.deepEqual(admitted, [put('a'), peerTombstone, imported])
    assert.deepEqual(refused?.indices, [1])
    assert.equal(refused?.code, StatusCode.QUOTA)
    assert.equal(new Admission(10, 8, () => false).peersFull, false)
    assert.deepEqual(new Admission(10, 8, () => false).admit([fromPeer]).admitted, [fromPeer])
  })

  test('notePages moves the budget check', () => {
    const a = new Admission(10, 10, () => false)
    a.notePages(9)
    assert.equal(a.admit([put('a')]).refused, null)
    a.notePages(11)
    assert.notEqual(a.admit([put('a')]).refused, null)
  })

  test('a QUOTA_EXCEEDED save blocks new values until a save succeeds; deletes pass', () => {
    const a = new Admission(1000, 1, () => false)
    a.noteSaveFailed(new PagingStorageError('QUOTA_EXCEEDED', 'full'))
    assert.equal(a.quotaBlocked, true)
    const { admitted, refused } = a.admit([put('a'), del('b')])
    assert.deepEqual(admitted, [del('b')])
    assert.equal(refused?.code, StatusCode.QUOTA)
    assert.match(/** @type {string} */ (refused?.message), /storage quota is full/)
    a.noteSaved()
    assert.equal(a.quotaBlocked, false)
    assert.equal(a.admit([put('a')]).refused, null)
  })

  test('regression: another failed save blocks every write once over budget (memory grew without bound)', () => {
    let over = false
    const a = new Admission(1000, 1, () => over)
    a.noteSaveFailed(new PagingStorageError('IO_ERROR', 'disk on fire'))
    assert.equal(a.quotaBlocked, false, 'not a quota problem')
    assert.equal(a.admit([put('a'), del('b')]).refused, null, 'within budget: writes go on')
    over = true
    const { admitted, refused } = a.admit([put('a'), del('b'), merge('c')])
    assert.deepEqual(admitted, [], 'deletes too: they dirty pages that cannot be saved')
    assert.equal(refused?.code, StatusCode.IO)
    assert.match(/** @type {string} */ (refused?.message), /cannot save its pages \(disk on fire\)/)
    a.noteSaved()
    assert.equal(a.admit([put('a')]).refused, null)
  })

  test('a quota failure over budget still lets deletes through (they make room)', () => {
    const a = new Admission(1000, 1, () => true)
    a.noteSaveFailed(new PagingStorageError('QUOTA_EXCEEDED', 'full'))
    const { admitted, refused } = a.admit([put('a'), del('b')])
    assert.deepEqual(admitted, [del('b')])
    assert.equal(refused?.code, StatusCode.QUOTA)
  })

  test('a disk budget refusal names the disk budget, not the browser quota', () => {
    const a = new Admission(3, 3, () => false)
    assert.match(/** @type {string} */ (a.admit([put('a')]).refused?.message), /disk budget of 3 pages \(maxDiskPages\) is full/)
  })
})

describe('Admission.withRefusals', () => {
  test('no refusals: the results as they are', () => {
    const a = new Admission(10, 0, () => false)
    const results = [ok(1)]
    assert.equal(a.withRefusals(results, null), results)
  })

  test('refused ops get QUOTA results in their places; the others keep order', () => {
    const a = new Admission(1, 1, () => false)
    const ops = [put('a'), del('b'), put('c'), del('d'), put('e')]
    const { admitted, refused } = a.admit(ops)
    const out = a.withRefusals([ok('b'), ok('d')], refused)
    assert.equal(out.length, ops.length)
    assert.equal(out[1].tag, 'b')
    assert.equal(out[3].tag, 'd')
    for (const i of [0, 2, 4]) {
      assert.equal(out[i].code, StatusCode.QUOTA)
      assert.equal(out[i].applied, false)
      assert.equal(out[i].existed, false)
      assert.match(/** @type {string} */ (out[i].message), /maxDiskPages/)
    }
    assert.notEqual(out[0], out[2], 'each refusal is its own object')
    assert.equal(admitted.length, 2)
  })

  test('every op refused', () => {
    const a = new Admission(1, 5, () => false)
    const { admitted, refused } = a.admit([put('a'), put('b')])
    assert.deepEqual(admitted, [])
    const out = a.withRefusals([], refused)
    assert.deepEqual(
      out.map((r) => r.code),
      [StatusCode.QUOTA, StatusCode.QUOTA]
    )
  })
})
