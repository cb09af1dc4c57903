// engine/codec: encodes checked byte for byte against wasm/wire_format.h,
// decoders against bytes built by hand from that grammar, and both against
// the real engine.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import { compareKeys } from '../../../../js/core/keys.js'
import {
  decodeClock,
  decodeFlush,
  decodeIds,
  encodeIds,
  decodeLooked,
  decodePurged,
  decodeResults,
  decodeScanned,
  decodeValues,
  encodeKeys,
  encodeOp,
  encodePurgeRequest,
  encodeRecords,
  encodeScan
} from '../../../../js/engine/codec.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'
import { Reader, Writer } from '../../../../js/engine/wire.js'

const utf8 = (s) => [...Buffer.from(s, 'utf8')]
const vs = (s) => [utf8(s).length, ...utf8(s)] // short varstring
const build = (fn) => {
  const w = new Writer(1)
  fn(w)
  return w.finish().slice()
}

/** Parses a wire `scan` back into its fields. */
function parseScan(bytes) {
  const r = new Reader(bytes)
  const flags = r.byte()
  const start = [...r.bytes()]
  const end = flags & 1 ? [...r.bytes()] : undefined
  const limit = r.varint()
  assert.equal(r.done, true, 'no bytes left over')
  return { flags, start, end, limit }
}

describe('encodeOp', () => {
  test('put := 0 key value', () => {
    assert.deepEqual([...build((w) => encodeOp(w, { type: 'put', key: 'ké', json: '{"a":1}' }))], [0, ...vs('ké'), ...vs('{"a":1}')])
  })

  test('delete := 1 key', () => {
    assert.deepEqual([...build((w) => encodeOp(w, { type: 'delete', key: 'k' }))], [1, ...vs('k')])
  })

  test('merge := 2 key hlc:fixed64 origin tombstone [value]', () => {
    const live = build((w) =>
      encodeOp(w, { type: 'merge', key: 'k', hlc: '0102030405060708', origin: 'peer', deleted: false, json: '"v"' })
    )
    assert.deepEqual([...live], [2, ...vs('k'), 8, 7, 6, 5, 4, 3, 2, 1, ...vs('peer'), 0, ...vs('"v"')])
    const dead = build((w) => encodeOp(w, { type: 'merge', key: 'k', hlc: '0000000000010000', origin: 'p', deleted: true, json: null }))
    assert.deepEqual([...dead], [2, ...vs('k'), 0, 0, 1, 0, 0, 0, 0, 0, ...vs('p'), 1])
  })

  test('ops concatenate', () => {
    const bytes = build((w) => {
      encodeOp(w, { type: 'delete', key: 'a' })
      encodeOp(w, { type: 'delete', key: 'b' })
    })
    assert.deepEqual([...bytes], [1, 1, 0x61, 1, 1, 0x62])
  })
})

describe('encodeKeys / encodeRecords', () => {
  test('keys := count key{count}', () => {
    assert.deepEqual([...build((w) => encodeKeys(w, ['a', 'é', '']))], [3, ...vs('a'), ...vs('é'), 0])
    assert.deepEqual([...build((w) => encodeKeys(w, []))], [0])
  })

  test('records := count varstring{count}', () => {
    const bytes = build((w) => encodeRecords(w, [Uint8Array.of(1, 2), new Uint8Array(0), new Uint8Array(200).fill(9)]))
    assert.deepEqual([...bytes.subarray(0, 6)], [3, 2, 1, 2, 0, 0xc8])
    assert.equal(bytes[6], 0x01)
    assert.equal(bytes.length, 7 + 200)
  })
})

describe('encodeScan', () => {
  test('the whole store', () => {
    assert.deepEqual(parseScan(encodeScan({})), { flags: 0, start: [], end: undefined, limit: 0 })
  })

  test('gte is the start; gt is gt + 0x00', () => {
    assert.deepEqual(parseScan(encodeScan({ gte: 'b' })).start, utf8('b'))
    assert.deepEqual(parseScan(encodeScan({ gt: 'b' })).start, [...utf8('b'), 0])
    assert.deepEqual(parseScan(encodeScan({ gte: 'é' })).start, [0xc3, 0xa9])
  })

  test('the greater of gte and gt wins', () => {
    assert.deepEqual(parseScan(encodeScan({ gte: 'c', gt: 'b' })).start, utf8('c'))
    assert.deepEqual(parseScan(encodeScan({ gte: 'b', gt: 'b' })).start, [...utf8('b'), 0])
    assert.deepEqual(parseScan(encodeScan({ gte: 'a', gt: 'b' })).start, [...utf8('b'), 0])
  })

  test('lt is the end; lte is lte + 0x00; the smaller wins', () => {
    assert.deepEqual(parseScan(encodeScan({ lt: 'm' })), { flags: 1, start: [], end: utf8('m'), limit: 0 })
    assert.deepEqual(parseScan(encodeScan({ lte: 'm' })).end, [...utf8('m'), 0])
    assert.deepEqual(parseScan(encodeScan({ lt: 'm', lte: 'm' })).end, utf8('m'))
    assert.deepEqual(parseScan(encodeScan({ lt: 'z', lte: 'm' })).end, [...utf8('m'), 0])
    assert.deepEqual(parseScan(encodeScan({ lt: 'm', lte: 'z' })).end, utf8('m'))
  })

  test('a prefix ends before its successor (last byte + 1)', () => {
    assert.deepEqual(parseScan(encodeScan({ prefix: 'ab' })), { flags: 1, start: utf8('ab'), end: utf8('ac'), limit: 0 })
    assert.deepEqual(parseScan(encodeScan({ prefix: 'é' })).end, [0xc3, 0xaa])
    assert.deepEqual(parseScan(encodeScan({ prefix: '\u007f' })).end, [0x80])
    assert.deepEqual(parseScan(encodeScan({ prefix: '😀' })).end, [0xf0, 0x9f, 0x98, 0x81])
  })

  test('a prefix narrows other bounds and is narrowed by them', () => {
    assert.deepEqual(parseScan(encodeScan({ prefix: 'a', gte: 'am' })), { flags: 1, start: utf8('am'), end: utf8('b'), limit: 0 })
    assert.deepEqual(parseScan(encodeScan({ prefix: 'am', gte: 'a' })).start, utf8('am'))
    assert.deepEqual(parseScan(encodeScan({ prefix: 'a', lt: 'ak' })).end, utf8('ak'))
    assert.deepEqual(parseScan(encodeScan({ prefix: 'a', lt: 'zz' })).end, utf8('b'))
  })

  test('the empty prefix is no bound', () => {
    assert.deepEqual(parseScan(encodeScan({ prefix: '' })), { flags: 0, start: [], end: undefined, limit: 0 })
  })

  test('limit, reverse and tombstones', () => {
    assert.equal(parseScan(encodeScan({ limit: 5 })).limit, 5)
    assert.equal(parseScan(encodeScan({ limit: 300 })).limit, 300)
    assert.equal(parseScan(encodeScan({ reverse: true })).flags, 2)
    assert.equal(parseScan(encodeScan({ tombstones: true })).flags, 4)
    assert.equal(parseScan(encodeScan({ lt: 'x', reverse: true, tombstones: true, limit: 1 })).flags, 7)
  })

  test('empty ranges are null', () => {
    assert.equal(encodeScan({ gte: 'b', lt: 'b' }), null)
    assert.equal(encodeScan({ gt: 'b', lte: 'b' }), null)
    assert.equal(encodeScan({ gte: 'c', lt: 'b' }), null)
    assert.equal(encodeScan({ gt: 'b', lt: 'b\u0000' }), null)
    assert.equal(encodeScan({ prefix: 'a', gte: 'b' }), null)
    assert.equal(encodeScan({ prefix: 'b', lt: 'a' }), null)
    assert.equal(encodeScan({ prefix: 'b', lte: 'a' }), null)
    assert.equal(encodeScan({ lt: '' }), null)
  })

  test('a one-key range is not empty', () => {
    assert.deepEqual(parseScan(encodeScan({ gte: 'b', lte: 'b' })), { flags: 1, start: utf8('b'), end: [...utf8('b'), 0], limit: 0 })
  })

  test('returns a copy that later encodes do not touch', () => {
    const a = encodeScan({ gte: 'aaa' })
    const copy = [...a]
    encodeScan({ gte: 'zzz', lt: 'zzzz' })
    assert.deepEqual([...a], copy)
  })
})

describe('decodeResults (hand-built)', () => {
  const header = (w, { code = 0, state = 0, pages = 1, next = 0, missing = 0, count }) => {
    w.byte(code)
    w.byte(state)
    w.varint(pages)
    w.varint(next)
    w.varint(missing)
    w.varint(count)
  }
  const sample = () =>
    build((w) => {
      header(w, { code: StatusCode.NOT_RESIDENT, state: 1, pages: 300, next: 3, missing: 4242, count: 4 })
      // 1: applied, version from the local peer (origin "")
      w.byte(0)
      w.byte(2 | 4)
      w.fixed64Hex('0000000000010001')
      w.string('')
      // 2: existed + applied, version from another peer, long origin
      w.byte(0)
      w.byte(1 | 2 | 4)
      w.fixed64Hex('00000000000a0000')
      w.string('o'.repeat(200))
      // 3: not applied, no version
      w.byte(0)
      w.byte(1)
      // 4: an error with its message
      w.byte(StatusCode.INVALID_ARGUMENT)
      w.byte(0)
      w.string('merge: bad origin')
    })

  test('with versions', () => {
    const r = decodeResults(sample(), true, 'me')
    assert.equal(r.code, StatusCode.NOT_RESIDENT)
    assert.equal(r.overBudget, true)
    assert.equal(r.pages, 300)
    assert.equal(r.next, 3)
    assert.equal(r.missingPage, 4242)
    assert.deepEqual(r.results, [
      { code: 0, existed: false, applied: true, hlc: '0000000000010001', origin: 'me' },
      { code: 0, existed: true, applied: true, hlc: '00000000000a0000', origin: 'o'.repeat(200) },
      { code: 0, existed: true, applied: false },
      { code: StatusCode.INVALID_ARGUMENT, existed: false, applied: false, message: 'merge: bad origin' }
    ])
  })

  test('without versions: skipped exactly, the rest decodes the same', () => {
    const r = decodeResults(sample(), false, 'me')
    assert.deepEqual(r.results, [
      { code: 0, existed: false, applied: true },
      { code: 0, existed: true, applied: true },
      { code: 0, existed: true, applied: false },
      { code: StatusCode.INVALID_ARGUMENT, existed: false, applied: false, message: 'merge: bad origin' }
    ])
  })

  test('state 0 is not over budget; no results', () => {
    const r = decodeResults(build((w) => header(w, { count: 0 })), true, 'me')
    assert.equal(r.overBudget, false)
    assert.deepEqual(r.results, [])
  })
})

describe('decodeValues / decodeLooked (hand-built)', () => {
  test('values := state count value{count}', () => {
    const bytes = build((w) => {
      w.byte(1)
      w.varint(6)
      w.byte(0)
      w.string('{"a":"é"}')
      w.byte(StatusCode.NOT_FOUND)
      w.byte(StatusCode.NOT_RESIDENT)
      w.varint(300)
      w.byte(StatusCode.CORRUPTION)
      w.string('page 3 failed to load')
      w.byte(StatusCode.INVALID_ARGUMENT)
      w.string('bad key')
      w.byte(StatusCode.BUSY)
      w.string('')
    })
    assert.deepEqual(decodeValues(bytes), {
      overBudget: true,
      answers: [
        { code: 0, json: '{"a":"é"}' },
        { code: StatusCode.NOT_FOUND },
        { code: StatusCode.NOT_RESIDENT, page: 300 },
        { code: StatusCode.CORRUPTION, message: 'page 3 failed to load' },
        { code: StatusCode.INVALID_ARGUMENT, message: 'bad key' },
        { code: StatusCode.BUSY, message: '' }
      ]
    })
  })

  test('looked := state count lookup{count}; records carry the asked keys', () => {
    const bytes = build((w) => {
      w.byte(0)
      w.varint(5)
      w.byte(0)
      w.fixed64Hex('0000000000020003')
      w.string('peer-a')
      w.byte(0)
      w.string('[1]')
      w.byte(0)
      w.fixed64Hex('0000000000020004')
      w.string('peer-b')
      w.byte(1)
      w.byte(StatusCode.NOT_FOUND)
      w.byte(StatusCode.NOT_RESIDENT)
      w.varint(7)
      w.byte(StatusCode.CORRUPTION)
      w.string('bad')
    })
    assert.deepEqual(decodeLooked(bytes, ['a', 'b', 'c', 'd', 'e']), {
      overBudget: false,
      answers: [
        { code: 0, record: { key: 'a', hlc: '0000000000020003', origin: 'peer-a', deleted: false, json: '[1]' } },
        { code: 0, record: { key: 'b', hlc: '0000000000020004', origin: 'peer-b', deleted: true, json: null } },
        { code: StatusCode.NOT_FOUND },
        { code: StatusCode.NOT_RESIDENT, page: 7 },
        { code: StatusCode.CORRUPTION, message: 'bad' }
      ]
    })
  })
})

describe('decodeScanned (hand-built)', () => {
  const record = (w, key, deleted, hlc, origin, json) => {
    w.string(key)
    w.byte(deleted ? 1 : 0)
    w.fixed64Hex(hlc)
    w.string(origin)
    if (!deleted) w.string(json)
  }

  test('OK: records in order, tombstones without value', () => {
    const bytes = build((w) => {
      w.byte(0)
      w.varint(2)
      record(w, 'a', false, '0000000000010000', 'p', '1')
      record(w, 'b', true, '0000000000010001', 'q', '')
    })
    assert.deepEqual(decodeScanned(bytes), {
      code: 0,
      missingPage: 0,
      resume: null,
      message: undefined,
      records: [
        { key: 'a', hlc: '0000000000010000', origin: 'p', deleted: false, json: '1' },
        { key: 'b', hlc: '0000000000010001', origin: 'q', deleted: true, json: null }
      ]
    })
  })

  for (const withEnd of [false, true]) {
    test(`NOT_RESIDENT: missing page and the resume scan (${withEnd ? 'with' : 'without'} end), as a copy`, () => {
      const resumeScan = encodeScan(withEnd ? { gte: 'k5', lt: 'k9', limit: 3, reverse: true } : { gte: 'k5' })
      const bytes = build((w) => {
        w.byte(StatusCode.NOT_RESIDENT)
        w.varint(129)
        for (const b of resumeScan) w.byte(b)
        w.varint(1)
        record(w, 'k4', false, '0000000000010000', 'p', '"x"')
      })
      const r = decodeScanned(bytes)
      assert.equal(r.code, StatusCode.NOT_RESIDENT)
      assert.equal(r.missingPage, 129)
      assert.deepEqual(r.resume, resumeScan)
      assert.deepEqual(r.records.map((x) => x.key), ['k4'])
      bytes.fill(0)
      assert.deepEqual(r.resume, resumeScan)
    })
  }

  test('another error: its message, no records', () => {
    const bytes = build((w) => {
      w.byte(StatusCode.CORRUPTION)
      w.string('page 9 failed to load')
      w.varint(0)
    })
    assert.deepEqual(decodeScanned(bytes), { code: StatusCode.CORRUPTION, missingPage: 0, resume: null, message: 'page 9 failed to load', records: [] })
  })
})

describe('decodeFlush / decodeIds / decodeClock (hand-built)', () => {
  test('flush := state count page{count} deleted id{deleted}; arrays are copies', () => {
    const bytes = build((w) => {
      w.bytes(Uint8Array.of(9, 9, 9))
      w.varint(2)
      w.varint(1)
      w.bytes(Uint8Array.of(1, 2))
      w.bytes(Uint8Array.of(3))
      w.varint(500)
      w.bytes(new Uint8Array(0))
      w.bytes(Uint8Array.of(4))
      w.varint(2)
      w.varint(7)
      w.varint(20000)
    })
    const f = decodeFlush(bytes)
    const expected = {
      state: Uint8Array.of(9, 9, 9),
      pages: [
        { id: 1, bytes: Uint8Array.of(1, 2), record: Uint8Array.of(3) },
        { id: 500, bytes: new Uint8Array(0), record: Uint8Array.of(4) }
      ],
      deleted: [7, 20000]
    }
    assert.deepEqual(f, expected)
    bytes.fill(0xff)
    assert.deepEqual(f, expected)
    assert.notEqual(f.state.buffer, bytes.buffer)
  })

  test('ids := count id{count}', () => {
    assert.deepEqual(decodeIds(Uint8Array.of(3, 1, 0x80, 0x01, 5)), [1, 128, 5])
    assert.deepEqual([...encodeIds([1, 128, 5])], [3, 1, 0x80, 0x01, 5])
    assert.deepEqual(decodeIds(encodeIds([])), [])
    assert.deepEqual(decodeIds(Uint8Array.of(0)), [])
  })

  test('purge := horizon:fixed64 want:varint start:varstring', () => {
    const bytes = encodePurgeRequest({ horizon: '0102030405060708', want: 300, start: 'é' })
    assert.deepEqual([...bytes], [8, 7, 6, 5, 4, 3, 2, 1, 0xac, 0x02, ...vs('é')])
  })

  test('purged := code count [resume ids if NOT_RESIDENT] [message if another error]', () => {
    assert.deepEqual(decodePurged(Uint8Array.of(0, 0x96, 0x01)), { code: 0, purged: 150, resume: '', missing: [] })
    const stopped = build((w) => {
      w.byte(StatusCode.NOT_RESIDENT)
      w.varint(2)
      w.string('k9')
      w.varint(2)
      w.varint(7)
      w.varint(300)
    })
    assert.deepEqual(decodePurged(stopped), { code: StatusCode.NOT_RESIDENT, purged: 2, resume: 'k9', missing: [7, 300] })
    const failed = build((w) => {
      w.byte(StatusCode.INVALID_ARGUMENT)
      w.varint(0)
      w.string('bad horizon')
    })
    assert.deepEqual(decodePurged(failed), { code: StatusCode.INVALID_ARGUMENT, purged: 0, resume: '', missing: [], message: 'bad horizon' })
  })

  test('clock := hlc:fixed64', () => {
    assert.equal(decodeClock(Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1)), '0102030405060708')
  })
})

describe('against the real engine', () => {
  /** @type {WasmEngine} */
  let engine
  const keys = ['', 'a', 'a\u0000', 'aa', 'ab', 'abc', 'ac', 'b', 'b\u0000', 'ba', 'é', 'éa', 'ê', '\uffff', '😀', '😀a', '\u{10ffff}', 'z']
    .filter((k) => k !== '')
    .sort(compareKeys)

  before(async () => {
    const module = await loadModule()
    engine = new WasmEngine(
      module,
      { peerId: 'me', pageSize: 4096, splitThreshold: 3276, mergeThreshold: 819, maxMemoryPages: 100, maxKeyBytes: 1024, maxValueBytes: 1 << 20, virtualNodes: 8 },
      null
    )
    const ops = keys.map((key, i) => ({ type: /** @type {'put'} */ ('put'), key, json: String(i) }))
    const r = engine.applyOps(engine.encodeOps(ops), 0, 1000, false)
    assert.ok(r.results.every((x) => x.code === StatusCode.OK))
    // A tombstone, for the tombstones flag.
    engine.applyOps(engine.encodeOps([{ type: 'delete', key: 'b' }]), 0, 1000, false)
  })
  after(() => engine.close())

  /** The model of a range: the keys it covers, in scan order. */
  function model(range, live) {
    const { gte, gt, lt, lte, prefix, limit = 0, reverse = false } = range
    let out = live.filter(
      (k) =>
        (gte === undefined || compareKeys(k, gte) >= 0) &&
        (gt === undefined || compareKeys(k, gt) > 0) &&
        (lt === undefined || compareKeys(k, lt) < 0) &&
        (lte === undefined || compareKeys(k, lte) <= 0) &&
        (prefix === undefined || k.startsWith(prefix))
    )
    if (reverse) out = out.reverse()
    return limit > 0 ? out.slice(0, limit) : out
  }

  const ranges = [
    {},
    { gte: 'a' },
    { gt: 'a' },
    { gt: 'a', lte: 'ab' },
    { gte: 'a\u0000', lt: 'ab' },
    { lte: 'b' },
    { lt: 'b' },
    { prefix: 'a' },
    { prefix: 'ab' },
    { prefix: 'é' },
    { prefix: '😀' },
    { prefix: 'b', gt: 'b' },
    { gte: '\uffff' },
    { gt: '\uffff', lt: '\u{10ffff}' },
    { lte: '\u{10000}' },
    { prefix: 'a', reverse: true },
    { reverse: true, limit: 3 },
    { gte: 'ab', limit: 2 },
    { gt: 'é', lte: '😀a', reverse: true },
    { prefix: 'q' }
  ]
  const live = () => keys.filter((k) => k !== 'b')

  for (const range of ranges) {
    test(`scan ${JSON.stringify(range)} equals the model`, () => {
      const position = engine.scanStart(range)
      const expected = model(range, live())
      if (position === null) {
        assert.deepEqual(expected, [])
        return
      }
      const r = engine.scan(position)
      assert.equal(r.code, StatusCode.OK)
      assert.deepEqual(r.records.map((x) => x.key), expected)
    })
  }

  test('tombstones: true lists the deleted key with deleted: true and json null', () => {
    const r = engine.scan(/** @type {Uint8Array} */ (engine.scanStart({ gte: 'b', lt: 'b\u0000\u0000', tombstones: true })))
    assert.equal(r.records.length, 2)
    assert.deepEqual(
      r.records.map((x) => [x.key, x.deleted, x.json]),
      [
        ['b', true, null],
        ['b\u0000', false, String(keys.indexOf('b\u0000'))]
      ]
    )
  })

  test('the version a merge encodes is the version stored', () => {
    const op = { type: /** @type {'merge'} */ ('merge'), key: 'merged', hlc: '0000000000ab0007', origin: 'peer-é', deleted: false, json: '{"m":1}' }
    const r = engine.applyOps(engine.encodeOps([op]), 0, 1000, true)
    assert.deepEqual(r.results[0], { code: 0, existed: false, applied: true, hlc: op.hlc, origin: op.origin })
    const looked = engine.lookupMany(['merged'])
    assert.deepEqual(looked.answers[0].record, { key: 'merged', hlc: op.hlc, origin: op.origin, deleted: false, json: '{"m":1}' })
  })

  test('a local write decodes the local peer as its origin', () => {
    const r = engine.applyOps(engine.encodeOps([{ type: 'put', key: 'local', json: '1' }]), 0, 5000, true)
    assert.equal(r.results[0].origin, 'me')
    assert.equal(engine.lookupMany(['local']).answers[0].record?.origin, 'me')
  })
})
