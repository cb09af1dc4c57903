import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { rangeQuery } from '../../../../js/api/range-query.js'
import { encodeScan } from '../../../../js/engine/codec.js'

describe('rangeQuery', () => {
  test('no query: the whole store, forward, unlimited', () => {
    assert.deepEqual(rangeQuery(), { limit: 0, reverse: false })
    assert.deepEqual(rangeQuery({}), { limit: 0, reverse: false })
  })

  test('string bounds are kept', () => {
    assert.deepEqual(rangeQuery({ gte: 'a', gt: 'b', lt: 'y', lte: 'z', prefix: 'p', limit: 5, reverse: true }), {
      gte: 'a',
      gt: 'b',
      lt: 'y',
      lte: 'z',
      prefix: 'p',
      limit: 5,
      reverse: true
    })
    assert.deepEqual(rangeQuery({ prefix: '' }), { prefix: '', limit: 0, reverse: false })
  })

  for (const name of ['gte', 'gt', 'lt', 'lte', 'prefix']) {
    test(`a non-string ${name} is INVALID_ARGUMENT naming it`, () => {
      for (const bad of [1, null, {}, ['a'], true]) {
        assert.throws(() => rangeQuery({ [name]: bad }), { name: 'PagingStorageError', code: 'INVALID_ARGUMENT', message: `range: ${name} must be a string` })
      }
    })
  }

  test('limit: a whole number, 0 for none', () => {
    assert.equal(rangeQuery({ limit: 0 }).limit, 0)
    assert.equal(rangeQuery({ limit: 1e6 }).limit, 1e6)
    assert.equal(rangeQuery({ limit: null }).limit, 0)
    for (const bad of [-1, 1.5, '5', NaN, Infinity, true]) {
      assert.throws(() => rangeQuery({ limit: bad }), { code: 'INVALID_ARGUMENT', message: 'range: limit must be a whole number' })
    }
  })

  test('reverse is any truthy value', () => {
    assert.equal(rangeQuery({ reverse: 1 }).reverse, true)
    assert.equal(rangeQuery({ reverse: '' }).reverse, false)
  })

  test('not an object: INVALID_ARGUMENT', () => {
    for (const bad of [null, 'a', 5]) assert.throws(() => rangeQuery(bad), { code: 'INVALID_ARGUMENT', message: 'range expects a query object' })
  })

  test('other fields are not passed on (the API shows no tombstones)', () => {
    const range = rangeQuery({ tombstones: true, start: 'x', gte: 'a' })
    assert.deepEqual(range, { gte: 'a', limit: 0, reverse: false })
    assert.equal(/** @type {Uint8Array} */ (encodeScan(range))[0] & 4, 0)
  })
})
