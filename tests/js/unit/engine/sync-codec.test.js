// engine/sync-codec: the ring and anti-entropy byte formats against
// wasm/wire_format.h (`members`, `replicas`, `shares`, `sync`, `synced`),
// by hand and through the real engine.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import { compareKeys } from '../../../../js/core/keys.js'
import { SYNC_CHILDREN } from '../../../../js/core/limits.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { decodeReplicas, decodeShares, decodeSynced, encodeMembers, encodeSyncRequest } from '../../../../js/engine/sync-codec.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'
import { Writer } from '../../../../js/engine/wire.js'

const build = (fn) => {
  const w = new Writer(1)
  fn(w)
  return w.finish().slice()
}

describe('encodeMembers', () => {
  test('members := count id{count}', () => {
    assert.deepEqual([...encodeMembers(['a', 'bé'])], [2, 1, 0x61, 3, 0x62, 0xc3, 0xa9])
    assert.deepEqual([...encodeMembers([])], [0])
  })
})

describe('decodeReplicas', () => {
  test('replicas := count (n index{n}){count}', () => {
    assert.deepEqual(decodeReplicas(Uint8Array.of(3, 2, 0, 1, 0, 3, 0x80, 0x01, 2, 1)), [[0, 1], [], [128, 2, 1]])
  })
})

describe('decodeShares', () => {
  test('shares := count share:fixed64 (IEEE-754, little-endian)', () => {
    const values = [0.25, 0.75, 1 / 3]
    const bytes = new Uint8Array(1 + 8 * values.length)
    bytes[0] = values.length
    const view = new DataView(bytes.buffer)
    values.forEach((v, i) => view.setFloat64(1 + 8 * i, v, true))
    assert.deepEqual(decodeShares(bytes), values)
  })
})

describe('encodeSyncRequest', () => {
  test('sync := rf self start count query{count}; query := peer bits:byte prefix:varint entries:byte', () => {
    const bytes = encodeSyncRequest({
      rf: 3,
      self: 200,
      start: 'ké',
      queries: [
        { peer: 1, bits: 0, prefix: 0, entries: false },
        { peer: 2, bits: 28, prefix: 2 ** 28 - 1, entries: true }
      ]
    })
    assert.deepEqual(
      [...bytes],
      [3, 0xc8, 0x01, 3, 0x6b, 0xc3, 0xa9, 2, 1, 0, 0, 0, 2, 28, 0xff, 0xff, 0xff, 0x7f, 1]
    )
  })
})

describe('decodeSynced (hand-built)', () => {
  const queries = [
    { peer: 1, bits: 0, prefix: 0, entries: false },
    { peer: 1, bits: 4, prefix: 3, entries: true }
  ]
  // Sparse: the count of answers that hold something, each with its query index.
  const answers = (w) => {
    w.varint(2)
    w.varint(0)
    for (let c = 0; c < SYNC_CHILDREN; c++) {
      w.varint(c * 100)
      w.fixed64Hex(c.toString(16).repeat(16))
    }
    w.varint(1)
    w.varint(2)
    for (const [key, hlc, origin, tomb] of [
      ['a', '0000000000010000', 'p', 0],
      ['é', '0000000000020000', 'q', 1]
    ]) {
      w.string(key)
      w.fixed64Hex(hlc)
      w.string(origin)
      w.byte(tomb)
    }
  }
  const expectedAnswers = [
    {
      counts: Array.from({ length: 16 }, (_, c) => c * 100),
      digests: Array.from({ length: 16 }, (_, c) => c.toString(16).repeat(16))
    },
    {
      entries: [
        { key: 'a', hlc: '0000000000010000', origin: 'p', deleted: false },
        { key: 'é', hlc: '0000000000020000', origin: 'q', deleted: true }
      ]
    }
  ]

  test('OK: one answer per query, by the query kind', () => {
    const r = decodeSynced(
      build((w) => {
        w.byte(0)
        answers(w)
      }),
      queries
    )
    assert.deepEqual(r, { code: 0, missingPage: 0, resume: '', message: undefined, answers: expectedAnswers })
  })

  test('NOT_RESIDENT: missing page, resume key, partial answers', () => {
    const r = decodeSynced(
      build((w) => {
        w.byte(StatusCode.NOT_RESIDENT)
        w.varint(77)
        w.string('resume-😀')
        answers(w)
      }),
      queries
    )
    assert.equal(r.code, StatusCode.NOT_RESIDENT)
    assert.equal(r.missingPage, 77)
    assert.equal(r.resume, 'resume-😀')
    assert.deepEqual(r.answers, expectedAnswers)
  })

  test('another error: its message and no answers', () => {
    const r = decodeSynced(
      build((w) => {
        w.byte(StatusCode.INVALID_ARGUMENT)
        w.string('bits')
        w.varint(0)
      }),
      queries
    )
    assert.deepEqual(r, { code: StatusCode.INVALID_ARGUMENT, missingPage: 0, resume: '', message: 'bits', answers: [] })
  })

  test('an answer left out is empty (a hole); an index past the queries is an error', () => {
    const r = decodeSynced(
      build((w) => {
        w.byte(0)
        w.varint(0)
      }),
      queries
    )
    assert.equal(r.answers.length, 2)
    assert.equal(0 in r.answers, false)
    assert.throws(() =>
      decodeSynced(
        build((w) => {
          w.byte(0)
          w.varint(1)
          w.varint(2)
        }),
        queries
      )
    )
  })
})

describe('through the real engine', () => {
  /** @type {WasmEngine} */
  let engine
  /** @type {import('../../../../js/engine/ring.js').RingView} */
  let ring
  const keys = Array.from({ length: 120 }, (_, i) => `key-${i}-${'é'.repeat(i % 3)}`).sort(compareKeys)

  before(async () => {
    const module = await loadModule()
    engine = new WasmEngine(
      module,
      { peerId: 'me', pageSize: 4096, splitThreshold: 3276, mergeThreshold: 819, maxMemoryPages: 1000, maxKeyBytes: 1024, maxValueBytes: 1 << 20, virtualNodes: 16 },
      null
    )
    const ops = keys.map((key, i) => ({ type: /** @type {'put'} */ ('put'), key, json: String(i) }))
    engine.applyOps(engine.encodeOps(ops), 0, 1000, false)
    engine.applyOps(engine.encodeOps([{ type: 'delete', key: keys[5] }]), 0, 2000, false)
    ring = engine.ring(['me', 'other'])
  })
  after(() => {
    ring.release()
    engine.close()
  })

  test('rf 2 on two members: every record (tombstones too) counts, once', () => {
    const r = engine.syncScan(ring, { rf: 2, self: 0, start: '', queries: [{ peer: 1, bits: 0, prefix: 0, entries: false }] })
    assert.equal(r.code, StatusCode.OK)
    const root = /** @type {any} */ (r.answers[0])
    assert.equal(root.counts.length, SYNC_CHILDREN)
    assert.equal(root.counts.reduce((a, b) => a + b, 0), keys.length)
    for (let c = 0; c < SYNC_CHILDREN; c++) {
      assert.match(root.digests[c], /^[0-9a-f]{16}$/)
      if (root.counts[c] === 0) assert.equal(root.digests[c], '0'.repeat(16))
    }
  })

  test('entries at the root list every record in key order with its stored version', () => {
    const r = engine.syncScan(ring, { rf: 2, self: 0, start: '', queries: [{ peer: 1, bits: 0, prefix: 0, entries: true }] })
    const entries = /** @type {any} */ (r.answers[0]).entries
    assert.deepEqual(
      entries.map((e) => e.key),
      keys
    )
    const looked = engine.lookupMany(keys).answers
    entries.forEach((e, i) => {
      const rec = looked[i].record
      assert.deepEqual(e, { key: rec?.key, hlc: rec?.hlc, origin: rec?.origin, deleted: rec?.deleted })
    })
    assert.equal(entries.filter((e) => e.deleted).length, 1)
  })

  test('child counts of the root equal the entries listed under each child', () => {
    const queries = [{ peer: 1, bits: 0, prefix: 0, entries: false }]
    for (let c = 0; c < SYNC_CHILDREN; c++) queries.push({ peer: 1, bits: 4, prefix: c, entries: true })
    const r = engine.syncScan(ring, { rf: 2, self: 0, start: '', queries })
    const root = /** @type {any} */ (r.answers[0])
    for (let c = 0; c < SYNC_CHILDREN; c++) {
      assert.equal(/** @type {any} */ (r.answers[c + 1])?.entries.length ?? 0, root.counts[c], `child ${c}`)
    }
  })

  test('a query about self and a non-member self count nothing', () => {
    const aboutSelf = engine.syncScan(ring, { rf: 2, self: 0, start: '', queries: [{ peer: 0, bits: 0, prefix: 0, entries: false }] })
    assert.equal(aboutSelf.answers[0], undefined, 'empty: left out')
    const outsider = engine.syncScan(ring, { rf: 2, self: 2, start: '', queries: [{ peer: 1, bits: 0, prefix: 0, entries: true }] })
    assert.equal(outsider.answers[0], undefined)
  })

  test('a malformed query answers INVALID_ARGUMENT with a message and no answers', () => {
    const r = engine.syncScan(ring, { rf: 2, self: 0, start: '', queries: [{ peer: 1, bits: 3, prefix: 0, entries: false }] })
    assert.equal(r.code, StatusCode.INVALID_ARGUMENT)
    assert.equal(typeof r.message, 'string')
    assert.ok(/** @type {string} */ (r.message).length > 0)
    assert.deepEqual(r.answers, [])
  })

  test('start skips the keys before it', () => {
    const from = keys[60]
    const r = engine.syncScan(ring, { rf: 2, self: 0, start: from, queries: [{ peer: 1, bits: 0, prefix: 0, entries: true }] })
    assert.deepEqual(
      /** @type {any} */ (r.answers[0]).entries.map((e) => e.key),
      keys.slice(60)
    )
  })
})
