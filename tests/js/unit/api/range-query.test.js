import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { rangeQuery } from '../../../../js/api/range-query.js'
import { encodeScan } from '../../../../js/engine/codec.js'

describe('rangeQuery', () => {
  test('no query: the whole store, forward, unlimited', () => {
    assert.deepEqual(rangeQuery(), { reverse: false, scope: 'ring' })
    assert.deepEqual(rangeQuery({}), { reverse: false, scope: 'ring' })
  })

  test('string bounds are kept', () => {
    assert.deepEqual(rangeQuery({ gte: 'a', gt: 'b', lt: 'y', lte: 'z', prefix: 'p', limit: 5, reverse: true }), {
      gte: 'a',
      gt: 'b',
      lt: 'y',
      lte: 'z',
      prefix: 'p',
      limit: 5,
      reverse: true,
      scope: 'ring'
    })
    assert.deepEqual(rangeQuery({ prefix: '' }), { prefix: '', reverse: false, scope: 'ring' })
  })

  for (const name of ['gte', 'gt', 'lt', 'lte', 'prefix']) {
    test(`a non-string ${name} is INVALID_ARGUMENT naming it`, () => {
      for (const bad of [1, null, {}, ['a'], true]) {
        assert.throws(() => rangeQuery({ [name]: bad }), { name: 'PagingStorageError', code: 'INVALID_ARGUMENT', message: `range: ${name} must be a string` })
      }
    })
  }

  test('limit: a whole number (0: nothing), absent or null: no limit', () => {
    assert.equal(rangeQuery({ limit: 0 }).limit, 0)
    assert.equal(encodeScan(rangeQuery({ limit: 0 })), null, 'a limit of 0 scans nothing (it used to mean no limit)')
    assert.equal(rangeQuery({ limit: 1e6 }).limit, 1e6)
    assert.equal('limit' in rangeQuery({ limit: null }), false)
    for (const bad of [-1, 1.5, '5', NaN, Infinity, true, 2 ** 53]) {
      assert.throws(() => rangeQuery({ limit: bad }), { code: 'INVALID_ARGUMENT', message: 'range: limit must be a whole number, 0 or more' })
    }
  })

  test('regression: a bound with a lone surrogate is INVALID_ARGUMENT (it used to match nothing)', () => {
    for (const name of ['gte', 'gt', 'lt', 'lte', 'prefix']) {
      assert.throws(() => rangeQuery({ [name]: 'a\ud800' }), { code: 'INVALID_ARGUMENT', message: `range: ${name} contains a lone UTF-16 surrogate` })
    }
  })

  test('reverse is any truthy value', () => {
    assert.equal(rangeQuery({ reverse: 1 }).reverse, true)
    assert.equal(rangeQuery({ reverse: '' }).reverse, false)
  })

  test("scope: 'ring' (the default) or 'local'; anything else is INVALID_ARGUMENT", () => {
    assert.equal(rangeQuery({ scope: 'local' }).scope, 'local')
    assert.equal(rangeQuery({ scope: undefined }).scope, 'ring')
    for (const bad of ['all', 'LOCAL', 1, true]) {
      assert.throws(() => rangeQuery({ scope: bad }), { code: 'INVALID_ARGUMENT', message: "range: scope must be 'ring' or 'local'" })
    }
  })

  test('not an object: INVALID_ARGUMENT', () => {
    for (const bad of [null, 'a', 5]) assert.throws(() => rangeQuery(bad), { code: 'INVALID_ARGUMENT', message: 'range expects a query object' })
  })

  test('other fields are not passed on (the API shows no tombstones)', () => {
    const range = rangeQuery({ tombstones: true, start: 'x', gte: 'a' })
    assert.deepEqual(range, { gte: 'a', reverse: false, scope: 'ring' })
    assert.equal(/** @type {Uint8Array} */ (encodeScan(range))[0] & 4, 0)
  })
})
