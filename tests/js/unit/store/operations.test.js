// The resumable operations: step by step against fake engines (what each
// step asks for), and run to the end by the real paging driver over a real
// engine with a tiny page budget and a MemoryBackend.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import { SYNC_CHILDREN } from '../../../../js/core/limits.js'
import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { MergeOperation, PurgeOperation, ReadOperation, ScanOperation, SyncScanOperation, WriteOperation } from '../../../../js/store/operations.js'
import { Pager } from '../../../../js/store/pager.js'
import { PagingDriver } from '../../../../js/store/paging-driver.js'

const CONFIG = { peerId: 'me', pageSize: 256, splitThreshold: 204, mergeThreshold: 51, maxMemoryPages: 2, maxKeyBytes: 64, maxValueBytes: 1000, virtualNodes: 8 }
const key = (i) => 'k' + String(i).padStart(5, '0')
const ok = (n) => Array.from({ length: n }, () => ({ code: 0, existed: false, applied: true }))

let module
before(async () => {
  module = await loadModule()
})

/** A real engine, pager and driver over a MemoryBackend. */
function realStack(config = CONFIG) {
  const engine = new WasmEngine(module, config, null)
  const backend = new MemoryBackend()
  const errors = []
  const pager = new Pager(engine, backend, { onError: (e) => errors.push(e), onSaved: () => {} })
  const driver = new PagingDriver(engine, pager, config.maxMemoryPages)
  return { engine, backend, pager, driver, errors }
}

async function fill(stack, n, json = (i) => JSON.stringify({ i })) {
  const { engine, driver, pager } = stack
  const ops = Array.from({ length: n }, (_, i) => ({ type: /** @type {'put'} */ ('put'), key: key(i), json: json(i) }))
  const result = await driver.run(new WriteOperation(engine, engine.encodeOps(ops), 1000, false))
  await pager.flush()
  engine.evictAllClean()
  return result
}

describe('WriteOperation', () => {
  test('steps: ops on missing pages are set aside by page; once loaded, only those are applied, in op order', () => {
    const calls = []
    const wait = (page) => ({ code: StatusCode.NOT_RESIDENT, existed: false, applied: false, page })
    const engine = {
      applyOps(ops, from, wallMs, withVersions) {
        calls.push({ from, wallMs, withVersions })
        // ops 0..5: 1 and 4 wait on page 9, 3 on page 7
        return { overBudget: false, pages: 3, results: [ok(1)[0], wait(9), ok(1)[0], wait(7), wait(9), ok(1)[0]] }
      },
      applyOpsAt(ops, indices, wallMs) {
        calls.push({ indices: [...indices], wallMs })
        return { overBudget: false, pages: 4, results: ok(indices.length) }
      }
    }
    const op = new WriteOperation(/** @type {any} */ (engine), /** @type {any} */ ({ count: 6 }), 1234, true)
    assert.deepEqual(op.step(null), { pages: [9, 7] })
    assert.equal(op.done, 3)
    assert.equal(op.pages, 3)
    assert.deepEqual(op.step([9]), { pages: [7] })
    assert.equal(op.done, 5)
    assert.equal(op.step([7, 12]), null)
    assert.equal(op.done, 6)
    assert.equal(op.pages, 4)
    assert.ok(op.result.every((r) => r.code === 0))
    assert.deepEqual(calls, [{ from: 0, wallMs: 1234, withVersions: true }, { indices: [1, 4], wallMs: 1234 }, { indices: [3], wallMs: 1234 }])
  })

  test('steps: an op set aside again (its page went before the step) keeps its place before later ops', () => {
    const wait = (page) => ({ code: StatusCode.NOT_RESIDENT, existed: false, applied: false, page })
    const answers = [
      { overBudget: false, pages: 1, results: [wait(9), wait(9)] },
      { overBudget: false, pages: 1, results: [wait(9), wait(9)] },
      { overBudget: false, pages: 1, results: ok(2) }
    ]
    const asked = []
    const engine = {
      applyOps: () => answers.shift(),
      applyOpsAt: (ops, indices) => {
        asked.push([...indices])
        return answers.shift()
      }
    }
    const op = new WriteOperation(/** @type {any} */ (engine), /** @type {any} */ ({ count: 2 }), 1, false)
    assert.deepEqual(op.step(null), { pages: [9] })
    assert.deepEqual(op.step([9]), { pages: [9] })
    assert.equal(op.step([9]), null)
    assert.deepEqual(asked, [
      [0, 1],
      [0, 1]
    ])
  })

  test('steps: ops of loaded pages go in calls the engine bounds; over budget between them, a flush first', () => {
    const wait = (page) => ({ code: StatusCode.NOT_RESIDENT, existed: false, applied: false, page })
    const asked = []
    const engine = {
      applyOps: () => ({ overBudget: false, pages: 1, results: [wait(5), wait(5), wait(5)] }),
      // One op per call, over budget after each.
      applyOpsAt: (ops, indices) => {
        asked.push(indices[0])
        return { overBudget: true, pages: 2, results: ok(1) }
      }
    }
    const op = new WriteOperation(/** @type {any} */ (engine), /** @type {any} */ ({ count: 3 }), 1, false)
    assert.deepEqual(op.step(null), { pages: [5] })
    assert.deepEqual(op.step([5]), { flush: true })
    assert.deepEqual(op.step(null), { flush: true })
    assert.equal(op.step(null), null, 'the last op: done, no flush asked')
    assert.deepEqual(asked, [0, 1, 2])
    assert.equal(op.done, 3)
  })

  test('steps: over budget in the middle of a batch asks for a flush; at the end it does not', () => {
    const answers = [
      { overBudget: true, pages: 50, results: ok(512) },
      { overBudget: true, pages: 60, results: ok(88) }
    ]
    const engine = { applyOps: () => answers.shift() }
    const op = new WriteOperation(/** @type {any} */ (engine), /** @type {any} */ ({ count: 600 }), 1, false)
    assert.deepEqual(op.step(null), { flush: true })
    assert.equal(op.done, 512)
    assert.equal(op.step(null), null)
    assert.equal(op.done, 600)
  })

  test('no ops: done at once without an engine call', () => {
    const engine = {
      applyOps() {
        throw new Error('not called')
      }
    }
    const op = new WriteOperation(/** @type {any} */ (engine), /** @type {any} */ ({ count: 0 }), 1, false)
    assert.equal(op.step(null), null)
    assert.deepEqual(op.result, [])
  })

  test('real: a large batch on a tiny budget ends with every op applied, flushed as it goes', async () => {
    const stack = realStack()
    const ops = Array.from({ length: 3000 }, (_, i) => ({ type: /** @type {'put'} */ ('put'), key: key(i), json: String(i) }))
    const op = new WriteOperation(stack.engine, stack.engine.encodeOps(ops), 1000, false)
    const results = await stack.driver.run(op)
    assert.equal(results.length, 3000)
    assert.ok(results.every((r) => r.code === 0 && r.applied))
    assert.equal(op.done, 3000)
    assert.equal(op.pages, stack.engine.stats().pages)
    assert.ok(stack.backend.pageCount > 0, 'pages were flushed during the batch')
    assert.equal(stack.engine.overBudget(), false, 'back within budget at the end')
  })
})

describe('WriteOperation, real', () => {
  test('regression: a batch of random keys over a paged-out store loads each page about once (it loaded one page per op, re-decoding the batch each time)', async () => {
    const stack = realStack({ ...CONFIG, maxMemoryPages: 8 })
    await fill(stack, 3000)
    const pagesBefore = stack.engine.stats().pages
    const order = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3000)
    const ops = order.map((i) => ({ type: /** @type {'put'} */ ('put'), key: key(i), json: '"v' + i + '"' }))
    const loadsBefore = stack.pager.pageLoads
    const results = await stack.driver.run(new WriteOperation(stack.engine, stack.engine.encodeOps(ops), 2000, false))
    assert.ok(results.every((r) => r.code === 0 && r.applied && r.existed))
    const loads = stack.pager.pageLoads - loadsBefore
    // Values grow ("v123" over {"i":123}): pages split as they go.
    assert.ok(loads <= 1.5 * pagesBefore, `${loads} page loads for ${pagesBefore} pages and 3,000 ops`)
    const read = await stack.driver.run(new ReadOperation([key(0), key(1234), key(2999)], (ks) => stack.engine.getMany(ks)))
    assert.deepEqual(
      read.map((a) => a.json),
      ['"v0"', '"v1234"', '"v2999"']
    )
    assert.equal(stack.engine.checkInvariants().code, StatusCode.OK)
  })

  test('regression: a batch that splits no page loads each page once (dirty pages filled the budget, so pages just loaded were evicted before use)', async () => {
    const stack = realStack({ ...CONFIG, maxMemoryPages: 8 })
    await fill(stack, 3000, (i) => '"a' + (i % 10) + '"')
    const pages = stack.engine.stats().pages
    const order = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3000)
    // Values of the same size: no page splits or merges.
    const ops = order.map((i) => ({ type: /** @type {'put'} */ ('put'), key: key(i), json: '"b' + (i % 10) + '"' }))
    const loadsBefore = stack.pager.pageLoads
    await stack.driver.run(new WriteOperation(stack.engine, stack.engine.encodeOps(ops), 2000, false))
    assert.equal(stack.engine.stats().pages, pages)
    assert.equal(stack.pager.pageLoads - loadsBefore, pages, 'one load per page')
  })

  test('one key written many times in a batch over missing pages: the last write wins', async () => {
    const stack = realStack({ ...CONFIG, maxMemoryPages: 4 })
    await fill(stack, 500)
    const ops = []
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 500; i += 37) ops.push({ type: /** @type {'put'} */ ('put'), key: key((i * 13) % 500), json: String(round) })
    }
    ops.push({ type: /** @type {'delete'} */ ('delete'), key: key(13) })
    await stack.driver.run(new WriteOperation(stack.engine, stack.engine.encodeOps(ops), 3000, false))
    const keys = [...new Set(ops.map((o) => o.key))]
    const read = await stack.driver.run(new ReadOperation(keys, (ks) => stack.engine.getMany(ks)))
    keys.forEach((k, n) => {
      if (k === key(13)) assert.equal(read[n].code, StatusCode.NOT_FOUND)
      else assert.equal(read[n].json, '4', k)
    })
  })
})

describe('ReadOperation', () => {
  /** A fake store: key -> page; resident pages; counts what is asked. */
  function fakeRead(pageOf, resident) {
    const asked = []
    const read = (keys) => {
      asked.push([...keys])
      return {
        answers: keys.map((k) => {
          const p = pageOf(k)
          if (p === null) return { code: StatusCode.NOT_FOUND }
          return resident.has(p) ? { code: 0, json: JSON.stringify(k) } : { code: StatusCode.NOT_RESIDENT, page: p }
        })
      }
    }
    return { asked, read }
  }

  test('asks every key first, then only the keys waiting on the pages just loaded', () => {
    const resident = new Set([1])
    const pageOf = (k) => (k === 'none' ? null : Number(k[1]))
    const { asked, read } = fakeRead(pageOf, resident)
    const keys = ['p1a', 'p2a', 'p3a', 'p2b', 'none', 'p1b', 'p3b']
    const op = new ReadOperation(keys, read)
    assert.deepEqual(op.step(null), { pages: [2, 3] })
    assert.equal(op.done, 3)
    resident.add(2)
    assert.deepEqual(op.step([2]), { pages: [3] })
    assert.deepEqual(asked[1], ['p2a', 'p2b'])
    // Loaded pages nobody waits on: no engine call.
    assert.deepEqual(op.step([7]), { pages: [3] })
    assert.equal(asked.length, 2)
    resident.add(3)
    assert.equal(op.step([3, 2]), null)
    assert.deepEqual(asked[2], ['p3a', 'p3b'])
    assert.equal(op.done, keys.length)
    assert.deepEqual(
      op.result.map((a) => a.code),
      [0, 0, 0, 0, StatusCode.NOT_FOUND, 0, 0]
    )
    assert.deepEqual(op.result[3], { code: 0, json: '"p2b"' })
  })

  test('keys the engine leaves for later (its answer was full: NOT_RESIDENT, page 0) are asked again at once, nothing loaded', () => {
    const asked = []
    // Answers at most two keys per call; the rest "ask again".
    const read = (keys) => {
      asked.push([...keys])
      return { answers: keys.map((k, i) => (i < 2 ? { code: 0, json: JSON.stringify(k) } : { code: StatusCode.NOT_RESIDENT, page: 0 })) }
    }
    const keys = ['a', 'b', 'c', 'd', 'e']
    const op = new ReadOperation(keys, read)
    assert.equal(op.step(null), null)
    assert.deepEqual(asked, [keys, ['c', 'd', 'e'], ['e']])
    assert.deepEqual(
      op.result.map((a) => a.json),
      keys.map((k) => JSON.stringify(k))
    )
  })

  test('a key whose page is evicted again waits again, on the page it names', () => {
    const resident = new Set()
    const { read } = fakeRead((k) => Number(k[1]), resident)
    const op = new ReadOperation(['p1', 'p2'], read)
    assert.deepEqual(op.step(null), { pages: [1, 2] })
    resident.add(2) // page 1 "loaded" but not resident
    assert.deepEqual(op.step([2, 1]), { pages: [1] })
    resident.add(1)
    assert.equal(op.step([1]), null)
    assert.equal(op.done, 2)
  })

  test('after a flush (loaded null) it asks nothing again', () => {
    const { asked, read } = fakeRead(() => 5, new Set())
    const op = new ReadOperation(['a'], read)
    op.step(null)
    assert.deepEqual(op.step(null), { pages: [5] })
    assert.equal(asked.length, 1)
  })

  test('no keys: done at once', () => {
    const { asked, read } = fakeRead(() => 1, new Set([1]))
    const op = new ReadOperation([], read)
    assert.equal(op.step(null), null)
    assert.deepEqual(asked, [])
  })

  test('real: thousands of keys across pages; each key re-asked only after its page loaded', async () => {
    const stack = realStack()
    await fill(stack, 2500)
    assert.equal(stack.engine.stats().residentPages, 0)
    const calls = []
    /** @type {Map<string, number>} key -> the page it last waited on */
    const waitingOn = new Map()
    let lastLoaded = null
    const read = (keys) => {
      const r = stack.engine.getMany(keys)
      calls.push(keys.length)
      keys.forEach((k, j) => {
        if (calls.length > 1) {
          assert.ok(waitingOn.has(k), `${k} asked again without waiting`)
          assert.ok(lastLoaded.includes(waitingOn.get(k)), `${k} asked again before its page loaded`)
        }
        const a = r.answers[j]
        if (a.code === StatusCode.NOT_RESIDENT) waitingOn.set(k, /** @type {number} */ (a.page))
        else waitingOn.delete(k)
      })
      return r
    }
    // Ask in an order that crosses pages back and forth.
    const keys = Array.from({ length: 2500 }, (_, i) => key((i * 7919) % 2500))
    keys.push('missing-key')
    const op = new ReadOperation(keys, read)
    const origStep = op.step.bind(op)
    op.step = (loaded) => {
      lastLoaded = loaded
      return origStep(loaded)
    }
    const answers = await stack.driver.run(op)
    assert.equal(answers.length, keys.length)
    keys.slice(0, -1).forEach((k, i) => assert.deepEqual(answers[i], { code: 0, json: JSON.stringify({ i: Number(k.slice(1)) }) }))
    assert.deepEqual(answers.at(-1), { code: StatusCode.NOT_FOUND })
    assert.equal(calls[0], keys.length)
    const reasked = calls.slice(1).reduce((a, b) => a + b, 0)
    assert.ok(reasked <= 2 * keys.length, `re-asked ${reasked} keys`)
    assert.equal(stack.errors.length, 0)
  })
})

describe('ScanOperation', () => {
  const rec = (k) => ({ key: k, hlc: '0000000000010000', origin: 'p', deleted: false, json: '1' })

  test('steps: records to onRecord, NOT_RESIDENT asks for the page and what a scan reads next', () => {
    const positions = []
    const answers = [
      { code: StatusCode.NOT_RESIDENT, missingPage: 4, resume: Uint8Array.of(1), records: [rec('a'), rec('b')] },
      { code: StatusCode.NOT_RESIDENT, missingPage: 3, resume: Uint8Array.of(2), records: [rec('c')] },
      { code: StatusCode.OK, missingPage: 0, resume: null, records: [rec('d')] }
    ]
    const engine = {
      scan(position) {
        positions.push([...position])
        return answers.shift()
      }
    }
    const seen = []
    const op = new ScanOperation(/** @type {any} */ (engine), Uint8Array.of(0), (r) => seen.push(r.key), { reverse: true })
    assert.deepEqual(op.step(), { pages: [4], ahead: { descending: true, most: Infinity } })
    assert.deepEqual(op.step(), { pages: [3], ahead: { descending: true, most: Infinity } })
    assert.equal(op.step(), null)
    assert.deepEqual(seen, ['a', 'b', 'c', 'd'])
    assert.deepEqual(positions, [[0], [1], [2]])
    assert.equal(op.done, 4)
  })

  test('an answer that was full (NOT_RESIDENT, page 0) scans on from resume at once, nothing loaded', () => {
    const answers = [
      { code: StatusCode.NOT_RESIDENT, missingPage: 0, resume: Uint8Array.of(1), records: [rec('a')] },
      { code: StatusCode.NOT_RESIDENT, missingPage: 0, resume: Uint8Array.of(2), records: [rec('b')] },
      { code: StatusCode.OK, missingPage: 0, resume: null, records: [rec('c')] }
    ]
    const positions = []
    const engine = {
      scan(position) {
        positions.push([...position])
        return answers.shift()
      }
    }
    const seen = []
    const op = new ScanOperation(/** @type {any} */ (engine), Uint8Array.of(0), (r) => seen.push(r.key), {})
    assert.equal(op.step(), null)
    assert.deepEqual(seen, ['a', 'b', 'c'])
    assert.deepEqual(positions, [[0], [1], [2]])
  })

  test('a limited scan near its end prefetches one page', () => {
    const records = (n) => Array.from({ length: n }, (_, i) => rec('k' + i))
    const answers = [
      { code: StatusCode.NOT_RESIDENT, missingPage: 1, resume: Uint8Array.of(1), records: records(30) },
      { code: StatusCode.NOT_RESIDENT, missingPage: 2, resume: Uint8Array.of(2), records: records(10) }
    ]
    const engine = { scan: () => answers.shift() }
    const op = new ScanOperation(/** @type {any} */ (engine), Uint8Array.of(0), () => {}, { limit: 100 })
    assert.deepEqual(op.step(), { pages: [1], ahead: { descending: false, most: Infinity } }) // 70 to go
    assert.deepEqual(op.step(), { pages: [2], ahead: { descending: false, most: 1 } }) // 60 to go
  })

  test('another error throws it as a PagingStorageError', () => {
    const engine = { scan: () => ({ code: StatusCode.CORRUPTION, message: 'page 3 failed to load', records: [] }) }
    const op = new ScanOperation(/** @type {any} */ (engine), Uint8Array.of(0), () => {}, {})
    assert.throws(() => op.step(), { code: 'CORRUPT', message: 'page 3 failed to load' })
  })

  test('real: forward, reverse and limited scans over paged-out pages', async () => {
    const stack = realStack()
    await fill(stack, 800)
    const all = Array.from({ length: 800 }, (_, i) => key(i))
    const scan = async (range) => {
      const keys = []
      const position = /** @type {Uint8Array} */ (stack.engine.scanStart(range))
      await stack.driver.run(new ScanOperation(stack.engine, position, (r) => keys.push(r.key), range))
      return keys
    }
    assert.deepEqual(await scan({}), all)
    assert.deepEqual(await scan({ reverse: true }), [...all].reverse())
    assert.deepEqual(await scan({ gte: key(100), limit: 150 }), all.slice(100, 250))
    assert.deepEqual(await scan({ lt: key(700), reverse: true, limit: 90 }), all.slice(610, 700).reverse())
    assert.ok(stack.pager.pageLoads > 0)
  })
})

describe('SyncScanOperation', () => {
  const digestPart = (count, digest) => ({ counts: new Array(SYNC_CHILDREN).fill(count), digests: new Array(SYNC_CHILDREN).fill(digest) })

  test('steps: merges partial answers across page loads; progress counts new resume keys', () => {
    const requests = []
    const answers = [
      { code: StatusCode.NOT_RESIDENT, missingPage: 8, resume: 'k5', answers: [digestPart(1, '0000000000000001'), { entries: [{ key: 'a' }] }] },
      { code: StatusCode.NOT_RESIDENT, missingPage: 8, resume: 'k5', answers: [digestPart(0, '0000000000000000'), { entries: [] }] },
      { code: StatusCode.OK, missingPage: 0, resume: '', answers: [digestPart(2, '8000000000000002'), { entries: [{ key: 'b' }] }] }
    ]
    const engine = {
      syncScan(ring, request) {
        requests.push({ ring, start: request.start, rf: request.rf, self: request.self, queries: request.queries.length })
        return answers.shift()
      }
    }
    const queries = [
      { peer: 1, bits: 0, prefix: 0, entries: false },
      { peer: 1, bits: 0, prefix: 0, entries: true }
    ]
    const ring = { fake: true }
    // A clock that stands still: no slice ends (the pauses are tested below).
    const op = new SyncScanOperation(/** @type {any} */ (engine), /** @type {any} */ (ring), { rf: 2, self: 0, queries }, () => 0)
    assert.deepEqual(op.step(), { pages: [8], ahead: { descending: false, most: Infinity } })
    assert.equal(op.done, 1)
    assert.deepEqual(op.step(), { pages: [8], ahead: { descending: false, most: Infinity } })
    assert.equal(op.done, 1, 'the same resume key is no progress')
    assert.equal(op.step(), null)
    assert.deepEqual(
      requests.map((r) => r.start),
      ['', 'k5', 'k5']
    )
    assert.ok(requests.every((r) => r.ring === ring && r.rf === 2 && r.self === 0 && r.queries === 2))
    const [digests, entries] = /** @type {any[]} */ (op.result)
    assert.deepEqual(digests.counts, new Array(SYNC_CHILDREN).fill(3))
    assert.deepEqual(digests.digests, new Array(SYNC_CHILDREN).fill('8000000000000003'))
    assert.deepEqual(entries.entries, [{ key: 'a' }, { key: 'b' }])
  })

  test('pauses once a slice has worked 10 ms, and when the engine ends a slice with no page to load (issue 16: a peer\'s request never holds the thread long)', () => {
    let clock = 0
    const answers = [
      { code: StatusCode.NOT_RESIDENT, missingPage: 8, resume: 'k1', answers: [] },
      { code: StatusCode.NOT_RESIDENT, missingPage: 0, resume: 'k2', answers: [] },
      { code: StatusCode.OK, missingPage: 0, resume: '', answers: [] }
    ]
    const engine = { syncScan: () => answers.shift() }
    const op = new SyncScanOperation(/** @type {any} */ (engine), /** @type {any} */ ({}), { rf: 1, self: 0, queries: [] }, () => clock)
    assert.deepEqual(op.step(), { pages: [8], ahead: { descending: false, most: Infinity } })
    clock = 11
    assert.deepEqual(op.step(), { pause: true }, 'past SLICE_MS')
    assert.equal(answers.length, 2, 'paused before asking the engine')
    assert.deepEqual(op.step(), { pause: true }, "the engine's slice ended")
    assert.equal(op.step(), null)
  })

  test('another error throws', () => {
    const engine = { syncScan: () => ({ code: StatusCode.INVALID_ARGUMENT, message: 'bits', answers: [] }) }
    const op = new SyncScanOperation(/** @type {any} */ (engine), /** @type {any} */ ({}), { rf: 1, self: 0, queries: [] }, () => 0)
    assert.throws(() => op.step(), { code: 'INVALID_ARGUMENT' })
  })

  test('real: over paged-out pages it counts every shared record', async () => {
    const stack = realStack()
    await fill(stack, 500)
    const ring = stack.engine.ring(['me', 'other'])
    try {
      const op = new SyncScanOperation(stack.engine, ring, { rf: 2, self: 0, queries: [{ peer: 1, bits: 0, prefix: 0, entries: true }] })
      const [answer] = /** @type {any[]} */ (await stack.driver.run(op))
      assert.deepEqual(
        answer.entries.map((e) => e.key),
        Array.from({ length: 500 }, (_, i) => key(i))
      )
      assert.ok(op.done > 0)
    } finally {
      ring.release()
    }
  })
})

describe('PurgeOperation', () => {
  test('steps: resumes from the key it stopped at; counts purged across stops', () => {
    const calls = []
    const answers = [
      { code: StatusCode.NOT_RESIDENT, purged: 3, resume: 'k5', missing: [4, 5] },
      { code: StatusCode.NOT_RESIDENT, purged: 0, resume: 'k5', missing: [5] },
      { code: StatusCode.OK, purged: 2, resume: '', missing: [] }
    ]
    const engine = {
      purgeTombstones(horizon, start, want) {
        calls.push({ horizon, start, want })
        return answers.shift()
      }
    }
    const op = new PurgeOperation(/** @type {any} */ (engine), 'h', 2)
    assert.deepEqual(op.step(), { pages: [4, 5] })
    assert.equal(op.done, 1, 'progress: tombstones purged')
    assert.deepEqual(op.step(), { pages: [5] })
    assert.equal(op.done, 1, 'no progress: same start, nothing purged')
    assert.equal(op.step(), null)
    assert.equal(op.result, 5)
    assert.deepEqual(calls, [
      { horizon: 'h', start: '', want: 2 },
      { horizon: 'h', start: 'k5', want: 2 },
      { horizon: 'h', start: 'k5', want: 2 }
    ])
  })

  test('another error throws it as a PagingStorageError', () => {
    const engine = { purgeTombstones: () => ({ code: StatusCode.INVALID_ARGUMENT, purged: 0, resume: '', missing: [], message: 'horizon' }) }
    assert.throws(() => new PurgeOperation(/** @type {any} */ (engine), 'h', 1).step(), { code: 'INVALID_ARGUMENT' })
  })

  test('real: with MergeOperation, a store whose keys were all deleted shrinks to one page', async () => {
    const stack = realStack()
    await fill(stack, 400)
    const { engine, driver, pager, backend } = stack
    const pagesBefore = engine.stats().pages
    const deletes = Array.from({ length: 400 }, (_, i) => ({ type: /** @type {'delete'} */ ('delete'), key: key(i) }))
    await driver.run(new WriteOperation(engine, engine.encodeOps(deletes), 5000, false))
    await pager.flush()
    assert.equal(engine.stats().tombstones, 400)
    assert.equal(await driver.run(new PurgeOperation(engine, hlcAtWallMs(5000), 1)), 0, 'young tombstones stay')
    assert.equal(await driver.run(new PurgeOperation(engine, hlcAtWallMs(5001), 1)), 400)
    await driver.run(new MergeOperation(engine))
    await pager.flush()
    assert.ok(pagesBefore > 20, `${pagesBefore} pages to begin with`)
    assert.equal(engine.stats().pages, 1)
    assert.equal((await backend.loadManifest())?.records.length, 1)
    assert.deepEqual(stack.errors, [])
  })
})

describe('MergeOperation', () => {
  test('asks for the pages the engine wants; stops when none, or when a load changed nothing', () => {
    const wanted = [[3, 4], [4], [4], [9]]
    const engine = { pagesWantedForMerges: () => wanted.shift() }
    const op = new MergeOperation(/** @type {any} */ (engine))
    assert.deepEqual(op.step(), { pages: [3, 4] })
    assert.deepEqual(op.step(), { pages: [4] })
    assert.equal(op.step(), null, 'the same pages again: the budget cannot hold the merge')
    assert.equal(op.done, 2)
    assert.equal(new MergeOperation(/** @type {any} */ ({ pagesWantedForMerges: () => [] })).step(), null)
  })
})
