// The JavaScript copies of the engine's constants against the wasm module's
// own `_constants()` (wasm/json_codec.h).
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import {
  HLC_LOGICAL_BITS,
  MAX_VIRTUAL_NODES,
  SYNC_BITS_PER_LEVEL,
  SYNC_CHILDREN,
  SYNC_MAX_BITS
} from '../../../../js/core/limits.js'
import { decodeResults, decodeScanned, encodeOp, encodeScan } from '../../../../js/engine/codec.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { Writer } from '../../../../js/engine/wire.js'

/** @type {any} */
let constants

before(async () => {
  const module = await loadModule()
  constants = JSON.parse(module._constants())
})

describe('core/limits against the module', () => {
  test('the module exports exactly the constants checked here', () => {
    // A constant added on the C++ side must be mirrored (and checked) here.
    assert.deepEqual(Object.keys(constants).sort(), [
      'hlcLogicalBits',
      'maxVirtualNodes',
      'opType',
      'recordFlags',
      'resultFlags',
      'scanFlags',
      'status',
      'syncBitsPerLevel',
      'syncChildren',
      'syncMaxBits'
    ])
  })

  test('sync tree shape', () => {
    assert.equal(SYNC_CHILDREN, constants.syncChildren)
    assert.equal(SYNC_BITS_PER_LEVEL, constants.syncBitsPerLevel)
    assert.equal(SYNC_MAX_BITS, constants.syncMaxBits)
    assert.equal(2 ** SYNC_BITS_PER_LEVEL, SYNC_CHILDREN)
    assert.equal(SYNC_MAX_BITS % SYNC_BITS_PER_LEVEL, 0)
  })

  test('ring and clock', () => {
    assert.equal(MAX_VIRTUAL_NODES, constants.maxVirtualNodes)
    assert.equal(HLC_LOGICAL_BITS, constants.hlcLogicalBits)
  })

  test('StatusCode equals the engine status codes; QUOTA and IO are JavaScript only', () => {
    const s = constants.status
    assert.deepEqual(
      { ...StatusCode },
      {
        OK: s.ok,
        NOT_FOUND: s.notFound,
        CORRUPTION: s.corruption,
        INVALID_ARGUMENT: s.invalidArgument,
        NOT_RESIDENT: s.notResident,
        BUSY: s.busy,
        QUOTA: StatusCode.QUOTA,
        IO: StatusCode.IO
      }
    )
    assert.equal(Object.keys(s).length, 6)
    assert.ok(!Object.values(s).includes(StatusCode.QUOTA))
    assert.ok(!Object.values(s).includes(StatusCode.IO))
  })
})

describe('engine/codec wire constants against the module', () => {
  test('op types: the first byte of each encoded op', () => {
    const cases = [
      [{ type: 'put', key: 'k', json: '1' }, constants.opType.put],
      [{ type: 'delete', key: 'k' }, constants.opType.delete],
      [{ type: 'merge', key: 'k', hlc: '0000000000010000', origin: 'o', deleted: true, json: null }, constants.opType.merge],
      [{ type: 'forget', key: 'k', hlc: '0000000000010000', origin: 'o' }, constants.opType.forget],
      [{ type: 'delete', key: 'k', always: true }, constants.opType.tombstone],
      [{ type: 'restamp', key: 'k', hlc: '0000000000010000', origin: 'o', after: '0000000000020000' }, constants.opType.restamp]
    ]
    assert.equal(Object.keys(constants.opType).length, cases.length)
    for (const [op, type] of cases) {
      const w = new Writer()
      encodeOp(w, /** @type {any} */ (op))
      assert.equal(w.finish()[0], type, op.type)
    }
  })

  test('scan flags: the first byte of an encoded scan', () => {
    const f = constants.scanFlags
    assert.equal(encodeScan({})?.[0], 0)
    assert.equal(encodeScan({ lt: 'z' })?.[0], f.hasEnd)
    assert.equal(encodeScan({ reverse: true })?.[0], f.reverse)
    assert.equal(encodeScan({ tombstones: true })?.[0], f.tombstones)
    assert.equal(encodeScan({ lt: 'z', reverse: true, tombstones: true })?.[0], f.hasEnd | f.reverse | f.tombstones)
  })

  test('result flags: decoded as the module defines them', () => {
    const f = constants.resultFlags
    for (const [flags, existed, applied] of [
      [f.existed, true, false],
      [f.applied, false, true],
      [f.existed | f.applied, true, true]
    ]) {
      const bytes = Uint8Array.of(0, 0, 1, 0, 0, 1, 0, flags)
      const r = decodeResults(bytes, true, 'me').results[0]
      assert.equal(r.existed, existed)
      assert.equal(r.applied, applied)
      assert.equal(r.buffered, undefined)
    }
    const buffered = decodeResults(Uint8Array.of(0, 0, 1, 0, 0, 1, 0, f.applied | f.buffered), true, 'me').results[0]
    assert.equal(buffered.buffered, true)
    assert.equal(buffered.applied, true)
    const other = decodeResults(Uint8Array.of(0, 0, 1, 0, 0, 1, 0, f.otherValue), true, 'me').results[0]
    assert.equal(other.otherValue, true)
    assert.equal(other.applied, false)
    // hasVersion: 8 bytes of hlc and an origin follow.
    const w = new Writer()
    for (const b of [0, 0, 1, 0, 0, 1, 0, f.applied | f.hasVersion]) w.byte(b)
    w.fixed64Hex('0000000000020001')
    w.string('peer')
    const r = decodeResults(w.finish(), true, 'me').results[0]
    assert.equal(r.hlc, '0000000000020001')
    assert.equal(r.origin, 'peer')
  })

  test('record flags: tombstone', () => {
    const w = new Writer()
    w.byte(0) // code OK
    w.varint(1)
    w.string('k')
    w.byte(constants.recordFlags.tombstone)
    w.fixed64Hex('0000000000010000')
    w.string('o')
    const rec = decodeScanned(w.finish()).records[0]
    assert.equal(rec.deleted, true)
    assert.equal(rec.json, null)
  })
})
