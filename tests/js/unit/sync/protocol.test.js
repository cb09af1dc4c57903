import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  FRAGMENT_CHARS,
  MAX_BUCKET_BITS,
  PROTOCOL_VERSION,
  decode,
  encode,
  parseFrame,
  protocolLimits
} from '../../../../js/sync/protocol.js'

const LIMITS = protocolLimits({ maxKeyBytes: 1024, maxValueBytes: 1024 * 1024 })
const H1 = '0000018f00000001'
const H2 = '0000018f00000002'
const DIGESTS = Array.from({ length: 16 }, (_, i) => (i + 1).toString(16).padStart(16, '0'))
const COUNTS = Array.from({ length: 16 }, (_, i) => i)

let fragIds = 1
const nextFrag = () => fragIds++

/** The one frame of a short message, decoded. */
function roundTrip(msg) {
  const frames = encode(msg, nextFrag)
  assert.equal(frames.length, 1)
  return decode(frames[0], LIMITS)
}

/** A wire object as text (v added unless given). */
function wire(obj) {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...obj })
}

/** Reassembles frames in order, as the messenger does. */
function reassemble(frames) {
  const parts = frames.map((f) => parseFrame(f, LIMITS))
  for (const p of parts) assert.equal(p?.t, 'frag')
  return parts.map((p) => p.d).join('')
}

describe('protocolLimits', () => {
  test('room for the largest value twice over, and fragments for escaped pieces', () => {
    const l = protocolLimits({ maxKeyBytes: 10, maxValueBytes: 1 << 20 })
    assert.equal(l.maxKeyBytes, 10)
    assert.equal(l.maxValueBytes, 1 << 20)
    assert.equal(l.maxMessageChars, 2 * (1 << 20) + 65536)
    assert.equal(l.maxFragments, 6 * Math.ceil(l.maxMessageChars / FRAGMENT_CHARS))
    // Small values still leave room for four fragments of text.
    assert.equal(protocolLimits({ maxKeyBytes: 10, maxValueBytes: 100 }).maxMessageChars, 4 * FRAGMENT_CHARS + 65536)
  })
})

describe('round trip of every message type', () => {
  test('hb, with and without a clock', () => {
    assert.deepEqual(roundTrip({ t: 'hb' }), { t: 'hb' })
    assert.deepEqual(roundTrip({ t: 'hb', h: H1 }), { t: 'hb', h: H1 })
    assert.deepEqual(roundTrip({ t: 'hb', h: H1, w: 0, d: true }), { t: 'hb', h: H1, w: 0, d: true })
    assert.deepEqual(roundTrip({ t: 'hb', w: 16 }), { t: 'hb', w: 16 })
    for (const bad of [{ w: -1 }, { w: 17 }, { w: 1.5 }, { w: '0' }, { d: true }, { d: 0 }, { d: 2 }]) {
      assert.equal(decode(wire({ t: 'hb', ...bad }), LIMITS), null, JSON.stringify(bad))
    }
  })

  test('put: records become {key, hlc, origin, deleted, json} and live ones carry the parsed value', () => {
    const records = [
      { key: 'a', hlc: H1, origin: 'peer-1', deleted: false, json: '{"x":[1,2,{"y":null}]}' },
      { key: 'b', hlc: H2, origin: 'peer-2', deleted: true, json: null },
      { key: 'ключ😀', hlc: H2, origin: 'p😀', deleted: false, json: '"text"' }
    ]
    const msg = roundTrip({ t: 'put', id: 7, records })
    assert.deepEqual(msg, {
      t: 'put',
      id: 7,
      records: [
        { ...records[0], value: { x: [1, 2, { y: null }] } },
        records[1],
        { ...records[2], value: 'text' }
      ]
    })
    assert.equal('value' in msg.records[1], false, 'a tombstone has no value')
  })

  test('a deleted record goes out without its json', () => {
    const msg = roundTrip({ t: 'put', id: 1, records: [{ key: 'a', hlc: H1, origin: 'p', deleted: true, json: '1' }] })
    assert.deepEqual(msg.records, [{ key: 'a', hlc: H1, origin: 'p', deleted: true, json: null }])
  })

  test('ack: k names the newer versions kept over records of the put', () => {
    assert.deepEqual(roundTrip({ t: 'ack', id: 4 }), { t: 'ack', id: 4 })
    const kept = [{ key: 'a', hlc: H1, origin: 'p', deleted: false }]
    assert.deepEqual(roundTrip({ t: 'ack', id: 4, kept }), { t: 'ack', id: 4, kept })
    for (const k of [[], 'a', [['a', H1, 'p']], [['a', '0000000000000000', 'p', 0]]]) assert.equal(decode(wire({ t: 'ack', id: 1, k }), LIMITS), null, JSON.stringify(k))
    // n: the keys of records refused.
    assert.deepEqual(roundTrip({ t: 'ack', id: 4, kept, refused: ['x', 'y'] }), { t: 'ack', id: 4, kept, refused: ['x', 'y'] })
    for (const n of [[], 'x', [1], ['']]) assert.equal(decode(wire({ t: 'ack', id: 1, n }), LIMITS), null, JSON.stringify(n))
  })

  test('got: records, and keys not stored there ([key] alone) are left out', () => {
    const text = wire({ t: 'got', id: 3, r: [['a', H1, 'p', 0, '5'], ['missing'], ['b', H1, 'p', 1, null]] })
    assert.deepEqual(decode(text, LIMITS), {
      t: 'got',
      id: 3,
      records: [
        { key: 'a', hlc: H1, origin: 'p', deleted: false, json: '5', value: 5 },
        { key: 'b', hlc: H1, origin: 'p', deleted: true, json: null }
      ]
    })
    const records = [{ key: 'a', hlc: H1, origin: 'p', deleted: false, json: 'true' }]
    assert.deepEqual(roundTrip({ t: 'got', id: 4, records }), { t: 'got', id: 4, records: [{ ...records[0], value: true }] })
    // c: only the first keys asked are answered (the reply budget ran out).
    assert.deepEqual(roundTrip({ t: 'got', id: 4, records, covered: 2 }), { t: 'got', id: 4, records: [{ ...records[0], value: true }], covered: 2 })
    for (const c of [-1, 1.5, '2', null, 501]) assert.equal(decode(wire({ t: 'got', id: 1, r: [], c }), LIMITS), null, `c=${c}`)
  })

  test('ack, get, since', () => {
    assert.deepEqual(roundTrip({ t: 'ack', id: 0 }), { t: 'ack', id: 0 })
    assert.deepEqual(roundTrip({ t: 'get', id: 9, keys: ['a', 'b😀'] }), { t: 'get', id: 9, keys: ['a', 'b😀'] })
    // The zero clock is a valid 'since' (a new store asks for everything).
    assert.deepEqual(roundTrip({ t: 'since', id: 2, h: '0000000000000000' }), { t: 'since', id: 2, h: '0000000000000000' })
  })

  test('sum, ent, pull', () => {
    const sum = { t: 'sum', buckets: [{ bits: 0, prefix: 0, counts: COUNTS, digests: DIGESTS }, { bits: 20, prefix: 2 ** 20 - 1, counts: COUNTS, digests: DIGESTS }] }
    assert.deepEqual(roundTrip(sum), sum)
    const ent = {
      t: 'ent',
      buckets: [
        { bits: 24, prefix: 5, entries: [{ key: 'a', hlc: H1, origin: 'p', deleted: false }, { key: 'b', hlc: H2, origin: 'q', deleted: true }] },
        { bits: 4, prefix: 15, entries: [] }
      ]
    }
    assert.deepEqual(roundTrip(ent), ent)
    const pull = { t: 'pull', keys: ['x', 'y'], buckets: [{ bits: 8, prefix: 255 }, { bits: 0, prefix: 0 }] }
    assert.deepEqual(roundTrip(pull), pull)
  })

  test('has, had', () => {
    assert.deepEqual(roundTrip({ t: 'has', id: 4, keys: ['a', 'é'] }), { t: 'has', id: 4, keys: ['a', 'é'] })
    const had = { t: 'had', id: 4, entries: [{ key: 'a', hlc: H1, origin: 'p', deleted: false }, { key: 'é', hlc: H2, origin: 'q', deleted: true }], inSyncSince: 1_700_000_000_000 }
    assert.deepEqual(roundTrip(had), had)
    assert.deepEqual(roundTrip({ t: 'had', id: 0, entries: [], inSyncSince: 0 }), { t: 'had', id: 0, entries: [], inSyncSince: 0 })
  })

  test('scan, scanned, sub, pub', () => {
    const scan = { t: 'scan', id: 3, range: { prefix: 'doc:', gt: 'doc:5' }, reverse: true, count: 100 }
    assert.deepEqual(roundTrip(scan), scan)
    assert.deepEqual(roundTrip({ t: 'scan', id: 3, range: {}, reverse: false, count: 1 }), { t: 'scan', id: 3, range: {}, reverse: false, count: 1 })
    const records = [{ key: 'a', hlc: H1, origin: 'p', deleted: true, json: null }]
    assert.deepEqual(roundTrip({ t: 'scanned', id: 3, records, next: 'a' }), { t: 'scanned', id: 3, records, next: 'a' })
    assert.deepEqual(roundTrip({ t: 'scanned', id: 3, records: [] }), { t: 'scanned', id: 3, records: [] })
    const sub = { t: 'sub', id: 5, keys: ['k'], prefixes: ['', 'doc:'], lease: 20000, since: H1 }
    assert.deepEqual(roundTrip(sub), sub)
    assert.deepEqual(roundTrip({ t: 'sub', id: 5, keys: [], prefixes: [], lease: 1 }), { t: 'sub', id: 5, keys: [], prefixes: [], lease: 1 })
    assert.deepEqual(roundTrip({ t: 'pub', id: 6, records }), { t: 'pub', id: 6, records })
    assert.deepEqual(roundTrip({ t: 'delta', n: 0 }), { t: 'delta', n: 0 })
    for (const n of [-1, 1.5, '2', null, 1e12]) assert.equal(decode(wire({ t: 'delta', n }), LIMITS), null, `delta n ${n}`)
  })

  test('audit, proof: digests, newer records held, and 0 for not held', () => {
    const nonce = '0123456789abcdef'.repeat(2)
    const audit = { t: 'audit', id: 8, nonce, entries: [{ key: 'a', hlc: H1, origin: 'p', deleted: false }] }
    assert.deepEqual(roundTrip(audit), audit)
    const newer = { key: 'b', hlc: H2, origin: 'q', deleted: false, json: '{"x":1}', value: { x: 1 } }
    const proof = { t: 'proof', id: 8, answers: ['00112233445566ff', newer, null] }
    assert.deepEqual(roundTrip(proof), proof)
    assert.deepEqual(roundTrip({ t: 'proof', id: 8, answers: [] }), { t: 'proof', id: 8, answers: [] })
  })

  test('short frames parse as messages too', () => {
    const [frame] = encode({ t: 'ack', id: 5 }, nextFrag)
    assert.deepEqual(parseFrame(frame, LIMITS), { t: 'ack', id: 5 })
  })
})

test('a put of N records parses JSON N+1 times: the envelope and each value once', () => {
  const N = 7
  const records = Array.from({ length: N }, (_, i) => ({ key: `k${i}`, hlc: H1, origin: 'p', deleted: false, json: JSON.stringify({ i, deep: [i, { i }] }) }))
  const [frame] = encode({ t: 'put', id: 1, records }, nextFrag)
  const parse = JSON.parse
  let calls = 0
  JSON.parse = function (...args) {
    calls++
    return parse.apply(this, args)
  }
  let msg
  try {
    msg = decode(frame, LIMITS)
  } finally {
    JSON.parse = parse
  }
  assert.equal(calls, N + 1)
  assert.deepEqual(msg.records.map((r) => r.value), records.map((_, i) => ({ i, deep: [i, { i }] })))
})

describe('fragments', () => {
  test('a long message is cut into frames of at most FRAGMENT_CHARS that reassemble into it', () => {
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, hlc: H1, origin: 'p', deleted: false, json: JSON.stringify('"\\x'.repeat(2000) + i) }))
    const msg = { t: 'put', id: 12, records }
    const frames = encode(msg, () => 77)
    assert.ok(frames.length > 1)
    const parts = frames.map((f) => parseFrame(f, LIMITS))
    parts.forEach((p, i) => assert.deepEqual({ t: p.t, id: p.id, i: p.i, n: p.n }, { t: 'frag', id: 77, i, n: frames.length }))
    for (const f of frames) assert.ok(f.length <= FRAGMENT_CHARS, `frame of ${f.length} chars`)
    assert.deepEqual(decode(reassemble(frames), LIMITS), decode(JSON.stringify({ v: 1, ...wireOf(msg) }), LIMITS))
    assert.deepEqual(decode(reassemble(frames), LIMITS).records.map((r) => r.json), records.map((r) => r.json))
  })

  test('never splits a surrogate pair', () => {
    // Text of astral characters, shifted by one unit between the two tries,
    // so that for one of them a cut falls between the halves of a pair.
    for (const pad of ['', 'x']) {
      const json = JSON.stringify(pad + '😀'.repeat(100000))
      const frames = encode({ t: 'put', id: 1, records: [{ key: 'k', hlc: H1, origin: 'p', deleted: false, json }] }, nextFrag)
      assert.ok(frames.length > 2)
      for (const f of frames) {
        assert.ok(f.length <= FRAGMENT_CHARS)
        assert.ok(parseFrame(f, LIMITS).d.isWellFormed(), 'a fragment holds a lone surrogate')
      }
      assert.equal(decode(reassemble(frames), LIMITS).records[0].json, json)
    }
  })

  test('the largest value, as the worst-escaping text, fits in maxFragments frames', () => {
    const limits = protocolLimits({ maxKeyBytes: 1024, maxValueBytes: 1 << 20 })
    // Backslashes double when the record's json is escaped into the message,
    // and again when a piece is escaped into a fragment.
    const json = JSON.stringify('\\'.repeat((limits.maxValueBytes - 2) / 2))
    assert.equal(json.length, limits.maxValueBytes)
    const frames = encode({ t: 'put', id: 1, records: [{ key: 'k', hlc: H1, origin: 'p', deleted: false, json }] }, nextFrag)
    assert.ok(frames.length <= limits.maxFragments, `${frames.length} frames > ${limits.maxFragments}`)
    const parts = frames.map((f) => parseFrame(f, limits))
    assert.ok(parts.every((p) => p !== null && p.t === 'frag'))
    assert.equal(decode(parts.map((p) => p.d).join(''), limits).records[0].json, json)
  })

  test('bad fragment frames are rejected', () => {
    const ok = { t: 'frag', id: 1, i: 0, n: 2, d: 'abc' }
    assert.deepEqual(parseFrame(wire(ok), LIMITS), { v: 1, ...ok })
    for (const bad of [
      { n: 1, i: 0 },
      { n: LIMITS.maxFragments + 1 },
      { i: 2 },
      { i: -1 },
      { i: 0.5 },
      { id: -1 },
      { id: 'x' },
      { d: 5 },
      { d: 'x'.repeat(FRAGMENT_CHARS + 1) }
    ]) {
      assert.equal(parseFrame(wire({ ...ok, ...bad }), LIMITS), null, JSON.stringify(bad).slice(0, 80))
    }
    assert.equal(parseFrame(wire({ t: 'hb', pad: 'x'.repeat(FRAGMENT_CHARS + 1024) }), LIMITS), null, 'frame too long')
    assert.equal(decode(wire(ok), LIMITS), null, 'a fragment is not a message')
  })
})

describe('rejections return null, never throw', () => {
  const good = ['a', H1, 'p', 0, '1']
  /** decode() of a put carrying one record r. */
  const put = (r, limits = LIMITS) => decode(wire({ t: 'put', id: 1, r: [r] }), limits)

  test('the record above is accepted (the cases below change one thing)', () => {
    assert.equal(put(good).records.length, 1)
  })

  test('not a frame of ours', () => {
    for (const text of [undefined, null, 42, {}, '', 'not json', '[]', 'null', '"str"', '{"t":"hb"}', '{"v":2,"t":"hb"}', '{"v":"1","t":"hb"}']) {
      assert.equal(decode(/** @type {any} */ (text), LIMITS), null, String(text))
      assert.equal(parseFrame(text, LIMITS), null, String(text))
    }
  })

  test('text longer than maxMessageChars', () => {
    const limits = { ...LIMITS, maxMessageChars: 100 }
    const text = (n) => wire({ t: 'get', id: 1, k: ['x'.repeat(n)] })
    assert.equal(text(67).length, 100)
    assert.notEqual(decode(text(67), limits), null)
    assert.equal(decode(text(68), limits), null)
  })

  test('scan, scanned, sub: bounds, counts, leases and list sizes', () => {
    const scan = (over) => decode(wire({ t: 'scan', id: 1, q: {}, r: 0, n: 10, ...over }), LIMITS)
    assert.notEqual(scan({}), null)
    for (const over of [{ q: null }, { q: [] }, { q: { gte: 1 } }, { q: { start: 'a' } }, { q: { lt: 'a\ud800' } }, { q: { prefix: 'x'.repeat(1025) } }, { r: 2 }, { n: 0 }, { n: 1001 }, { n: 1.5 }]) {
      assert.equal(scan(over), null, JSON.stringify(over))
    }
    const scanned = (over) => decode(wire({ t: 'scanned', id: 1, r: [], ...over }), LIMITS)
    assert.notEqual(scanned({ c: '' }), null)
    for (const over of [{ c: 5 }, { r: [['a']] }, { r: Array.from({ length: 1001 }, () => ['a', H1, 'p', 1, null]) }]) {
      assert.equal(scanned(over), null, JSON.stringify(over).slice(0, 40))
    }
    const sub = (over) => decode(wire({ t: 'sub', id: 1, k: [], p: [], l: 1000, ...over }), LIMITS)
    assert.notEqual(sub({}), null)
    for (const over of [
      { k: [''] },
      { k: Array.from({ length: 1001 }, (_, i) => `k${i}`) },
      { p: Array.from({ length: 65 }, (_, i) => `p${i}`) },
      { p: [1] },
      { l: 0 },
      { l: 600001 },
      { s: 'soon' },
      { k: 'a' }
    ]) {
      assert.equal(sub(over), null, JSON.stringify(over).slice(0, 40))
    }
  })

  test('unknown types', () => {
    for (const t of ['nope', 'toString', '__proto__', 'constructor', 'frag', 1, null]) {
      assert.equal(decode(wire({ t, id: 1 }), LIMITS), null, String(t))
    }
  })

  test('bad ids', () => {
    for (const id of [-1, 1.5, '1', null, 2 ** 53, [1], undefined]) {
      for (const m of [{ t: 'ack' }, { t: 'put', r: [] }, { t: 'got', r: [] }, { t: 'get', k: [] }, { t: 'since', h: H1 }, { t: 'has', k: [] }, { t: 'had', e: [], s: 0 }, { t: 'scan', q: {}, r: 0, n: 1 }, { t: 'scanned', r: [] }, { t: 'sub', k: [], p: [], l: 1 }, { t: 'pub', r: [] }]) {
        assert.equal(decode(wire({ ...m, id }), LIMITS), null, `${m.t} id ${id}`)
      }
    }
    assert.deepEqual(decode(wire({ t: 'ack', id: 2 ** 53 - 1 }), LIMITS), { t: 'ack', id: 2 ** 53 - 1 })
  })

  test('keys: empty, lone surrogate, or too long in UTF-8 bytes', () => {
    const limits = { ...LIMITS, maxKeyBytes: 8 }
    // 4 characters, 8 bytes: fits; 5 characters of 2 bytes: 10 bytes.
    assert.equal(put(['éééé', H1, 'p', 0, '1'], limits).records.length, 1)
    for (const key of ['', '\ud800', 'é'.repeat(5), '€€€', 'x'.repeat(9), 7, null]) {
      assert.equal(put([key, H1, 'p', 0, '1'], limits), null, `put ${key}`)
      assert.equal(decode(wire({ t: 'get', id: 1, k: ['a', key] }), limits), null, `get ${key}`)
      assert.equal(decode(wire({ t: 'pull', k: [key], b: [] }), limits), null, `pull ${key}`)
      assert.equal(decode(wire({ t: 'got', id: 1, r: [[key]] }), limits), null, `got [${key}]`)
      assert.equal(decode(wire({ t: 'ent', b: [[0, 0, [[key, H1, 'p', 0]]]] }), limits), null, `ent ${key}`)
      assert.equal(decode(wire({ t: 'has', id: 1, k: ['a', key] }), limits), null, `has ${key}`)
      assert.equal(decode(wire({ t: 'had', id: 1, e: [[key, H1, 'p', 0]], s: 0 }), limits), null, `had ${key}`)
    }
  })

  test('versions: zero or malformed hlc, bad origins', () => {
    for (const h of ['0000000000000000', 'ABCDEF0123456789', '0000018f0000001', '0000018f000000011', 'g000018f00000001', 1, null]) {
      assert.equal(put(['a', h, 'p', 0, '1']), null, `hlc ${h}`)
      assert.equal(decode(wire({ t: 'ent', b: [[0, 0, [['a', h, 'p', 0]]]] }), LIMITS), null, `ent hlc ${h}`)
    }
    for (const origin of ['', 'o'.repeat(256), 'ok\ud800', '\udc00', 5, null]) {
      assert.equal(put(['a', H1, origin, 0, '1']), null, `origin ${String(origin).slice(0, 8)}`)
      assert.equal(decode(wire({ t: 'ent', b: [[0, 0, [['a', H1, origin, 0]]]] }), LIMITS), null)
    }
    assert.equal(put(['a', H1, 'o'.repeat(255), 0, '1']).records[0].origin.length, 255)
    for (const h of ['xyz', '0000018F00000001', 12]) {
      assert.equal(decode(wire({ t: 'hb', h }), LIMITS), null, `hb ${h}`)
      assert.equal(decode(wire({ t: 'since', id: 1, h }), LIMITS), null, `since ${h}`)
    }
    assert.equal(decode(wire({ t: 'since', id: 1 }), LIMITS), null, 'since without h')
  })

  test('record shape, tomb flag and json', () => {
    const limits = { ...LIMITS, maxValueBytes: 10 }
    assert.equal(put(['a', H1, 'p', 0, '"éééé"'], limits).records[0].value, 'éééé', '10 bytes fit')
    for (const [r, why] of [
      [['a', H1, 'p', 0], 'four items'],
      [['a', H1, 'p', 0, '1', 'x'], 'six items'],
      ['a', 'not an array'],
      [['a', H1, 'p', 2, '1'], 'tomb 2'],
      [['a', H1, 'p', true, '1'], 'tomb true'],
      [['a', H1, 'p', 1, '1'], 'tombstone with json'],
      [['a', H1, 'p', 0, null], 'live without json'],
      [['a', H1, 'p', 0, ''], 'empty json'],
      [['a', H1, 'p', 0, 'not json'], 'json that is not JSON'],
      [['a', H1, 'p', 0, '{"a":'], 'truncated json'],
      [['a', H1, 'p', 0, 5], 'json not text'],
      [['a', H1, 'p', 0, '"ééééé"'], 'json over maxValueBytes in UTF-8 bytes'],
      [['a', H1, 'p', 0, '"' + 'x'.repeat(9) + '"'], 'json over maxValueBytes'],
      [['a'], 'key alone in a put']
    ]) {
      assert.equal(put(r, limits), null, why)
    }
    assert.equal(decode(wire({ t: 'got', id: 1, r: [['a', H1, 'p', 2, '1']] }), LIMITS), null, 'got with tomb 2')
    assert.equal(decode(wire({ t: 'put', id: 1, r: 'x' }), LIMITS), null, 'records not a list')
  })

  test('buckets: bits not a multiple of 4, beyond the deepest level, prefix out of range', () => {
    assert.equal(MAX_BUCKET_BITS, 24)
    const pull = (b) => decode(wire({ t: 'pull', k: [], b: [b] }), LIMITS)
    assert.deepEqual(pull([4, 15]).buckets, [{ bits: 4, prefix: 15 }])
    for (const b of [[3, 0], [6, 1], [28, 0], [-4, 0], [4, 16], [0, 1], [8, 256], [4, -1], [4, 1.5], ['4', 1], [4], [4, 1, 2], 'b']) {
      assert.equal(pull(b), null, JSON.stringify(b))
      assert.equal(decode(wire({ t: 'ent', b: [[...(Array.isArray(b) ? b : [b]), []]] }), LIMITS), null, `ent ${JSON.stringify(b)}`)
      assert.equal(decode(wire({ t: 'sum', b: [[...(Array.isArray(b) ? b : [b]), COUNTS, DIGESTS]] }), LIMITS), null, `sum ${JSON.stringify(b)}`)
    }
  })

  test('summaries: 16 counts and 16 digests, above the deepest level', () => {
    const sum = (b) => decode(wire({ t: 'sum', b: [b] }), LIMITS)
    assert.notEqual(sum([20, 0, COUNTS, DIGESTS]), null)
    for (const [b, why] of [
      [[0, 0, COUNTS.slice(1), DIGESTS], '15 counts'],
      [[0, 0, [...COUNTS, 1], DIGESTS], '17 counts'],
      [[0, 0, COUNTS, DIGESTS.slice(1)], '15 digests'],
      [[0, 0, COUNTS.map((c, i) => (i === 3 ? -1 : c)), DIGESTS], 'a negative count'],
      [[0, 0, COUNTS.map((c, i) => (i === 3 ? 1.5 : c)), DIGESTS], 'a fractional count'],
      [[0, 0, COUNTS, DIGESTS.map((d, i) => (i === 3 ? 'XYZ' : d))], 'a bad digest'],
      [[24, 0, COUNTS, DIGESTS], 'the deepest level has no children to digest'],
      [[0, 0, COUNTS], 'three items']
    ]) {
      assert.equal(sum(b), null, why)
    }
  })

  test('entries: bad versions, tomb flags, shapes', () => {
    const ent = (e) => decode(wire({ t: 'ent', b: [[0, 0, [e]]] }), LIMITS)
    assert.notEqual(ent(['a', H1, 'p', 1]), null)
    const had = (e, s = 0) => decode(wire({ t: 'had', id: 1, e: [e], s }), LIMITS)
    assert.notEqual(had(['a', H1, 'p', 1]), null)
    for (const e of [['a', '0000000000000000', 'p', 0], ['a', H1, '', 0], ['a', H1, 'p', 2], ['a', H1, 'p', true], ['a', H1, 'p'], ['a', H1, 'p', 0, '1'], 'a']) {
      assert.equal(ent(e), null, JSON.stringify(e))
      assert.equal(had(e), null, `had ${JSON.stringify(e)}`)
    }
    for (const s of [-1, 1.5, '1', null, 2 ** 53]) assert.equal(had(['a', H1, 'p', 1], s), null, `had s=${s}`)
    assert.equal(decode(wire({ t: 'had', id: 1, e: [] }), LIMITS), null, 'had without s')
  })

  test('lists over 100000 items', () => {
    const limits = { ...LIMITS, maxMessageChars: 1 << 24 }
    const keys = (n) => Array.from({ length: n }, () => 'a')
    // get and has: at most KEYS_PER_REQUEST (500) keys (a peer's asks are cut to that).
    assert.equal(decode(wire({ t: 'get', id: 1, k: keys(500) }), limits).keys.length, 500)
    assert.equal(decode(wire({ t: 'get', id: 1, k: keys(501) }), limits), null)
    assert.equal(decode(wire({ t: 'has', id: 1, k: keys(500) }), limits).keys.length, 500)
    assert.equal(decode(wire({ t: 'has', id: 1, k: keys(501) }), limits), null)
    assert.equal(decode(wire({ t: 'had', id: 1, e: Array.from({ length: 100001 }, () => ['a', H1, 'p', 1]), s: 0 }), limits), null)
    assert.equal(decode(wire({ t: 'pull', k: keys(100001), b: [] }), limits), null)
    assert.equal(decode(wire({ t: 'pull', k: [], b: Array.from({ length: 100001 }, () => [0, 0]) }), limits), null)
    const recs = Array.from({ length: 100001 }, () => ['a', H1, 'p', 1, null])
    assert.equal(decode(wire({ t: 'put', id: 1, r: recs }), limits), null)
    assert.equal(decode(wire({ t: 'got', id: 1, r: recs.map(() => ['a']) }), limits), null)
    assert.equal(decode(wire({ t: 'ent', b: [[0, 0, Array.from({ length: 100001 }, () => ['a', H1, 'p', 0])]] }), limits), null)
    assert.equal(decode(wire({ t: 'sum', b: Array.from({ length: 100001 }, () => [0, 0, COUNTS, DIGESTS]) }), limits), null)
  })

  test('audit: a 32-hex nonce, 1 to 8 valid entries; proof: at most 8 answers, each 16 hex digits, 0 or a valid record', () => {
    const n = 'ab'.repeat(16)
    const e = ['a', H1, 'p', 0]
    assert.notEqual(decode(wire({ t: 'audit', id: 1, n, e: [e] }), LIMITS), null, 'the base case')
    for (const bad of ['AB'.repeat(16), 'ab'.repeat(15), 'ab'.repeat(17), 7, null]) {
      assert.equal(decode(wire({ t: 'audit', id: 1, n: bad, e: [e] }), LIMITS), null, `nonce ${bad}`)
    }
    assert.equal(decode(wire({ t: 'audit', id: 1, n, e: [] }), LIMITS), null, 'no entries')
    assert.equal(decode(wire({ t: 'audit', id: 1, n, e: Array(9).fill(e) }), LIMITS), null, 'nine entries')
    assert.equal(decode(wire({ t: 'audit', id: 1, n, e: [['a', '0000000000000000', 'p', 0]] }), LIMITS), null, 'a zero version')
    assert.equal(decode(wire({ t: 'audit', id: -1, n, e: [e] }), LIMITS), null, 'a bad id')
    assert.notEqual(decode(wire({ t: 'proof', id: 1, a: ['00'.repeat(8), 0, ['k', H1, 'p', 1, null]] }), LIMITS), null, 'the base case')
    for (const bad of ['00'.repeat(7), '00'.repeat(9), 'GG'.repeat(8), 1, null, ['k', H1, 'p', 0, 'not json'], ['k', H1, 'p', 1]]) {
      assert.equal(decode(wire({ t: 'proof', id: 1, a: [bad] }), LIMITS), null, `answer ${JSON.stringify(bad)}`)
    }
    assert.equal(decode(wire({ t: 'proof', id: 1, a: Array(9).fill(0) }), LIMITS), null, 'nine answers')
    assert.equal(decode(wire({ t: 'proof', id: 1, a: 'x' }), LIMITS), null, 'not a list')
  })

  test('sum, ent and pull name at most MAX_BUCKETS (256) buckets', () => {
    const limits = { ...LIMITS, maxMessageChars: 1 << 24 }
    const n = (k, f) => Array.from({ length: k }, f)
    assert.equal(decode(wire({ t: 'sum', b: n(256, () => [0, 0, COUNTS, DIGESTS]) }), limits).buckets.length, 256)
    assert.equal(decode(wire({ t: 'sum', b: n(257, () => [0, 0, COUNTS, DIGESTS]) }), limits), null)
    assert.equal(decode(wire({ t: 'ent', b: n(256, () => [0, 0, []]) }), limits).buckets.length, 256)
    assert.equal(decode(wire({ t: 'ent', b: n(257, () => [0, 0, []]) }), limits), null)
    assert.equal(decode(wire({ t: 'pull', k: [], b: n(256, () => [0, 0]) }), limits).buckets.length, 256)
    assert.equal(decode(wire({ t: 'pull', k: [], b: n(257, () => [0, 0]) }), limits), null)
  })
})

/** The wire object of a put (what encode stringifies, without v). */
function wireOf(msg) {
  return { t: msg.t, id: msg.id, r: msg.records.map((r) => [r.key, r.hlc, r.origin, r.deleted ? 1 : 0, r.deleted ? null : r.json]) }
}
