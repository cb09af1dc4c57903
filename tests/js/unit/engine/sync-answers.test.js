import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import { SYNC_CHILDREN } from '../../../../js/core/limits.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { emptySyncAnswers, mergeSyncAnswers } from '../../../../js/engine/sync-answers.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'

const ZERO = '0'.repeat(16)
const xor = (a, b) => (BigInt('0x' + a) ^ BigInt('0x' + b)).toString(16).padStart(16, '0')

describe('emptySyncAnswers', () => {
  test('one answer per query: zero counts and digests, or no entries', () => {
    const answers = emptySyncAnswers([
      { peer: 1, bits: 0, prefix: 0, entries: false },
      { peer: 1, bits: 4, prefix: 2, entries: true }
    ])
    assert.deepEqual(answers, [
      { counts: new Array(SYNC_CHILDREN).fill(0), digests: new Array(SYNC_CHILDREN).fill(ZERO) },
      { entries: [] }
    ])
  })

  test('answers share no arrays', () => {
    const q = { peer: 1, bits: 0, prefix: 0, entries: false }
    const e = { peer: 1, bits: 0, prefix: 0, entries: true }
    const answers = /** @type {any[]} */ (emptySyncAnswers([q, q, e, e]))
    answers[0].counts[0] = 5
    answers[0].digests[0] = 'f'.repeat(16)
    answers[2].entries.push({})
    assert.equal(answers[1].counts[0], 0)
    assert.equal(answers[1].digests[0], ZERO)
    assert.deepEqual(answers[3].entries, [])
    assert.equal(/** @type {any} */ (emptySyncAnswers([q])[0]).counts[0], 0)
  })
})

describe('mergeSyncAnswers', () => {
  test('adds counts and XORs digests, the high bits included', () => {
    const into = /** @type {any[]} */ (emptySyncAnswers([{ peer: 1, bits: 0, prefix: 0, entries: false }]))
    const a = ['ffffffff00000000', '8000000000000001', '0123456789abcdef']
    const b = ['00000000ffffffff', '8000000000000001', 'fedcba9876543210']
    const part = (digests, counts) => [
      {
        counts: Array.from({ length: SYNC_CHILDREN }, (_, c) => counts[c] ?? 0),
        digests: Array.from({ length: SYNC_CHILDREN }, (_, c) => digests[c] ?? ZERO)
      }
    ]
    mergeSyncAnswers(into, part(a, [1, 2, 3]))
    mergeSyncAnswers(into, part(b, [4, 5, 6]))
    assert.deepEqual(into[0].counts.slice(0, 4), [5, 7, 9, 0])
    assert.deepEqual(into[0].digests.slice(0, 4), [xor(a[0], b[0]), ZERO, xor(a[2], b[2]), ZERO])
    assert.equal(into[0].digests[0], 'ffffffffffffffff')
    assert.equal(into[0].digests[2], 'ffffffffffffffff')
  })

  test('concatenates entries in order, per query', () => {
    const into = /** @type {any[]} */ (emptySyncAnswers([
      { peer: 1, bits: 0, prefix: 0, entries: true },
      { peer: 2, bits: 0, prefix: 0, entries: true }
    ]))
    const e = (key) => ({ key, hlc: '0000000000010000', origin: 'p', deleted: false })
    mergeSyncAnswers(into, [{ entries: [e('a'), e('b')] }, { entries: [] }])
    mergeSyncAnswers(into, [{ entries: [e('c')] }, { entries: [e('x')] }])
    assert.deepEqual(into[0].entries.map((x) => x.key), ['a', 'b', 'c'])
    assert.deepEqual(into[1].entries.map((x) => x.key), ['x'])
  })
})

describe('partial answers of a paged-out sync scan merge to the full answers', () => {
  const config = { peerId: 'me', pageSize: 256, splitThreshold: 204, mergeThreshold: 51, maxKeyBytes: 1024, maxValueBytes: 1 << 20, virtualNodes: 8 }
  /** @type {WasmEngine} */
  let paged
  /** @type {WasmEngine} */
  let resident
  /** @type {Map<number, Uint8Array>} */
  const stored = new Map()
  let module

  before(async () => {
    module = await loadModule()
    paged = new WasmEngine(module, { ...config, maxMemoryPages: 2 }, null)
    const ops = Array.from({ length: 400 }, (_, i) => ({ type: /** @type {'put'} */ ('put'), key: 'k' + String(i).padStart(4, '0'), json: JSON.stringify({ i }) }))
    const r = paged.applyOps(paged.encodeOps(ops), 0, 1000, false)
    assert.equal(r.results.length, 400)
    assert.ok(r.results.every((x) => x.code === StatusCode.OK))
    const flush = paged.collectFlush()
    paged.commitFlush()
    for (const p of flush.pages) stored.set(p.id, p.bytes)
    paged.evictAllClean()
    assert.equal(paged.stats().residentPages, 0)
    // The same data, every page resident.
    resident = new WasmEngine(module, { ...config, maxMemoryPages: 10000 }, { state: flush.state, records: flush.pages.map((p) => p.record) })
    for (const [id, bytes] of stored) assert.equal(resident.loadPage(id, bytes).code, StatusCode.OK)
  })
  after(() => {
    paged.close()
    resident.close()
  })

  test('digests and entries', () => {
    const queries = [
      { peer: 1, bits: 0, prefix: 0, entries: false },
      { peer: 1, bits: 4, prefix: 5, entries: false },
      { peer: 1, bits: 0, prefix: 0, entries: true }
    ]
    const ringP = paged.ring(['me', 'other'])
    const ringR = resident.ring(['me', 'other'])
    try {
      const full = resident.syncScan(ringR, { rf: 2, self: 0, start: '', queries })
      assert.equal(full.code, StatusCode.OK)

      const merged = emptySyncAnswers(queries)
      let start = ''
      let stops = 0
      for (;;) {
        const r = paged.syncScan(ringP, { rf: 2, self: 0, start, queries })
        mergeSyncAnswers(merged, r.answers)
        if (r.code === StatusCode.OK) break
        assert.equal(r.code, StatusCode.NOT_RESIDENT)
        assert.equal(paged.loadPage(r.missingPage, /** @type {Uint8Array} */ (stored.get(r.missingPage))).code, StatusCode.OK)
        start = r.resume
        stops++
        assert.ok(stops < 10000, 'the scan ends')
      }
      assert.ok(stops > 10, `the scan stopped for pages (${stops})`)
      assert.deepEqual(merged, full.answers)
      assert.equal(/** @type {any} */ (merged[2]).entries.length, 400)
    } finally {
      ringP.release()
      ringR.release()
    }
  })
})
