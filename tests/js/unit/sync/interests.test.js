import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { Interests } from '../../../../js/sync/interests.js'

describe('Interests', () => {
  test('the union of every owner; a prefix under a shorter one is left out (keys are kept: their subscription brings their value)', () => {
    const i = new Interests()
    let changes = 0
    i.onChange(() => changes++)
    assert.equal(i.any, false)
    i.set('self', [{ key: 'doc:1:title' }, { prefix: 'doc:2:' }, { key: 'user:1' }])
    i.set('tab:x', [{ prefix: 'doc:' }, { key: 'user:1' }, { prefix: 'doc:2:a' }])
    assert.equal(i.any, true)
    assert.deepEqual(i.keys(), ['doc:1:title', 'user:1'])
    assert.deepEqual(i.prefixes(), ['doc:'])
    i.set('tab:x', [])
    assert.deepEqual(i.keys(), ['doc:1:title', 'user:1'])
    assert.deepEqual(i.prefixes(), ['doc:2:'])
    assert.equal(changes, 3)
    i.set('tab:gone', []) // nothing to remove: no change
    assert.equal(changes, 3)
  })

  test('a bad list is INVALID_ARGUMENT and changes nothing', () => {
    const i = new Interests()
    for (const bad of [null, 'doc:', [{}], [{ key: 1 }], [null]]) {
      assert.throws(() => i.set('tab:x', /** @type {any} */ (bad)), { code: 'INVALID_ARGUMENT' })
    }
    assert.equal(i.any, false)
  })
})
