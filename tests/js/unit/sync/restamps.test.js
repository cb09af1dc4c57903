import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { FUTURE_MARGIN_MS, Restamps } from '../../../../js/sync/restamps.js'
import { hlc, rec } from './fakes.js'

/** A version stamped `ms` past this clock. */
const ahead = (ms) => hlcAtWallMs(Date.now() + ms)
const FORGED = ahead(4 * 60 * 1000)

function setup(applied = true) {
  const writes = []
  const r = new Restamps('me', async (ops) => {
    writes.push(...ops)
    return ops.map(() => ({ code: 0, applied, existed: true }))
  })
  return { r, writes }
}

test('a write of this peer that a replica kept a newer version over is stamped again past it', async () => {
  const { r, writes } = setup()
  const mine = { ...rec('k', hlc(5)), origin: 'me' }
  await r.onKept(mine, { key: 'k', hlc: FORGED, origin: 'forger', deleted: false })
  assert.deepEqual(writes, [
    { type: 'restamp', key: 'k', hlc: hlc(5), origin: 'me', after: FORGED, deleted: false, json: mine.json, replicate: true }
  ])
  assert.equal(r.stats.restamped, 1)
})

test('regression: a write of this peer that a replica holds under its version with another value (a forgery raced it there) is stamped again', async () => {
  const { r, writes } = setup()
  const now = ahead(0)
  const mine = { ...rec('k', now), origin: 'me' }
  await r.onKept(mine, { key: 'k', hlc: now, origin: 'me', deleted: false })
  assert.equal(writes.length, 1)
  assert.equal(writes[0].after, now)
})

test("another peer's record is left to its writer", () => {
  const { r, writes } = setup()
  assert.equal(r.onKept({ ...rec('k', hlc(5)), origin: 'other' }, { key: 'k', hlc: FORGED, origin: 'x', deleted: false }), undefined)
  assert.deepEqual(writes, [])
})

test('a newer version not ahead of this clock by FUTURE_MARGIN_MS is a later write: it wins (a re-pushed value came back over a delete)', () => {
  const { r, writes } = setup()
  const mine = { ...rec('k', hlc(5)), origin: 'me' }
  assert.equal(r.onKept(mine, { key: 'k', hlc: ahead(0), origin: 'deleter', deleted: true }), undefined)
  assert.equal(r.onKept(mine, { key: 'k', hlc: ahead(FUTURE_MARGIN_MS - 1000), origin: 'fast', deleted: false }), undefined)
  assert.deepEqual(writes, [])
})

test('at most 3 times per key: a peer forging ever newer versions cannot keep this one busy', async () => {
  const { r, writes } = setup()
  for (let i = 0; i < 5; i++) await r.onKept({ ...rec('k', hlc(5 + i)), origin: 'me' }, { key: 'k', hlc: ahead(60000 + i), origin: 'forger', deleted: false })
  assert.equal(writes.length, 3)
  assert.equal(r.stats.givenUp, 2)
  await r.onKept({ ...rec('other', hlc(5)), origin: 'me' }, { key: 'other', hlc: FORGED, origin: 'forger', deleted: false })
  assert.equal(writes.length, 4, 'per key')
})

test('a restamp the store does not apply (the key was written since) counts nothing', async () => {
  const { r } = setup(false)
  await r.onKept({ ...rec('k', hlc(5)), origin: 'me' }, { key: 'k', hlc: FORGED, origin: 'forger', deleted: false })
  assert.equal(r.stats.restamped, 0)
})
