import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { PagingStorageError } from '../../../../js/core/errors.js'
import { toStorageError } from '../../../../js/persistence/backend.js'

describe('toStorageError', () => {
  test('a PagingStorageError passes through unchanged', () => {
    const err = new PagingStorageError('CORRUPT', 'bad page')
    assert.equal(toStorageError(err, 'reading'), err)
  })

  test('QuotaExceededError (by name) is QUOTA_EXCEEDED, with the cause', () => {
    const dom = Object.assign(new Error('quota'), { name: 'QuotaExceededError' })
    const err = toStorageError(dom, 'saving pages')
    assert.ok(err instanceof PagingStorageError)
    assert.equal(err.code, 'QUOTA_EXCEEDED')
    assert.equal(err.message, "saving pages: the browser's storage quota is full")
    assert.equal(err.cause, dom)
  })

  test('legacy code 22 is QUOTA_EXCEEDED too', () => {
    assert.equal(toStorageError({ code: 22, message: 'x' }, 'w').code, 'QUOTA_EXCEEDED')
  })

  test('anything else is IO_ERROR with the message and the cause', () => {
    const cause = new Error('disk failed')
    const err = toStorageError(cause, 'reading pages')
    assert.equal(err.code, 'IO_ERROR')
    assert.equal(err.message, 'reading pages: disk failed')
    assert.equal(err.cause, cause)
    assert.equal(toStorageError(Object.assign(new Error('n'), { name: 'NotFoundError' }), 'x').code, 'IO_ERROR')
  })

  test('non-Error values are described', () => {
    assert.equal(toStorageError('plain text', 'opening').message, 'opening: plain text')
    assert.equal(toStorageError(undefined, 'opening').message, 'opening: undefined')
    assert.equal(toStorageError(null, 'opening').code, 'IO_ERROR')
  })
})
