// appliedWrites: what 'applied' announces for each kind of write.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { appliedWrites } from '../../../../js/store/applied-writes.js'

const H = '0000018f00000001'
const ok = (extra = {}) => ({ code: 0, existed: false, applied: true, hlc: H, origin: 'me', ...extra })

test('puts, deletes and merges that applied, with their versions; refused and stale ones left out', () => {
  const ops = [
    { type: 'put', key: 'a', json: '1', replicate: true },
    { type: 'delete', key: 'b', replicate: true },
    { type: 'merge', key: 'c', hlc: H, origin: 'P', deleted: false, json: '2', value: 2, replicate: false },
    { type: 'merge', key: 'd', hlc: H, origin: 'P', deleted: true, json: null, replicate: false },
    { type: 'put', key: 'e', json: '3', replicate: true },
    { type: 'merge', key: 'f', hlc: H, origin: 'P', deleted: false, json: '4', replicate: false }
  ]
  const results = [ok(), ok({ existed: true }), ok({ origin: 'P' }), ok({ origin: 'P', existed: true }), { code: 8, existed: false, applied: false }, ok({ applied: false })]
  assert.deepEqual(appliedWrites(/** @type {any} */ (ops), /** @type {any} */ (results)), [
    { record: { key: 'a', hlc: H, origin: 'me', deleted: false, json: '1' }, replicate: true, existed: false },
    { record: { key: 'b', hlc: H, origin: 'me', deleted: true, json: null }, replicate: true, existed: true },
    { record: { key: 'c', hlc: H, origin: 'P', deleted: false, json: '2', value: 2 }, replicate: false, existed: false },
    { record: { key: 'd', hlc: H, origin: 'P', deleted: true, json: null }, replicate: false, existed: true }
  ])
})

test('a forget that dropped a live copy is a delete (never replicated); one that purged a tombstone is nothing', () => {
  const ops = [
    { type: 'forget', key: 'live', hlc: H, origin: 'P', replicate: false },
    { type: 'forget', key: 'tomb', hlc: H, origin: 'P', replicate: false }
  ]
  const results = [
    { code: 0, existed: true, applied: true },
    { code: 0, existed: false, applied: true }
  ]
  assert.deepEqual(appliedWrites(/** @type {any} */ (ops), /** @type {any} */ (results)), [
    { record: { key: 'live', hlc: H, origin: 'P', deleted: true, json: null }, replicate: false, existed: true }
  ])
})

test('a buffered put is announced as buffered: whether it replaced a live value is unknown', () => {
  const ops = [{ type: 'put', key: 'a', json: '1', replicate: true }]
  assert.deepEqual(appliedWrites(/** @type {any} */ (ops), /** @type {any} */ ([ok({ buffered: true })])), [
    { record: { key: 'a', hlc: H, origin: 'me', deleted: false, json: '1' }, replicate: true, existed: false, buffered: true }
  ])
})
