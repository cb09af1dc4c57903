// The store's answers as API results.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { okOrThrow, presenceOf, valueOf } from '../../../../js/api/answers.js'
import { PagingStorageError, StatusCode } from '../../../../js/core/errors.js'

const corrupt = { code: StatusCode.CORRUPTION, message: 'page 3 failed to load' }

test('valueOf: the parsed value, undefined when absent, the error otherwise', () => {
  assert.deepEqual(valueOf({ code: StatusCode.OK, json: '{"a":[1]}' }, 'k'), { a: [1] })
  assert.equal(valueOf({ code: StatusCode.NOT_FOUND }, 'k'), undefined)
  assert.throws(() => valueOf(/** @type {any} */ (corrupt), 'k'), (err) => err instanceof PagingStorageError && err.code === 'CORRUPT' && err.key === 'k')
})

test('presenceOf: true, false, or the error', () => {
  assert.equal(presenceOf({ code: StatusCode.OK, json: 'null' }, 'k'), true)
  assert.equal(presenceOf({ code: StatusCode.NOT_FOUND }, 'k'), false)
  assert.throws(() => presenceOf(/** @type {any} */ (corrupt), 'k'), { code: 'CORRUPT' })
})

test('okOrThrow: the result when OK, the error its status stands for otherwise', () => {
  const ok = { code: StatusCode.OK, existed: true, applied: true }
  assert.equal(okOrThrow(ok, 'k'), ok)
  assert.throws(() => okOrThrow({ code: StatusCode.QUOTA, existed: false, applied: false, message: 'full' }, 'k'), { code: 'QUOTA_EXCEEDED', key: 'k' })
})
