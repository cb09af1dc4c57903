// LocalStore over the real engine and a MemoryBackend, with a tiny page
// budget so that every operation pages.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'

import { PagingStorageError, StatusCode } from '../../../../js/core/errors.js'
import { compareKeys } from '../../../../js/core/keys.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'
import { MemoryBackend } from '../../../../js/persistence/memory.js'
import { LocalStore } from '../../../../js/store/local-store.js'

const CONFIG = {
  peerId: 'me',
  pageSize: 256,
  splitThreshold: 204,
  mergeThreshold: 51,
  maxMemoryPages: 2,
  maxKeyBytes: 64,
  maxValueBytes: 1000,
  virtualNodes: 8,
  maxDiskPages: 1e6
}
const key = (i) => 'k' + String(i).padStart(5, '0')
const put = (k, value, replicate = true) => ({ type: /** @type {const} */ ('put'), key: k, json: JSON.stringify(value), replicate })
const del = (k) => ({ type: /** @type {const} */ ('delete'), key: k, replicate: true })

/** A MemoryBackend whose writes fail while `failWrites` is set. */
class FlakyBackend extends MemoryBackend {
  failWrites = false
  writes = 0
  async writeBatch(batch) {
    this.writes++
    if (this.failWrites) throw new PagingStorageError('IO_ERROR', 'disk unplugged')
    return super.writeBatch(batch)
  }
}

const open = []
async function newStore(config = {}, backend = new MemoryBackend()) {
  const store = new LocalStore({ ...CONFIG, ...config }, backend)
  open.push(store)
  await store.ready
  return store
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => {})
})

/** Fills a store with n keys, saved and paged out. */
async function filled(n, config = {}, backend = new MemoryBackend()) {
  const store = await newStore(config, backend)
  const results = await store.write(Array.from({ length: n }, (_, i) => put(key(i), { i })))
  assert.ok(results.every((r) => r.code === StatusCode.OK))
  await store.flush()
  await store.clearCache()
  return store
}

/** Patches a WasmEngine method for the length of fn. */
async function spying(method, spy, fn) {
  const original = WasmEngine.prototype[method]
  WasmEngine.prototype[method] = function (...args) {
    spy(...args)
    return original.apply(this, args)
  }
  try {
    return await fn()
  } finally {
    WasmEngine.prototype[method] = original
  }
}

describe('LocalStore reads', () => {
  test('thousands of keys across pages, in any order, in one read', async () => {
    const store = await filled(3000)
    assert.equal(store.engineStats().residentPages, 0)
    const keys = Array.from({ length: 3000 }, (_, i) => key((i * 7919) % 3000))
    keys.push('absent')
    let asked = 0
    const answers = await spying('getMany', (ks) => (asked += ks.length), () => store.read(keys))
    keys.slice(0, -1).forEach((k, i) => assert.deepEqual(answers[i], { code: 0, json: JSON.stringify({ i: Number(k.slice(1)) }) }))
    assert.deepEqual(answers.at(-1), { code: StatusCode.NOT_FOUND })
    // Every key once, then only those that waited on a page (here: all of
    // them, the cache was empty), once, when their page was loaded.
    assert.ok(asked >= keys.length && asked <= 2 * keys.length, `asked ${asked} keys for ${keys.length}`)
    assert.ok(store.counters.pageLoads > 0)
  })

  test('lookup gives records with versions, tombstones included', async () => {
    const store = await newStore()
    await store.write([put('a', 1), put('b', 2)])
    await store.write([del('b')])
    const [a, b, c] = await store.lookup(['a', 'b', 'c'])
    assert.equal(a.record?.origin, 'me')
    assert.equal(a.record?.json, '1')
    assert.match(/** @type {string} */ (a.record?.hlc), /^[0-9a-f]{16}$/)
    assert.equal(b.record?.deleted, true)
    assert.equal(b.record?.json, null)
    assert.ok(/** @type {string} */ (b.record?.hlc) > /** @type {string} */ (a.record?.hlc))
    assert.deepEqual(c, { code: StatusCode.NOT_FOUND })
  })

  test('a page that fails to load: its keys answer CORRUPTION, an error is reported, other keys read', async () => {
    const backend = new MemoryBackend()
    const store = await filled(300, {}, backend)
    const [victim] = store.listPages().filter((p) => p.lowerKey !== '')
    const readPages = backend.readPages.bind(backend)
    backend.readPages = async (ids) => {
      const found = await readPages(ids)
      if (found.has(victim.id)) found.set(victim.id, Uint8Array.of(1, 2, 3))
      return found
    }
    const errors = []
    store.on('error', (e) => errors.push(e))
    const answers = await store.read([victim.lowerKey, key(0)])
    assert.equal(answers[0].code, StatusCode.CORRUPTION)
    assert.equal(answers[1].code, StatusCode.OK)
    assert.equal(errors.length, 1)
    assert.equal(errors[0].code, 'CORRUPT')
    await assert.rejects(store.scan({}, () => {}), { code: 'CORRUPT' })
  })
})

describe('LocalStore scans equal a sorted-Map model', () => {
  test('forward, reverse, bounded and limited, after random writes and deletes', async () => {
    const store = await newStore()
    const model = new Map()
    let seed = 12345
    const rand = (n) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let round = 0; round < 6; round++) {
      const ops = []
      for (let j = 0; j < 400; j++) {
        const k = key(rand(1500)) + (rand(5) === 0 ? 'é' : '')
        if (rand(4) === 0) {
          ops.push(del(k))
          model.delete(k)
        } else {
          const v = { round, j, pad: 'x'.repeat(rand(40)) }
          ops.push(put(k, v))
          model.set(k, JSON.stringify(v))
        }
      }
      await store.write(ops)
      if (round % 2 === 1) await store.clearCache()
    }
    const sorted = [...model.keys()].sort(compareKeys)
    const scan = async (range) => {
      const out = []
      await store.scan(range, (r) => out.push([r.key, r.json]))
      return out
    }
    const expect = (keys) => keys.map((k) => [k, model.get(k)])
    assert.deepEqual(await scan({}), expect(sorted))
    assert.deepEqual(await scan({ reverse: true }), expect([...sorted].reverse()))
    const lo = key(300)
    const hi = key(900)
    const inRange = sorted.filter((k) => compareKeys(k, lo) >= 0 && compareKeys(k, hi) < 0)
    assert.deepEqual(await scan({ gte: lo, lt: hi }), expect(inRange))
    assert.deepEqual(await scan({ gte: lo, lt: hi, reverse: true, limit: 25 }), expect([...inRange].reverse().slice(0, 25)))
    assert.deepEqual(await scan({ gt: lo, limit: 70 }), expect(sorted.filter((k) => compareKeys(k, lo) > 0).slice(0, 70)))
    assert.deepEqual(await scan({ prefix: 'k0012' }), expect(sorted.filter((k) => k.startsWith('k0012'))))
    assert.deepEqual(await scan({ gte: 'z' }), [])
    assert.deepEqual(await scan({ gte: 'b', lt: 'a' }), [])
    assert.equal(store.checkInvariants().code, StatusCode.OK)
  })
})

describe("LocalStore 'applied' events", () => {
  test('carry records with versions while someone listens; none are decoded otherwise', async () => {
    const store = await newStore()
    const flags = []
    await spying('applyOps', (_ops, _from, _wall, withVersions) => flags.push(withVersions), async () => {
      await store.write([put('quiet', 0)])
      const events = []
      const off = store.on('applied', (applied) => events.push(applied))
      const results = await store.write([put('a', 1, false), put('quiet', 2), del('nobody'), del('a')])
      off()
      await store.write([put('quiet', 3)])
      assert.deepEqual(flags, [false, true, false])
      assert.equal(events.length, 1)
      const [applied] = events
      // The delete of a key that does not exist changed nothing: not announced.
      assert.deepEqual(
        applied.map((x) => [x.record.key, x.record.deleted, x.record.json, x.replicate, x.existed]),
        [
          ['a', false, '1', false, false],
          ['quiet', false, '2', true, true],
          ['a', true, null, true, true]
        ]
      )
      for (const [i, x] of applied.entries()) {
        assert.equal(x.record.origin, 'me')
        const r = results[[0, 1, 3][i]]
        assert.equal(x.record.hlc, r.hlc)
      }
    })
  })

  test('merges from peers: the version and the parsed value they came with; older merges are not announced', async () => {
    const store = await newStore()
    const events = []
    store.on('applied', (a) => events.push(...a))
    const value = { from: 'peer' }
    const merge = (hlc, json, v) => ({ type: /** @type {const} */ ('merge'), key: 'm', hlc, origin: 'peer-b', deleted: false, json, value: v, replicate: false })
    await store.write([merge('0000000000020000', JSON.stringify(value), value)])
    const older = await store.write([merge('0000000000010000', '"old"', 'old')])
    assert.equal(older[0].applied, false)
    assert.equal(events.length, 1)
    assert.deepEqual(events[0].record, { key: 'm', hlc: '0000000000020000', origin: 'peer-b', deleted: false, json: JSON.stringify(value), value })
    assert.equal(events[0].record.value, value)
    assert.equal(events[0].replicate, false)
  })

  test('a listener that throws does not fail the write', async () => {
    const store = await newStore()
    store.on('applied', () => {
      throw new Error('app bug')
    })
    const [r] = await store.write([put('a', 1)])
    assert.equal(r.code, StatusCode.OK)
  })
})

describe('LocalStore disk budget', () => {
  test('new values are refused with QUOTA when maxDiskPages is full; deletes still pass', async () => {
    const store = await newStore({ maxDiskPages: 4 })
    const events = []
    store.on('applied', (a) => events.push(...a))
    let i = 0
    let refused = null
    while (refused === null && i < 5000) {
      const [r] = await store.write([put(key(i++), { pad: 'p'.repeat(50) })])
      if (r.code !== StatusCode.OK) refused = r
    }
    assert.ok(refused, 'a write was refused')
    assert.equal(refused.code, StatusCode.QUOTA)
    assert.match(/** @type {string} */ (refused.message), /maxDiskPages/)
    assert.ok(store.engineStats().pages >= 4)
    const before = events.length
    const mixed = await store.write([put('new', 1), del(key(0)), put(key(1), 2)])
    assert.deepEqual(
      mixed.map((r) => r.code),
      [StatusCode.QUOTA, StatusCode.OK, StatusCode.QUOTA]
    )
    assert.equal(mixed[1].applied, true)
    assert.deepEqual(
      events.slice(before).map((e) => e.record.key),
      [key(0)]
    )
    assert.deepEqual(await store.read([key(1)]), [{ code: 0, json: JSON.stringify({ pad: 'p'.repeat(50) }) }])
  })

  test('regression: with purgeWhenFull, deleting makes room: set/delete pairs on a full budget are never refused', async () => {
    // Refused from pair 1,101 on with a 20-page budget at 2c00501: the
    // tombstones filled the budget.
    for (const purgeWhenFull of [true, false]) {
      const store = await newStore({ maxDiskPages: 6, purgeWhenFull })
      let refusedAt = -1
      for (let i = 0; i < 600 && refusedAt < 0; i++) {
        const [set] = await store.write([put(key(i), { pad: 'p'.repeat(40) })])
        const [gone] = await store.write([del(key(i))])
        if (set.code !== StatusCode.OK || gone.code !== StatusCode.OK) refusedAt = i
      }
      if (purgeWhenFull) {
        assert.equal(refusedAt, -1, 'never refused')
        assert.equal(store.engineStats().liveKeys, 0)
        assert.ok(store.engineStats().pages <= 6)
      } else {
        assert.ok(refusedAt > 0, 'without it the tombstones fill the budget')
      }
    }
  })

  test('a QUOTA_EXCEEDED save blocks new values until a save succeeds', async () => {
    const backend = new FlakyBackend()
    const store = await newStore({}, backend)
    await store.write([put('a', 1)])
    const quota = new PagingStorageError('QUOTA_EXCEEDED', 'full')
    backend.writeBatch = async () => {
      throw quota
    }
    await assert.rejects(store.flush(), (e) => e === quota)
    assert.equal(store.counters.quotaBlocked, true)
    const [refused, deleted] = await store.write([put('b', 2), del('a')])
    assert.equal(refused.code, StatusCode.QUOTA)
    assert.equal(deleted.code, StatusCode.OK)
    delete backend.writeBatch // the class method again
    await store.flush()
    assert.equal(store.counters.quotaBlocked, false)
    assert.equal((await store.write([put('b', 2)]))[0].code, StatusCode.OK)
  })

  test('regression: a QUOTA_EXCEEDED reported from above (a refused peer write) does not block new values', async () => {
    const store = await newStore()
    const errors = []
    store.on('error', (e) => errors.push(e))
    store.reportError(new PagingStorageError('QUOTA_EXCEEDED', 'the disk budget of 1 pages (maxDiskPages) is full'))
    assert.equal(errors.length, 1, 'still reported')
    assert.equal(store.counters.quotaBlocked, false, 'only a failed save says the quota is full')
    assert.equal((await store.write([put('b', 2)]))[0].code, StatusCode.OK)
  })
})

describe('LocalStore flush failures', () => {
  test('a failed flush keeps pages dirty, reports an error, and a later flush succeeds', async () => {
    const backend = new FlakyBackend()
    const store = await newStore({ maxMemoryPages: 1000 }, backend)
    const errors = []
    store.on('error', (e) => errors.push(e))
    await store.write(Array.from({ length: 50 }, (_, i) => put(key(i), i)))
    backend.failWrites = true
    await assert.rejects(store.flush(), { code: 'IO_ERROR' })
    assert.equal(errors.length, 1)
    assert.equal(errors[0].code, 'IO_ERROR')
    assert.ok(store.engineStats().dirtyPages > 0)
    assert.equal(backend.pageCount, 0)
    assert.equal(store.counters.flushes, 0)
    backend.failWrites = false
    await store.flush()
    assert.equal(store.engineStats().dirtyPages, 0)
    assert.ok(backend.pageCount > 0)
    assert.equal(store.counters.flushes, 1)
    // What was saved reads back in a new store on the same backend.
    await store.close()
    const again = await newStore({}, backend)
    const answers = await again.read([key(0), key(49)])
    assert.deepEqual(answers, [
      { code: 0, json: '0' },
      { code: 0, json: '49' }
    ])
  })

  test('a write that pages over budget while saves fail still succeeds; the error is reported', async () => {
    const backend = new FlakyBackend()
    const store = await newStore({}, backend)
    const errors = []
    store.on('error', (e) => errors.push(e))
    backend.failWrites = true
    const results = await store.write(Array.from({ length: 200 }, (_, i) => put(key(i), i)))
    assert.ok(results.every((r) => r.code === StatusCode.OK))
    assert.ok(errors.length > 0)
    assert.ok(store.engineStats().dirtyPages > 0)
    backend.failWrites = false
    await store.flush()
    assert.equal(store.engineStats().dirtyPages, 0)
  })
})

describe('LocalStore saves', () => {
  test('saveNow starts the backend write before it returns when the queue is idle', async () => {
    const backend = new FlakyBackend()
    const store = await newStore({ maxMemoryPages: 100 }, backend)
    await store.write([put('a', 1)])
    await new Promise((r) => setImmediate(r))
    const before = backend.writes
    store.saveNow()
    assert.equal(backend.writes, before + 1, 'writeBatch was called synchronously')
    await store.flush()
    assert.equal(store.engineStats().dirtyPages, 0)
  })

  test('saveNow while an operation waits on a page: queued behind it, not started', async () => {
    const backend = new FlakyBackend()
    const store = await filled(300, {}, backend)
    await store.write([put(key(0), 'dirty')]) // a dirty page to save
    let release = () => {}
    const gate = new Promise((r) => (release = r))
    const readPages = backend.readPages.bind(backend)
    backend.readPages = async (ids) => {
      await gate
      return readPages(ids)
    }
    const reading = store.read([key(250)])
    await new Promise((r) => setImmediate(r))
    const before = backend.writes
    store.saveNow()
    assert.equal(backend.writes, before, 'not started while the read holds the queue')
    release()
    await reading
    await store.lookup([key(0)]) // queued after the save
    assert.ok(backend.writes > before)
    assert.equal(store.engineStats().dirtyPages, 0)
  })

  test('saveNow with nothing dirty does nothing', async () => {
    const backend = new FlakyBackend()
    const store = await newStore({}, backend)
    await store.flush() // a new store's first page
    const saved = backend.writes
    await new Promise((r) => setImmediate(r))
    store.saveNow()
    store.saveSoon()
    await store.lookup(['a'])
    assert.equal(backend.writes, saved)
  })

  test('saveSoon queues one save, even when called many times', async () => {
    const backend = new FlakyBackend()
    const store = await newStore({ maxMemoryPages: 100 }, backend)
    await store.write([put('a', 1)])
    for (let i = 0; i < 5; i++) store.saveSoon()
    await store.lookup(['a']) // queued after the save
    assert.equal(backend.writes, 1)
    assert.equal(store.engineStats().dirtyPages, 0)
  })
})

describe('LocalStore lifecycle', () => {
  test('close() flushes; operations queued before complete, later ones reject CLOSED', async () => {
    const backend = new FlakyBackend()
    const store = new LocalStore(CONFIG, backend)
    const early = store.write([put('a', 1)])
    const closing = store.close()
    await assert.rejects(store.write([put('b', 2)]), { name: 'PagingStorageError', code: 'CLOSED' })
    await assert.rejects(store.read(['a']), { code: 'CLOSED' })
    await assert.rejects(store.lookup(['a']), { code: 'CLOSED' })
    await assert.rejects(store.scan({}, () => {}), { code: 'CLOSED' })
    assert.equal((await early)[0].code, StatusCode.OK)
    await closing
    assert.equal(store.isOpen, false)
    assert.equal(store.engineStats(), null)
    assert.deepEqual(store.listPages(), [])
    assert.equal(store.clock(), undefined)
    assert.ok(backend.pageCount > 0, 'saved on close')
  })

  test('open failure: ready rejects OPEN_FAILED with the cause; queued operations reject; close resolves', async () => {
    const backend = new MemoryBackend()
    const cause = new Error('manifest unreadable')
    backend.loadManifest = async () => {
      throw cause
    }
    const store = new LocalStore(CONFIG, backend)
    let opened = false
    store.onOpen(() => (opened = true))
    const queued = store.write([put('a', 1)])
    await assert.rejects(store.ready, (err) => err.code === 'OPEN_FAILED' && err.cause === cause)
    await assert.rejects(queued, { code: 'OPEN_FAILED' })
    await store.close()
    await assert.rejects(store.write([put('a', 1)]), { code: 'CLOSED' })
    assert.equal(opened, false)
  })

  test('a LOCKED error from beforeOpen is passed on as is', async () => {
    const locked = new PagingStorageError('LOCKED', 'held elsewhere')
    const store = new LocalStore(CONFIG, new MemoryBackend(), {
      beforeOpen: async () => {
        throw locked
      }
    })
    await assert.rejects(store.ready, (err) => err === locked)
  })

  test('onOpen runs once open, before queued operations; at once when already open', async () => {
    const store = new LocalStore(CONFIG, new MemoryBackend())
    open.push(store)
    const order = []
    store.onOpen(() => order.push('onOpen'))
    const w = store.write([put('a', 1)]).then(() => order.push('write'))
    await w
    assert.deepEqual(order, ['onOpen', 'write'])
    let now = false
    store.onOpen(() => (now = true))
    assert.equal(now, true)
  })

  test('counters, clock and the peer id', async () => {
    const store = await newStore()
    assert.equal(store.peerId, 'me')
    const c0 = store.clock()
    await store.write([put('a', 1)])
    assert.ok(/** @type {string} */ (store.clock()) > /** @type {string} */ (c0))
    assert.equal(store.clock(), store.engineStats().hlc)
    const c = store.counters
    assert.deepEqual(Object.keys(c).sort(), ['flushes', 'lastSave', 'pageLoads', 'queue', 'quotaBlocked'])
    assert.equal(c.queue, 0)
  })

  test('clearCache evicts the clean pages', async () => {
    const store = await newStore({ maxMemoryPages: 100 })
    await store.write(Array.from({ length: 100 }, (_, i) => put(key(i), i)))
    assert.equal(await store.clearCache(), 0, 'dirty pages stay')
    await store.flush()
    const resident = store.engineStats().residentPages
    assert.ok(resident > 1)
    assert.equal(await store.clearCache(), resident)
    assert.equal(store.engineStats().residentPages, 0)
  })
})

describe('LocalStore.syncScan', () => {
  test('answers by peer id over paged-out pages; holds the ring until done', async () => {
    const store = await filled(400)
    const ring = store.ring(['me', 'other'])
    const answers = await store.syncScan(ring, 2, [
      { peer: 'other', bits: 0, prefix: 0, entries: true },
      { peer: 'me', bits: 0, prefix: 0, entries: true },
      { peer: 'stranger', bits: 0, prefix: 0, entries: false }
    ])
    assert.equal(/** @type {any} */ (answers[0]).entries.length, 400)
    assert.deepEqual(/** @type {any} */ (answers[1]).entries, [], 'a query about self shares nothing')
    assert.equal(/** @type {any} */ (answers[2]).counts.reduce((a, b) => a + b, 0), 0)
    // The caller's reference is still there.
    assert.doesNotThrow(() => ring.shares(2))
    ring.release()
  })

  test('regression: a ring change during a scan does not reach it (the engine ring used to be swapped mid-scan)', async () => {
    const store = await filled(400)
    const members = ['me', 'other', 'third']
    const digests = [{ peer: 'other', bits: 0, prefix: 0, entries: false }]
    // The answer the scan must give: on a ring of these members throughout.
    const alone = store.ring(members)
    const expected = await store.syncScan(alone, 2, digests)
    alone.release()
    await store.clearCache() // so the next scan pages, awaiting loads between its steps
    // The membership changes while the scan is under way: the caller drops
    // its view of the old ring and makes one of new members.
    const before = store.ring(members)
    const scanning = store.syncScan(before, 2, digests)
    before.release()
    const after = store.ring(['me', 'other'])
    assert.deepEqual(await scanning, expected)
    // A scan on the new ring answers for the new ring: it differs.
    assert.notDeepEqual(await store.syncScan(after, 2, digests), expected)
    after.release()
  })
})

describe('regression: a page read once as corrupt stayed CORRUPT for the session after the backend healed', () => {
  test('the next operation reads it again; healed bytes clear the mark', async () => {
    const backend = new MemoryBackend()
    const store = await filled(400, {}, backend)
    const errors = []
    store.on('error', (e) => errors.push(e))
    let broken = true
    const read = backend.readPages.bind(backend)
    backend.readPages = async (ids) => {
      const found = await read(ids)
      if (broken) for (const id of ids) found.set(id, new Uint8Array([1, 2, 3]))
      return found
    }
    const [first] = await store.read([key(200)])
    assert.equal(first.code, StatusCode.CORRUPTION)
    assert.equal(errors.length > 0 && errors.every((e) => e.code === 'CORRUPT'), true)
    const [again] = await store.read([key(200)])
    assert.equal(again.code, StatusCode.CORRUPTION, 'still broken: still CORRUPT')
    broken = false
    const [healed] = await store.read([key(200)])
    assert.equal(healed.code, StatusCode.OK)
    assert.deepEqual(JSON.parse(/** @type {string} */ (healed.json)), { i: 200 })
    assert.equal(store.engineStats().corruptPages, 0)
  })
})
