import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REPLY_CHARS, lookupWithin, recordChars } from '../../../../js/sync/bounded-replies.js'
import { hlc, rec } from './fakes.js'

/** A lookup over a map of records, recording each call's keys. */
function store(records) {
  const byKey = new Map(records.map((r) => [r.key, r]))
  const calls = []
  const lookup = async (keys) => {
    calls.push([...keys])
    return keys.map((k) => byKey.get(k) ?? null)
  }
  return { lookup, calls }
}

test('repeated keys are looked up and answered once; a few keys per lookup', async () => {
  const { lookup, calls } = store([rec('a', hlc(1)), rec('b', hlc(1))])
  const keys = ['a', ...Array(1000).fill('a'), 'b', 'missing']
  const { records, covered } = await lookupWithin(lookup, keys)
  assert.deepEqual(records.map((r) => r.key), ['a', 'b'])
  assert.equal(covered, keys.length)
  assert.deepEqual(calls.flat(), ['a', 'b', 'missing'])
})

test('regression: the answer stops once past the budget (a get naming a 1 MiB key 100 times answered 105 M characters)', async () => {
  const big = (k) => ({ ...rec(k, hlc(1)), json: JSON.stringify('x'.repeat(300000)) })
  const { lookup, calls } = store(['a', 'b', 'c', 'd', 'e'].map(big))
  const keys = ['a', 'a', 'b', 'c', 'd', 'e']
  const { records, covered } = await lookupWithin(lookup, keys)
  // 300,000 characters each: the second passes 512 Ki, and the answer covers up to it.
  assert.deepEqual(records.map((r) => r.key), ['a', 'b'])
  assert.equal(covered, 3)
  assert.ok(records.reduce((n, r) => n + recordChars(r), 0) < REPLY_CHARS + 300100)
  assert.ok(calls.every((c) => c.length <= 8), 'at most 8 values held at once')
})

test('an empty request covers nothing and looks nothing up', async () => {
  const { lookup, calls } = store([])
  assert.deepEqual(await lookupWithin(lookup, []), { records: [], covered: 0 })
  assert.equal(calls.length, 0)
})
