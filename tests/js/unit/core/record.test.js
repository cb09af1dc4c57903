import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { isNewer, recordValue } from '../../../../js/core/record.js'

const rec = (hlc, origin, extra = {}) => ({ key: 'k', hlc, origin, deleted: false, json: '1', ...extra })

describe('isNewer', () => {
  test('any record beats null; null never does', () => {
    assert.equal(isNewer(null, rec('0000000000000001', 'a')), true)
    assert.equal(isNewer(rec('0000000000000001', 'a'), null), false)
    assert.equal(isNewer(null, null), false)
  })

  test('a greater hlc is newer, whatever the origin', () => {
    assert.equal(isNewer(rec('0000000000010000', 'z'), rec('0000000000020000', 'a')), true)
    assert.equal(isNewer(rec('0000000000020000', 'a'), rec('0000000000010000', 'z')), false)
  })

  test('equal hlc: the greater origin (UTF-8 order) is newer', () => {
    const h = '0000000000010000'
    assert.equal(isNewer(rec(h, 'a'), rec(h, 'b')), true)
    assert.equal(isNewer(rec(h, 'b'), rec(h, 'a')), false)
    assert.equal(isNewer(rec(h, '\uffff'), rec(h, '\u{10000}')), true)
  })

  test('the same version is not newer', () => {
    const h = '0000000000010000'
    assert.equal(isNewer(rec(h, 'a'), rec(h, 'a', { json: '2' })), false)
  })

  test('a tombstone with a newer version is newer', () => {
    assert.equal(isNewer(rec('0000000000010000', 'a'), rec('0000000000010001', 'a', { deleted: true, json: null })), true)
  })
})

describe('recordValue', () => {
  test('absent and deleted records have no value', () => {
    assert.equal(recordValue(null), undefined)
    assert.equal(recordValue(rec('0000000000010000', 'a', { deleted: true, json: null })), undefined)
  })

  test('a live record gives its parsed value', () => {
    assert.deepEqual(recordValue(rec('0000000000010000', 'a', { json: '{"a":[1,"x"]}' })), { a: [1, 'x'] })
    assert.equal(recordValue(rec('0000000000010000', 'a', { json: 'null' })), null)
  })

  test('each call gives a fresh copy', () => {
    const r = rec('0000000000010000', 'a', { json: '{"list":[1]}' })
    const first = /** @type {any} */ (recordValue(r))
    first.list.push(2)
    assert.deepEqual(recordValue(r), { list: [1] })
  })
})
