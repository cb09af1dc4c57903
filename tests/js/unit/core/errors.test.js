import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingStorageError, StatusCode, errorFromStatus } from '../../../../js/core/errors.js'

describe('PagingStorageError', () => {
  test('is an Error with a name, a code and a message', () => {
    const err = new PagingStorageError('INVALID_KEY', 'bad key')
    assert.ok(err instanceof Error)
    assert.equal(err.name, 'PagingStorageError')
    assert.equal(err.code, 'INVALID_KEY')
    assert.equal(err.message, 'bad key')
    assert.match(String(err), /^PagingStorageError: bad key$/)
  })

  test('carries cause and key only when given', () => {
    const plain = new PagingStorageError('IO_ERROR', 'x')
    assert.equal('cause' in plain, false)
    assert.equal('key' in plain, false)
    const cause = new Error('disk')
    const full = new PagingStorageError('IO_ERROR', 'x', { cause, key: 'k1' })
    assert.equal(full.cause, cause)
    assert.equal(full.key, 'k1')
  })

  test('a falsy cause other than undefined is kept', () => {
    const err = new PagingStorageError('INTERNAL', 'x', { cause: 0 })
    assert.equal('cause' in err, true)
    assert.equal(err.cause, 0)
  })
})

describe('StatusCode', () => {
  test('is frozen', () => {
    assert.ok(Object.isFrozen(StatusCode))
    assert.throws(() => {
      /** @type {any} */ (StatusCode).OK = 7
    }, TypeError)
  })

  test('QUOTA and IO are outside the engine range', () => {
    const engine = Object.entries(StatusCode).filter(([k]) => k !== 'QUOTA' && k !== 'IO').map(([, v]) => v)
    assert.ok(!engine.includes(StatusCode.QUOTA))
    assert.ok(!engine.includes(StatusCode.IO))
  })
})

describe('errorFromStatus', () => {
  const cases = [
    [StatusCode.CORRUPTION, 'CORRUPT'],
    [StatusCode.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [StatusCode.BUSY, 'BUSY'],
    [StatusCode.QUOTA, 'QUOTA_EXCEEDED'],
    [StatusCode.IO, 'IO_ERROR']
  ]
  for (const [status, code] of cases) {
    test(`status ${status} -> ${code}, message kept`, () => {
      const err = errorFromStatus(status, 'why', 'the-key')
      assert.ok(err instanceof PagingStorageError)
      assert.equal(err.code, code)
      assert.equal(err.message, 'why')
      assert.equal(err.key, 'the-key')
    })
  }

  for (const status of [StatusCode.OK, StatusCode.NOT_FOUND, StatusCode.NOT_RESIDENT, 42]) {
    test(`status ${status} should not reach the API: INTERNAL naming the status`, () => {
      const err = errorFromStatus(status, 'oops')
      assert.equal(err.code, 'INTERNAL')
      assert.ok(err.message.includes('oops'))
      assert.ok(err.message.includes(`(status ${status})`))
    })
  }

  test('a missing or empty message becomes "engine error"', () => {
    assert.equal(errorFromStatus(StatusCode.CORRUPTION).message, 'engine error')
    assert.equal(errorFromStatus(StatusCode.BUSY, '').message, 'engine error')
  })

  test('no key: no key property', () => {
    assert.equal('key' in errorFromStatus(StatusCode.CORRUPTION, 'x'), false)
  })
})
