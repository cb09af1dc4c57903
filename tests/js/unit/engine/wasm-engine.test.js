// WasmEngine over the real module, with a tiny page budget so that paging
// happens: pages flushed to a Map (a stand-in backend), evicted, loaded back.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { StatusCode } from '../../../../js/core/errors.js'
import { compareKeys } from '../../../../js/core/keys.js'
import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { loadModule } from '../../../../js/engine/load-module.js'
import { RingView } from '../../../../js/engine/ring.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'

const CONFIG = {
  peerId: 'local-peer',
  pageSize: 512,
  splitThreshold: 409,
  mergeThreshold: 102,
  maxMemoryPages: 2,
  maxKeyBytes: 64,
  maxValueBytes: 200,
  virtualNodes: 8
}
const key = (i) => 'k' + String(i).padStart(5, '0')
const value = (i) => JSON.stringify({ i, pad: 'v'.repeat(i % 7) })

let module
before(async () => {
  module = await loadModule()
})

/** A store on a Map: what a backend would keep. */
class Disk {
  pages = new Map()
  records = new Map()
  state = null

  /** Flushes the engine's dirty pages here. @param {WasmEngine} engine */
  flush(engine) {
    const batch = engine.collectFlush()
    for (const p of batch.pages) {
      this.pages.set(p.id, p.bytes)
      this.records.set(p.id, p.record)
    }
    for (const id of batch.deleted) {
      this.pages.delete(id)
      this.records.delete(id)
    }
    this.state = batch.state
    engine.commitFlush()
    return batch
  }

  manifest() {
    return { state: /** @type {Uint8Array} */ (this.state), records: [...this.records.values()] }
  }

  /** @param {WasmEngine} engine @param {number} id */
  load(engine, id) {
    const status = engine.loadPage(id, this.pages.get(id) ?? new Uint8Array(0))
    assert.equal(status.code, StatusCode.OK, status.message)
  }
}

/** Applies ops to the end, loading pages and flushing as needed. */
function applyAll(engine, disk, ops, wallMs = 1000, withVersions = false) {
  const enc = engine.encodeOps(ops)
  const results = []
  for (let from = 0; from < ops.length; ) {
    const r = engine.applyOps(enc, from, wallMs, withVersions)
    // Ops skipped for a missing page: load it, apply them, one page at a
    // time (the budget here is 2 pages).
    const pending = r.results.map((res, k) => ({ res, i: from + k }))
    while (pending.some((p) => p.res.code === StatusCode.NOT_RESIDENT)) {
      const waiting = pending.filter((p) => p.res.code === StatusCode.NOT_RESIDENT)
      disk.flush(engine)
      engine.evictAllClean()
      disk.load(engine, /** @type {number} */ (waiting[0].res.page))
      const again = engine.applyOpsAt(
        enc,
        waiting.map((p) => p.i),
        wallMs,
        withVersions
      )
      waiting.forEach((p, k) => (p.res = again.results[k]))
    }
    for (const p of pending) results[p.i] = p.res
    from += r.results.length
    if (engine.overBudget()) {
      disk.flush(engine)
      engine.evictAllClean()
    }
  }
  return results
}

/** Reads keys to the end, loading pages as needed. */
function readAll(engine, disk, keys, how = 'getMany') {
  const out = new Array(keys.length)
  let pending = keys.map((_, i) => i)
  for (let rounds = 0; pending.length > 0; rounds++) {
    assert.ok(rounds < 10000)
    const { answers } = engine[how](pending.map((i) => keys[i]))
    const next = []
    answers.forEach((a, j) => {
      if (a.code === StatusCode.NOT_RESIDENT) {
        next.push(pending[j])
        disk.load(engine, /** @type {number} */ (a.page))
      } else out[pending[j]] = a
    })
    pending = next
  }
  return out
}

/** A paged-out engine holding n keys, and its disk. */
function pagedOut(n, config = CONFIG) {
  const engine = new WasmEngine(module, config, null)
  const disk = new Disk()
  applyAll(engine, disk, Array.from({ length: n }, (_, i) => ({ type: 'put', key: key(i), json: value(i) })))
  disk.flush(engine)
  engine.evictAllClean()
  return { engine, disk }
}

describe('WasmEngine construction', () => {
  test('opens (not closed) until close()', () => {
    const e = new WasmEngine(module, CONFIG, null)
    assert.equal(e.closed, false)
    e.close()
    assert.equal(e.closed, true)
  })

  test('refused options: INVALID_ARGUMENT', () => {
    assert.throws(() => new WasmEngine(module, { ...CONFIG, pageSize: 100 }, null), { code: 'INVALID_ARGUMENT', message: /create/ })
    assert.throws(() => new WasmEngine(module, { ...CONFIG, mergeThreshold: 500 }, null), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => new WasmEngine(module, { ...CONFIG, maxMemoryPages: 0 }, null), { code: 'INVALID_ARGUMENT' })
  })

  test('a corrupt manifest: CORRUPT', () => {
    assert.throws(() => new WasmEngine(module, CONFIG, { state: Uint8Array.of(1, 2, 3), records: [] }), { code: 'CORRUPT', message: /open/ })
  })
})

describe('WasmEngine writes', () => {
  test('results per op: existed, applied, versions', () => {
    const e = new WasmEngine(module, CONFIG, null)
    const results = e.applyOps(
      e.encodeOps([
        { type: 'put', key: 'a', json: '1' },
        { type: 'put', key: 'a', json: '2' },
        { type: 'delete', key: 'a' },
        { type: 'delete', key: 'never' },
        { type: 'put', key: '', json: '1' },
        { type: 'put', key: 'big', json: 'x'.repeat(201) }
      ]),
      0,
      5000,
      true
    )
    const r = results.results
    assert.equal(r.length, 6)
    assert.deepEqual([r[0].existed, r[0].applied], [false, true])
    assert.deepEqual([r[1].existed, r[1].applied], [true, true])
    assert.deepEqual([r[2].existed, r[2].applied], [true, true])
    assert.deepEqual(r[3], { code: 0, existed: false, applied: false })
    assert.equal(r[4].code, StatusCode.INVALID_ARGUMENT)
    assert.match(/** @type {string} */ (r[4].message), /empty/)
    assert.equal(r[5].code, StatusCode.INVALID_ARGUMENT)
    for (const x of r.slice(0, 3)) {
      assert.equal(x.origin, 'local-peer')
      assert.ok(/** @type {string} */ (x.hlc) >= hlcAtWallMs(5000))
    }
    assert.ok(/** @type {string} */ (r[0].hlc) < /** @type {string} */ (r[1].hlc))
    assert.ok(/** @type {string} */ (r[1].hlc) < /** @type {string} */ (r[2].hlc))
    e.close()
  })

  test('withVersions false: no versions in the results', () => {
    const e = new WasmEngine(module, CONFIG, null)
    const r = e.applyOps(e.encodeOps([{ type: 'put', key: 'a', json: '1' }]), 0, 1000, false).results[0]
    assert.deepEqual(r, { code: 0, existed: false, applied: true })
    e.close()
  })

  test('at most 512 ops per call; from resumes', () => {
    const e = new WasmEngine(module, { ...CONFIG, maxMemoryPages: 100000 }, null)
    const ops = Array.from({ length: 1200 }, (_, i) => ({ type: /** @type {'put'} */ ('put'), key: key(i), json: '1' }))
    const enc = e.encodeOps(ops)
    const first = e.applyOps(enc, 0, 1000, false)
    assert.equal(first.results.length, 512)
    const second = e.applyOps(enc, 512, 1000, false)
    assert.equal(second.results.length, 512)
    const third = e.applyOps(enc, 1024, 1000, false)
    assert.equal(third.results.length, 1200 - 1024)
    assert.equal(e.stats().liveKeys, 1200)
    e.close()
  })

  test('an op whose page is not resident is skipped with its page; the batch goes on; applyOpsAt applies the skipped ones', () => {
    const { engine, disk } = pagedOut(200)
    assert.equal(engine.stats().residentPages, 0)
    const ops = [
      { type: /** @type {'put'} */ ('put'), key: key(150), json: '"new"' },
      { type: /** @type {'put'} */ ('put'), key: key(10), json: '"new"' },
      { type: /** @type {'put'} */ ('put'), key: key(150), json: '"newer"' }
    ]
    const enc = engine.encodeOps(ops)
    const r = engine.applyOps(enc, 0, 2000, false)
    assert.deepEqual(
      r.results.map((x) => x.code),
      [StatusCode.NOT_RESIDENT, StatusCode.NOT_RESIDENT, StatusCode.NOT_RESIDENT]
    )
    const [p150, p10] = [r.results[0].page, r.results[1].page]
    assert.equal(r.results[2].page, p150, "a later op on the same page waits on it too")
    assert.notEqual(p150, p10)
    const page = engine.listPages().find((p) => p.id === p150)
    assert.ok(page && !page.resident && compareKeys(page.lowerKey, key(150)) <= 0)
    disk.load(engine, /** @type {number} */ (p150))
    const again = engine.applyOpsAt(enc, [0, 1, 2], 2000, false)
    assert.deepEqual(again.results[0], { code: 0, existed: true, applied: true })
    assert.equal(again.results[1].code, StatusCode.NOT_RESIDENT)
    assert.deepEqual(again.results[2], { code: 0, existed: true, applied: true })
    disk.load(engine, /** @type {number} */ (p10))
    assert.deepEqual(engine.applyOpsAt(enc, [1], 2000, false).results, [{ code: 0, existed: true, applied: true }])
    assert.deepEqual(
      readAll(engine, disk, [key(150), key(10)]).map((a) => a.json),
      ['"newer"', '"new"']
    )
    engine.close()
  })

  test('a malformed batch throws INTERNAL; an empty one answers nothing', () => {
    const e = new WasmEngine(module, CONFIG, null)
    assert.throws(() => e.applyOps({ bytes: Uint8Array.of(7, 1, 0x61), offsets: [0, 3], count: 1 }, 0, 1, false), {
      code: 'INTERNAL',
      message: /batch rejected/
    })
    assert.deepEqual(e.applyOps(e.encodeOps([]), 0, 1, false).results, [])
    e.close()
  })
})

describe('WasmEngine reads', () => {
  test('getMany: values, NOT_FOUND, NOT_RESIDENT pages, bad keys', () => {
    const { engine, disk } = pagedOut(100)
    const { answers } = engine.getMany([key(1), key(99), 'missing', ''])
    assert.equal(answers.length, 4)
    assert.equal(answers[0].code, StatusCode.NOT_RESIDENT)
    assert.equal(typeof answers[0].page, 'number')
    assert.equal(answers[1].code, StatusCode.NOT_RESIDENT)
    assert.notEqual(answers[0].page, answers[1].page)
    assert.equal(answers[3].code, StatusCode.INVALID_ARGUMENT)
    const all = readAll(engine, disk, [key(1), key(99), 'missing', key(50)])
    assert.deepEqual(all[0], { code: 0, json: value(1) })
    assert.deepEqual(all[1], { code: 0, json: value(99) })
    assert.deepEqual(all[2], { code: StatusCode.NOT_FOUND })
    assert.deepEqual(all[3], { code: 0, json: value(50) })
    engine.close()
  })

  test('lookupMany: records with versions, tombstones included', () => {
    const engine = new WasmEngine(module, CONFIG, null)
    const disk = new Disk()
    applyAll(engine, disk, [
      { type: 'put', key: 'live', json: '"x"' },
      { type: 'put', key: 'gone', json: '"y"' },
      { type: 'merge', key: 'peer', hlc: '00000000ffff0001', origin: 'remote', deleted: false, json: '3' }
    ])
    applyAll(engine, disk, [{ type: 'delete', key: 'gone' }], 3000)
    const looked = readAll(engine, disk, ['live', 'gone', 'peer', 'none'], 'lookupMany')
    assert.deepEqual(looked[0].record && { ...looked[0].record, hlc: 'h' }, { key: 'live', hlc: 'h', origin: 'local-peer', deleted: false, json: '"x"' })
    assert.equal(looked[1].record?.deleted, true)
    assert.equal(looked[1].record?.json, null)
    assert.ok(/** @type {string} */ (looked[1].record?.hlc) >= hlcAtWallMs(3000))
    assert.deepEqual(looked[2].record, { key: 'peer', hlc: '00000000ffff0001', origin: 'remote', deleted: false, json: '3' })
    assert.deepEqual(looked[3], { code: StatusCode.NOT_FOUND })
    // getMany sees no tombstone.
    assert.deepEqual(readAll(engine, disk, ['gone'])[0], { code: StatusCode.NOT_FOUND })
    engine.close()
  })
})

describe('WasmEngine scans', () => {
  /** Scans to the end, loading pages; returns the keys and the stops. */
  function scanAll(engine, disk, range) {
    let position = engine.scanStart(range)
    if (position === null) return { keys: [], stops: 0 }
    const keys = []
    let stops = 0
    for (;;) {
      const r = engine.scan(position)
      keys.push(...r.records.map((x) => x.key))
      if (r.code === StatusCode.OK) return { keys, stops }
      assert.equal(r.code, StatusCode.NOT_RESIDENT)
      assert.ok(r.resume instanceof Uint8Array)
      disk.load(engine, r.missingPage)
      position = /** @type {Uint8Array} */ (r.resume)
      stops++
      assert.ok(stops < 10000)
    }
  }

  const N = 300
  const all = Array.from({ length: N }, (_, i) => key(i))

  test('forward: resumes after each page, every key once, in order', () => {
    const { engine, disk } = pagedOut(N)
    const { keys, stops } = scanAll(engine, disk, {})
    assert.deepEqual(keys, all)
    assert.ok(stops > 10)
    engine.close()
  })

  test('reverse', () => {
    const { engine, disk } = pagedOut(N)
    assert.deepEqual(scanAll(engine, disk, { reverse: true }).keys, [...all].reverse())
    engine.close()
  })

  test('bounded and limited, forward and reverse', () => {
    const { engine, disk } = pagedOut(N)
    assert.deepEqual(scanAll(engine, disk, { gte: key(37), lt: key(201) }).keys, all.slice(37, 201))
    assert.deepEqual(scanAll(engine, disk, { gt: key(37), limit: 45 }).keys, all.slice(38, 83))
    assert.deepEqual(scanAll(engine, disk, { lte: key(250), reverse: true, limit: 60 }).keys, all.slice(191, 251).reverse())
    assert.deepEqual(scanAll(engine, disk, { prefix: 'k0012' }).keys, all.slice(120, 130))
    engine.close()
  })

  test('scanStart of an empty range is null', () => {
    const e = new WasmEngine(module, CONFIG, null)
    assert.equal(e.scanStart({ gte: 'b', lt: 'a' }), null)
    e.close()
  })

  test('pagesAhead: non-resident pages from `first` in key order, descending, limited', () => {
    const { engine } = pagedOut(N)
    const ids = engine.listPages().map((p) => p.id)
    assert.ok(ids.length > 8)
    assert.deepEqual(engine.pagesAhead(ids[2], 4, false), ids.slice(2, 6))
    assert.deepEqual(engine.pagesAhead(ids[5], 3, true), [ids[5], ids[4], ids[3]])
    assert.deepEqual(engine.pagesAhead(ids[1], 100, true), [ids[1], ids[0]])
    assert.deepEqual(engine.pagesAhead(ids.at(-1), 10, false), [ids.at(-1)])
    assert.deepEqual(engine.pagesAhead(987654, 3, false), [])
    engine.close()
  })
})

describe('WasmEngine flush and reopen', () => {
  test('collectFlush / commitFlush, then a new engine on the manifest reads everything back', () => {
    const engine = new WasmEngine(module, CONFIG, null)
    const disk = new Disk()
    const model = new Map()
    const ops = []
    for (let i = 0; i < 400; i++) {
      ops.push({ type: 'put', key: key(i), json: value(i) })
      model.set(key(i), value(i))
    }
    applyAll(engine, disk, ops)
    // Delete most keys: pages merge away and must be deleted from disk.
    const dels = []
    for (let i = 0; i < 400; i++) {
      if (i % 5 !== 0) {
        dels.push({ type: 'delete', key: key(i) })
        model.delete(key(i))
      }
    }
    applyAll(engine, disk, dels, 2000)
    const before = engine.stats()
    assert.equal(engine.hasDirtyPages(), true)
    const batch = disk.flush(engine)
    assert.equal(engine.hasDirtyPages(), false)
    assert.ok(batch.state.length > 0)
    const clock = engine.clock()
    engine.close()

    const reopened = new WasmEngine(module, CONFIG, disk.manifest())
    assert.equal(reopened.stats().pages, before.pages)
    assert.equal(reopened.stats().liveKeys, before.liveKeys)
    assert.equal(reopened.stats().liveKeys, model.size)
    assert.equal(reopened.stats().residentPages, 0)
    assert.ok(reopened.clock() >= clock, 'the clock survives')
    const keys = Array.from({ length: 400 }, (_, i) => key(i))
    const answers = readAll(reopened, disk, keys)
    keys.forEach((k, i) => {
      if (model.has(k)) assert.deepEqual(answers[i], { code: 0, json: model.get(k) })
      else assert.deepEqual(answers[i], { code: StatusCode.NOT_FOUND })
    })
    assert.equal(reopened.checkInvariants().code, StatusCode.OK)
    reopened.close()
  })

  test('collectFlush without commitFlush leaves the pages dirty', () => {
    const engine = new WasmEngine(module, { ...CONFIG, maxMemoryPages: 100 }, null)
    engine.applyOps(engine.encodeOps([{ type: 'put', key: 'a', json: '1' }]), 0, 1000, false)
    const batch = engine.collectFlush()
    assert.equal(batch.pages.length, 1)
    assert.equal(engine.hasDirtyPages(), true)
    assert.equal(engine.evictAllClean(), 0, 'dirty pages are not evicted')
    engine.commitFlush()
    assert.equal(engine.hasDirtyPages(), false)
    assert.equal(engine.evictAllClean(), 1)
    assert.equal(engine.stats().residentPages, 0)
    engine.close()
  })

  test('flushFamilies / collectFlushOf: one family stored alone leaves a store that reopens', () => {
    const engine = new WasmEngine(module, { ...CONFIG, maxMemoryPages: 100 }, null)
    const disk = new Disk()
    applyAll(engine, disk, Array.from({ length: 60 }, (_, i) => ({ type: 'put', key: key(i), json: value(i) })))
    disk.flush(engine)
    assert.deepEqual(engine.flushFamilies(), [])
    // A change at each end: two families, the smaller (the one-key change) first.
    applyAll(engine, disk, [{ type: 'put', key: key(59), json: '"changed"' }], 2000)
    applyAll(engine, disk, Array.from({ length: 8 }, (_, i) => ({ type: 'put', key: key(0) + 'x' + i, json: '"' + 'g'.repeat(100) + '"' })), 2000)
    const families = engine.flushFamilies()
    assert.equal(families.length, 2)
    const full = engine.collectFlush()
    const one = engine.collectFlushOf([families[0]])
    assert.ok(one.pages.length >= 1 && one.pages.length < full.pages.length, `${one.pages.length} of ${full.pages.length}`)
    for (const p of one.pages) {
      disk.pages.set(p.id, p.bytes)
      disk.records.set(p.id, p.record)
    }
    disk.state = one.state
    engine.commitFlush()
    assert.deepEqual(engine.flushFamilies(), [families[1]])
    assert.deepEqual(engine.collectFlushOf([987654]).pages, [], 'an id that starts no family: nothing')
    const reopened = new WasmEngine(module, CONFIG, disk.manifest())
    const [changed, grown] = readAll(reopened, disk, [key(59), key(0) + 'x0'])
    assert.deepEqual(changed, { code: 0, json: '"changed"' })
    assert.deepEqual(grown, { code: StatusCode.NOT_FOUND }, 'the other family is not stored yet')
    assert.equal(reopened.checkInvariants().code, StatusCode.OK)
    reopened.close()
    engine.close()
  })

  test('over budget after many writes; back within it after flush and evict', () => {
    const engine = new WasmEngine(module, CONFIG, null)
    const r = engine.applyOps(
      engine.encodeOps(Array.from({ length: 100 }, (_, i) => ({ type: /** @type {'put'} */ ('put'), key: key(i), json: value(i) }))),
      0,
      1000,
      false
    )
    assert.equal(r.overBudget, true)
    assert.equal(engine.overBudget(), true)
    assert.ok(r.pages > CONFIG.maxMemoryPages)
    assert.equal(r.pages, engine.stats().pages)
    new Disk().flush(engine)
    engine.evictAllClean()
    assert.equal(engine.overBudget(), false)
    engine.close()
  })

  test('a page that fails to load is CORRUPTION, and its keys answer CORRUPTION', () => {
    const { engine } = pagedOut(100)
    const { answers } = engine.getMany([key(40)])
    const page = /** @type {number} */ (answers[0].page)
    assert.equal(engine.loadPage(page, Uint8Array.of(1, 2, 3)).code, StatusCode.CORRUPTION)
    assert.equal(engine.getMany([key(40)]).answers[0].code, StatusCode.CORRUPTION)
    assert.equal(engine.listPages().find((p) => p.id === page)?.corrupt, true)
    assert.equal(engine.stats().corruptPages, 1)
    engine.close()
  })
})

describe('WasmEngine clock, stats, ring', () => {
  test('clock() advances with writes and equals stats().hlc', () => {
    const engine = new WasmEngine(module, { ...CONFIG, maxMemoryPages: 100 }, null)
    assert.equal(engine.clock(), engine.stats().hlc)
    const c0 = engine.clock()
    engine.applyOps(engine.encodeOps([{ type: 'put', key: 'a', json: '1' }]), 0, 10000, false)
    const c1 = engine.clock()
    assert.ok(c1 > c0)
    assert.ok(c1 >= hlcAtWallMs(10000))
    assert.equal(c1, engine.stats().hlc)
    // Same wall clock: the logical counter moves it on.
    engine.applyOps(engine.encodeOps([{ type: 'put', key: 'b', json: '1' }]), 0, 10000, false)
    const c2 = engine.clock()
    assert.ok(c2 > c1)
    assert.equal(c2, engine.stats().hlc)
    // A version seen from a peer raises it.
    engine.applyOps(engine.encodeOps([{ type: 'merge', key: 'c', hlc: '0000100000000005', origin: 'far', deleted: false, json: '1' }]), 0, 10000, false)
    assert.ok(engine.clock() >= '0000100000000005')
    assert.equal(engine.clock(), engine.stats().hlc)
    engine.close()
  })

  test('stats and listPages describe the store', () => {
    const { engine } = pagedOut(150)
    const s = engine.stats()
    assert.equal(s.liveKeys, 150)
    assert.equal(s.residentPages, 0)
    assert.equal(s.dirtyPages, 0)
    assert.equal(s.maxMemoryPages, CONFIG.maxMemoryPages)
    const pages = engine.listPages()
    assert.equal(pages.length, s.pages)
    assert.equal(pages.reduce((a, p) => a + p.keyCount, 0), 150)
    assert.equal(pages[0].lowerKey, '')
    for (let i = 1; i < pages.length; i++) assert.ok(compareKeys(pages[i - 1].lowerKey, pages[i].lowerKey) < 0)
    engine.close()
  })

  test('ring() uses the configured virtualNodes', () => {
    const engine = new WasmEngine(module, { ...CONFIG, virtualNodes: 5 }, null)
    const members = ['a', 'b', 'c', 'd']
    const mine = engine.ring(members)
    const same = new RingView(module, members, 5)
    const keys = Array.from({ length: 200 }, (_, i) => `x${i}`)
    assert.deepEqual(mine.replicasFor(keys, 2), same.replicasFor(keys, 2))
    assert.deepEqual(mine.shares(2), same.shares(2))
    mine.release()
    same.release()
    engine.close()
  })
})

describe('WasmEngine tombstone purge and merges', () => {
  /** Purges to the end, loading what it names. @returns {number} purged */
  function purgeAll(engine, disk, horizon) {
    let start = ''
    let purged = 0
    for (let rounds = 0; ; rounds++) {
      assert.ok(rounds < 10000)
      const r = engine.purgeTombstones(horizon, start, 2)
      purged += r.purged
      if (r.code === StatusCode.OK) return purged
      assert.equal(r.code, StatusCode.NOT_RESIDENT, r.message)
      assert.ok(r.missing.length >= 1 && r.missing.length <= 2)
      // Room first: evicting after the loads would evict what was asked for.
      disk.flush(engine)
      engine.evictAllClean()
      for (const id of r.missing) disk.load(engine, id)
      start = r.resume
    }
  }

  test('purgeTombstones removes only tombstones stamped before the horizon, page by page', () => {
    const { engine, disk } = pagedOut(200)
    const deletes = Array.from({ length: 150 }, (_, i) => ({ type: /** @type {'delete'} */ ('delete'), key: key(i) }))
    applyAll(engine, disk, deletes, 5000)
    disk.flush(engine)
    engine.evictAllClean()
    assert.equal(engine.stats().tombstones, 150)
    assert.equal(purgeAll(engine, disk, hlcAtWallMs(5000)), 0, 'not before the horizon: kept')
    assert.equal(engine.stats().tombstones, 150)
    assert.equal(purgeAll(engine, disk, hlcAtWallMs(5001)), 150)
    assert.equal(engine.stats().tombstones, 0)
    assert.equal(engine.stats().liveKeys, 50)
    const kept = readAll(engine, disk, [key(149), key(150), key(199)])
    assert.deepEqual(kept.map((a) => a.code), [StatusCode.NOT_FOUND, StatusCode.OK, StatusCode.OK])
    engine.close()
  })

  test('pagesWantedForMerges names the neighbours that shrunk pages wait for; loading them merges', () => {
    const { engine, disk } = pagedOut(300)
    const before = engine.stats().pages
    const deletes = Array.from({ length: 300 }, (_, i) => ({ type: /** @type {'delete'} */ ('delete'), key: key(i) }))
    applyAll(engine, disk, deletes, 5000)
    purgeAll(engine, disk, hlcAtWallMs(6000))
    for (let rounds = 0; ; rounds++) {
      assert.ok(rounds < 1000)
      const wanted = engine.pagesWantedForMerges()
      if (wanted.length === 0) break
      // The resident half stays: a merge happens when the other half loads.
      for (const id of wanted) disk.load(engine, id)
      disk.flush(engine)
      engine.evictAllClean()
    }
    disk.flush(engine)
    const after = engine.stats()
    assert.ok(before > 20, `${before} pages to begin with`)
    assert.equal(after.pages, 1, 'an empty store is one page')
    assert.equal(disk.pages.size, 1, 'and the disk holds one page')
    engine.close()
  })
})

describe('WasmEngine forget and user data', () => {
  test('forget removes exactly the version named, live or tombstone, leaving no tombstone', () => {
    const engine = new WasmEngine(module, CONFIG, null)
    const put = (k) => engine.applyOps(engine.encodeOps([{ type: 'put', key: k, json: '1' }]), 0, 1000, true).results[0]
    const a = put('a')
    put('b')
    const tomb = engine.applyOps(engine.encodeOps([{ type: 'delete', key: 'b' }]), 0, 2000, true).results[0]
    const ops = [
      { type: /** @type {'forget'} */ ('forget'), key: 'a', hlc: /** @type {string} */ (a.hlc), origin: 'someone-else' },
      { type: /** @type {'forget'} */ ('forget'), key: 'a', hlc: /** @type {string} */ (a.hlc), origin: CONFIG.peerId },
      { type: /** @type {'forget'} */ ('forget'), key: 'b', hlc: /** @type {string} */ (tomb.hlc), origin: CONFIG.peerId }
    ]
    const r = engine.applyOps(engine.encodeOps(ops), 0, 3000, false)
    assert.deepEqual(r.results, [
      { code: 0, existed: true, applied: false },
      { code: 0, existed: true, applied: true },
      { code: 0, existed: false, applied: true }
    ])
    assert.deepEqual(engine.lookupMany(['a', 'b']).answers.map((x) => x.code), [StatusCode.NOT_FOUND, StatusCode.NOT_FOUND])
    assert.equal(engine.stats().tombstones, 0)
    engine.close()
  })

  test('user data is saved by the next flush and restored with the manifest', () => {
    const engine = new WasmEngine(module, CONFIG, null)
    const disk = new Disk()
    disk.flush(engine)
    assert.equal(engine.userData(), '')
    assert.equal(engine.hasDirtyPages(), false)
    engine.setUserData('{"since":1,"last":2,"é":true}')
    assert.equal(engine.hasDirtyPages(), true)
    disk.flush(engine)
    assert.equal(engine.hasDirtyPages(), false)
    assert.throws(() => engine.setUserData('x'.repeat(1025)), { code: 'INVALID_ARGUMENT' })
    const again = new WasmEngine(module, CONFIG, disk.manifest())
    assert.equal(again.userData(), '{"since":1,"last":2,"é":true}')
    engine.close()
    again.close()
  })
})

describe('WasmEngine close', () => {
  test('every call after close() throws CLOSED; close twice is harmless', () => {
    const engine = new WasmEngine(module, CONFIG, null)
    const enc = engine.encodeOps([{ type: 'put', key: 'a', json: '1' }])
    engine.close()
    assert.equal(engine.closed, true)
    assert.doesNotThrow(() => engine.close())
    const calls = [
      () => engine.applyOps(enc, 0, 1, false),
      () => engine.getMany(['a']),
      () => engine.lookupMany(['a']),
      () => engine.scan(/** @type {Uint8Array} */ (engine.scanStart({}))),
      () => engine.pagesAhead(1, 1, false),
      () => engine.loadPage(1, new Uint8Array(0)),
      () => engine.collectFlush(),
      () => engine.commitFlush(),
      () => engine.evictAllClean(),
      () => engine.overBudget(),
      () => engine.hasDirtyPages(),
      () => engine.clock(),
      () => engine.stats(),
      () => engine.listPages(),
      () => engine.checkInvariants()
    ]
    for (const call of calls) assert.throws(call, { name: 'PagingStorageError', code: 'CLOSED' }, call.toString())
  })
})
