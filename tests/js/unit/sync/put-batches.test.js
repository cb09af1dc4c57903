// put-batches.js: the records waiting at a peer, cut into puts of about PUT_CHARS.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { PUT_CHARS, putBatches } from '../../../../js/sync/put-batches.js'
import { hlc, rec } from './fakes.js'

const entry = (key, chars) => ({ rec: rec(key, hlc(1), 'P', JSON.stringify('x'.repeat(chars))) })

test('small records share a put until the next would take it past PUT_CHARS', () => {
  const entries = Array.from({ length: 100 }, (_, i) => entry(`k${i}`, 1000))
  const batches = [...putBatches(entries)]
  assert.ok(batches.length > 1)
  for (const b of batches) {
    const chars = b.reduce((n, e) => n + e.rec.key.length + e.rec.json.length + 48, 0)
    assert.ok(chars <= PUT_CHARS, `${chars} characters`)
  }
  assert.deepEqual(batches.flat(), entries, 'every record once, in order')
})

test('a record larger than PUT_CHARS goes alone', () => {
  const big = entry('big', PUT_CHARS * 2)
  const batches = [...putBatches([entry('a', 10), big, entry('b', 10)])]
  assert.deepEqual(batches.map((b) => b.map((e) => e.rec.key)), [['a'], ['big'], ['b']])
})

test('lazy: a caller that stops takes no more from the entries', () => {
  let taken = 0
  function* entries() {
    for (let i = 0; i < 1000; i++) {
      taken++
      yield entry(`k${i}`, 10000)
    }
  }
  putBatches(entries()).next()
  assert.ok(taken <= 6, `${taken} taken`)
})
