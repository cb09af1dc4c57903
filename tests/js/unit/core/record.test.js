import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { isNewer } from '../../../../js/core/record.js'

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
