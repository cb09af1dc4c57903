import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { entriesOf, pairOf, writeEach } from '../../../../js/api/batch-results.js'
import { PagingStorageError, StatusCode } from '../../../../js/core/errors.js'

const toOp = (item) => {
  if (typeof item.key !== 'string') throw new PagingStorageError('INVALID_KEY', 'bad key')
  return { type: 'put', key: item.key, json: JSON.stringify(item.value), replicate: true }
}
const keyOf = (item) => item.key

describe('writeEach', () => {
  test('good items go to the store together, in one write; results in item order', async () => {
    const writes = []
    const write = async (ops) => {
      writes.push(ops.map((o) => o.key))
      return ops.map((o) => ({ code: 0, existed: false, applied: true, key: o.key }))
    }
    const out = await writeEach([{ key: 'a', value: 1 }, { key: 7 }, { key: 'c', value: 3 }], toOp, keyOf, write)
    assert.deepEqual(writes, [['a', 'c']])
    assert.deepEqual(out[0], { key: 'a', result: { code: 0, existed: false, applied: true, key: 'a' } })
    assert.equal(out[1].key, '7', 'a bad key is reported as a string')
    assert.equal(out[1].error?.code, 'INVALID_KEY')
    assert.equal('result' in out[1], false)
    assert.equal(out[2].result?.key, 'c')
  })

  test('store answers that are not OK become errors with the key', async () => {
    const write = async () => [
      { code: StatusCode.QUOTA, existed: false, applied: false, message: 'full' },
      { code: 0, existed: false, applied: false },
      { code: StatusCode.INVALID_ARGUMENT, existed: false, applied: false, message: 'merge: bad origin' }
    ]
    const out = await writeEach([{ key: 'a' }, { key: 'b' }, { key: 'c' }], toOp, keyOf, write)
    assert.equal(out[0].error?.code, 'QUOTA_EXCEEDED')
    assert.equal(out[0].error?.key, 'a')
    assert.equal(out[0].error?.message, 'full')
    assert.equal(out[1].error, undefined)
    assert.equal(out[2].error?.code, 'INVALID_ARGUMENT')
    assert.equal(out[2].result?.code, StatusCode.INVALID_ARGUMENT)
  })

  test('outcome builds each answer from key, error, result and index, in item order', async () => {
    const write = async (ops) => ops.map(() => ({ code: 0, existed: false, applied: true }))
    const seen = []
    const out = await writeEach([{ key: 'a', value: 1 }, { key: 7 }, { key: 'c', value: 3 }], toOp, keyOf, write, (key, error, result, i) => {
      seen.push(i)
      return `${i}:${key}:${error ? error.code : 'ok'}:${result ? result.code : '-'}`
    })
    assert.deepEqual(seen, [0, 1, 2])
    assert.deepEqual(out, ['0:a:ok:0', '1:7:INVALID_KEY:-', '2:c:ok:0'])
  })

  test('the holes of a sparse array stay holes (never items)', async () => {
    const items = [{ key: 'a', value: 1 }, , { key: 'c', value: 3 }] // eslint-disable-line no-sparse-arrays
    const out = await writeEach(items, toOp, keyOf, async (ops) => ops.map(() => ({ code: 0, existed: false, applied: true })))
    assert.equal(out.length, 3)
    assert.equal(1 in out, false)
    assert.equal(out[2].key, 'c')
  })

  test('no good items: the store is not called', async () => {
    let called = false
    const out = await writeEach(
      [{ key: 1 }, { key: null }],
      toOp,
      keyOf,
      async () => {
        called = true
        return []
      }
    )
    assert.equal(called, false)
    assert.deepEqual(
      out.map((o) => [o.key, o.error?.code]),
      [
        ['1', 'INVALID_KEY'],
        ['null', 'INVALID_KEY']
      ]
    )
  })

  test('no items at all', async () => {
    assert.deepEqual(await writeEach([], toOp, keyOf, async () => assert.fail('not called')), [])
  })

  test('toOp gets each item with its index', async () => {
    const seen = []
    await writeEach(['x', 'y'], (item, i) => (seen.push([item, i]), { type: 'delete', key: item, replicate: true }), String, async (ops) => ops.map(() => ({ code: 0, existed: true, applied: true })))
    assert.deepEqual(seen, [
      ['x', 0],
      ['y', 1]
    ])
  })

  test('a failing write rejects', async () => {
    await assert.rejects(
      writeEach([{ key: 'a' }], toOp, keyOf, async () => {
        throw new PagingStorageError('CLOSED', 'closed')
      }),
      { code: 'CLOSED' }
    )
  })
})

describe('entriesOf and pairOf', () => {
  test('a Map, an array, any iterable', () => {
    assert.deepEqual(entriesOf(new Map([['a', 1]])), [['a', 1]])
    assert.deepEqual(entriesOf([['a', 1], ['b', { x: 2 }]]), [['a', 1], ['b', { x: 2 }]])
    function* gen() {
      yield ['g', 1]
    }
    assert.deepEqual(entriesOf(gen()), [['g', 1]])
    assert.deepEqual(entriesOf([]), [])
  })

  test('not an iterable, or a string: INVALID_ARGUMENT', () => {
    for (const bad of [null, undefined, 5, { a: 1 }, 'ab']) {
      assert.throws(() => entriesOf(bad), { code: 'INVALID_ARGUMENT', message: /setMany expects an iterable of \[key, value\] pairs/ })
    }
  })

  test('an entry that is not a pair: INVALID_ARGUMENT naming it (each entry alone)', () => {
    assert.deepEqual(pairOf(['a', 1], 0), ['a', 1])
    assert.throws(() => pairOf(['b'], 1), { code: 'INVALID_ARGUMENT', message: 'setMany entry 1 is not a [key, value] pair' })
    assert.throws(() => pairOf(['a', 1, 2], 0), { message: /entry 0/ })
    assert.throws(() => pairOf('ab', 0), { message: /entry 0/ })
    assert.throws(() => pairOf({ 0: 'a', 1: 1, length: 2 }, 3), { message: /entry 3/ })
  })
})
