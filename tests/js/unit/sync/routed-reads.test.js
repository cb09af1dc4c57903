import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { StatusCode } from '../../../../js/core/errors.js'
import { RemoteCache } from '../../../../js/sync/remote-cache.js'
import { RoutedReads } from '../../../../js/sync/routed-reads.js'
import { fakeContext, fakeRing, flush, hlc, rec, state } from './fakes.js'

const TIMEOUT = 1000
const GRACE = 25

function setup({ maxCachePages = 100, ...over } = {}) {
  const f = fakeContext(over)
  const cache = new RemoteCache({ maxCachePages, pageSize: 4096, backend: null, limits: { maxKeyBytes: 1024, maxValueBytes: 1 << 20 } })
  const reads = new RoutedReads(f.ctx, { readTimeout: TIMEOUT, cache })
  /** The 'get' messages sent so far. */
  const gets = () => f.sent.filter((s) => s.msg.t === 'get')
  /** Answers the latest 'get' to peer with these records. */
  const answer = (peer, records) => {
    const g = gets().filter((s) => s.peer === peer).at(-1)
    assert.ok(g, `no get to ${peer}`)
    reads.onGot(peer, { id: g.msg.id, records })
  }
  return { ...f, reads, gets, answer }
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

describe('lookup', () => {
  test('asks each replica but self once, for all its keys', () => {
    const { reads, gets } = setup()
    reads.lookup(['a', 'b'], [['A', 'B', 'C'], ['B', 'D']])
    assert.deepEqual(
      gets().map((s) => [s.peer, s.msg.keys]),
      [
        ['B', ['a', 'b']],
        ['C', ['a']],
        ['D', ['b']]
      ]
    )
    assert.equal(new Set(gets().map((s) => s.msg.id)).size, 3, 'one id per question')
  })

  test('a question names at most KEYS_PER_REQUEST (500) keys: more are asked in parts', () => {
    const { reads, gets } = setup()
    const keys = Array.from({ length: 1201 }, (_, i) => `k${i}`)
    reads.lookup(keys, keys.map(() => ['B']))
    assert.deepEqual(gets().map((s) => s.msg.keys.length), [500, 500, 201])
  })

  test('an answer covering only the first keys (the reply budget ran out) asks again for the rest at once', async () => {
    const { reads, gets } = setup()
    const p = reads.lookup(['a', 'b', 'c'], [['B'], ['B'], ['B']])
    const ra = rec('a', hlc(1))
    reads.onGot('B', { id: gets()[0].msg.id, records: [ra], covered: 1 })
    assert.deepEqual(gets().map((s) => s.msg.keys), [['a', 'b', 'c'], ['b', 'c']])
    assert.equal(await state(p), 'pending')
    const rc = rec('c', hlc(2))
    reads.onGot('B', { id: gets()[1].msg.id, records: [rc] })
    assert.deepEqual(await p, { records: [ra, null, rc], answered: [true, true, true] })
  })

  test('settles once every replica answered, without waiting for any timer', async () => {
    const { reads, answer } = setup()
    const p = reads.lookup(['a', 'b'], [['B', 'C'], ['B', 'C']])
    const ra = rec('a', hlc(1))
    answer('B', [ra])
    assert.equal(await state(p), 'pending', 'b is found nowhere yet: wait for C')
    answer('C', [])
    assert.equal(await state(p), 'resolved')
    assert.deepEqual(await p, { records: [ra, null], answered: [true, true] })
  })

  test('when only some replicas answered, settles after the grace period', async () => {
    const { reads, answer } = setup()
    const p = reads.lookup(['a'], [['B', 'C']])
    const ra = rec('a', hlc(1))
    answer('B', [ra])
    mock.timers.tick(GRACE - 1)
    assert.equal(await state(p), 'pending')
    mock.timers.tick(1)
    assert.equal(await state(p), 'resolved')
    assert.deepEqual(await p, { records: [ra], answered: [true] })
  })

  test('an answer without the key starts no grace period', async () => {
    const { reads, answer } = setup()
    const p = reads.lookup(['a'], [['B', 'C']])
    answer('B', [])
    mock.timers.tick(TIMEOUT - 1)
    assert.equal(await state(p), 'pending')
    mock.timers.tick(1)
    assert.deepEqual(await p, { records: [null], answered: [true] })
  })

  test('peers that did not answer are asked again at each quarter of readTimeout', async () => {
    const { reads, gets, answer } = setup()
    const p = reads.lookup(['a'], [['B', 'C']])
    answer('B', [])
    assert.equal(gets().length, 2)
    mock.timers.tick(TIMEOUT / 4 - 1)
    assert.equal(gets().length, 2)
    mock.timers.tick(1)
    assert.deepEqual(gets().slice(2).map((s) => [s.peer, s.msg.keys]), [['C', ['a']]], 'B answered: only C again')
    mock.timers.tick(TIMEOUT / 4)
    mock.timers.tick(TIMEOUT / 4)
    assert.deepEqual(gets().map((s) => s.peer), ['B', 'C', 'C', 'C', 'C'])
    assert.equal(new Set(gets().map((s) => s.msg.id)).size, 5)
    // The answer to a repeated question counts.
    answer('C', [])
    assert.equal(await state(p), 'resolved')
    mock.timers.tick(TIMEOUT)
    assert.equal(gets().length, 5, 'nothing is asked after the read settled')
  })

  test('an answer to an earlier copy of the question counts too', async () => {
    const { reads, gets } = setup()
    const p = reads.lookup(['a'], [['B']])
    mock.timers.tick(TIMEOUT / 4)
    const [first, second] = gets()
    assert.equal(second.peer, 'B')
    reads.onGot('B', { id: first.msg.id, records: [] })
    assert.equal(await state(p), 'resolved')
  })

  test('returns the newest version among the answers', async () => {
    const { reads, answer } = setup({ ringView: fakeRing(['A', 'B', 'C', 'D']) })
    const p = reads.lookup(['a', 'b'], [['B', 'C', 'D'], ['B', 'C', 'D']])
    answer('B', [rec('a', hlc(5), 'P', '"b"'), rec('b', hlc(3), 'Q', '"b"')])
    answer('C', [rec('a', hlc(7), 'P', '"c"'), rec('b', hlc(3), 'P', '"c"')])
    answer('D', [rec('a', hlc(6), 'Z', '"d"'), rec('b', hlc(3), 'R', null)])
    const { records } = await p
    assert.deepEqual(records, [rec('a', hlc(7), 'P', '"c"'), rec('b', hlc(3), 'R', null)])
  })

  test('nobody answers: answered=false and the last remote answer remembered', async () => {
    const { reads, answer } = setup()
    const ra = { ...rec('a', hlc(1), 'P', '{"x":1}'), value: { x: 1 } }
    const first = reads.lookup(['a', 'b'], [['B'], ['B']])
    answer('B', [ra])
    await first
    const p = reads.lookup(['a', 'b'], [['B'], ['B']])
    mock.timers.tick(TIMEOUT - 1)
    assert.equal(await state(p), 'pending')
    mock.timers.tick(1)
    const { records, answered } = await p
    assert.deepEqual(answered, [false, false])
    assert.deepEqual(records, [rec('a', hlc(1), 'P', '{"x":1}'), null], 'the remembered record, without its value')
  })

  test('a replica that answers "not stored" is believed over the memory', async () => {
    const { reads, answer } = setup()
    const first = reads.lookup(['a'], [['B']])
    answer('B', [rec('a', hlc(1))])
    await first
    const p = reads.lookup(['a'], [['B']])
    answer('B', [])
    assert.deepEqual(await p, { records: [null], answered: [true] })
  })

  test('the answers remembered are bounded by the remote cache (maxCachePages), least recently answered dropped first', async () => {
    // One page of 4096 bytes: 58 records of 70 bytes (key, value, 64 for the version).
    const { reads, answer } = setup({ maxCachePages: 1 })
    const keys = Array.from({ length: 59 }, (_, i) => `k${String(i).padStart(4, '0')}`)
    const first = reads.lookup(keys, keys.map(() => ['B']))
    answer('B', keys.map((k) => rec(k, hlc(1))))
    await first
    const p = reads.lookup(['k0000', 'k0001', 'k0058'], [['B'], ['B'], ['B']])
    mock.timers.tick(TIMEOUT)
    assert.deepEqual((await p).records, [null, rec('k0001', hlc(1)), rec('k0058', hlc(1))])
  })

  test("a 'got' from the wrong peer, or with an unknown id, is ignored", async () => {
    const { reads, gets } = setup()
    const p = reads.lookup(['a'], [['B']])
    const id = gets()[0].msg.id
    reads.onGot('C', { id, records: [rec('a', hlc(9), 'evil')] })
    reads.onGot('B', { id: id + 1000, records: [rec('a', hlc(9), 'evil')] })
    assert.equal(await state(p), 'pending')
    reads.onGot('B', { id, records: [rec('a', hlc(1))] })
    assert.deepEqual(await p, { records: [rec('a', hlc(1))], answered: [true] })
    // Once answered, the id is spent.
    reads.onGot('B', { id, records: [] })
  })

  test('answers for keys not asked of that peer are ignored', async () => {
    const { reads, answer } = setup()
    const p = reads.lookup(['a', 'b'], [['B'], ['C']])
    answer('B', [rec('a', hlc(1)), rec('b', hlc(9), 'evil')])
    answer('C', [])
    assert.deepEqual(await p, { records: [rec('a', hlc(1)), null], answered: [true, true] })
  })

  test('a key replicated by self alone asks nobody', async () => {
    const { reads, sent } = setup()
    assert.deepEqual(await reads.lookup(['a'], [['A']]), { records: [null], answered: [false] })
    assert.deepEqual(sent, [])
  })

  test('close() settles reads in progress, and later ones ask nobody', async () => {
    const { reads, answer, sent } = setup()
    const first = reads.lookup(['a'], [['B']])
    answer('B', [rec('a', hlc(1))])
    await first
    const p = reads.lookup(['a', 'b'], [['B'], ['C']])
    const q = reads.lookup(['b'], [['C']])
    reads.close()
    assert.equal(await state(p), 'resolved')
    assert.equal(await state(q), 'resolved')
    assert.deepEqual((await p).answered, [false, false])
    const n = sent.length
    assert.deepEqual(await reads.lookup(['a'], [['B']]), { records: [rec('a', hlc(1))], answered: [false] })
    assert.equal(sent.length, n)
  })
})

describe('read', () => {
  const OK = StatusCode.OK
  const NF = StatusCode.NOT_FOUND
  /** The read as ReplicatedStore makes it: with the local store's answers. */
  const read = async (f, keys) => f.reads.read(keys, await f.ctx.localLookup(keys))
  /** A local lookup answer for r (a record or null). */
  const local = (r) => (r ? { code: OK, json: r.json ?? undefined, record: r } : { code: NF })

  /** A reads over ring A, B, C where a key's replicas come from table. */
  function readSetup(localRecords, table) {
    const f = setup({
      ringView: fakeRing(['A', 'B', 'C'], table),
      localLookup: async (keys) => keys.map((k) => localRecords[k] ?? { code: NF })
    })
    return f
  }

  test('a single-member ring reads locally', async () => {
    const f = setup({ ringView: fakeRing(['A']), localLookup: async () => [local(rec('a', hlc(1), 'P', '"x"'))] })
    assert.deepEqual(await read(f, ['a']), [{ code: OK, json: '"x"' }])
    assert.deepEqual(f.sent, [])
  })

  test('a key this peer replicates and holds is read here', async () => {
    const f = readSetup({ a: local(rec('a', hlc(1), 'P', '"here"')) }, { a: ['A', 'B'] })
    assert.deepEqual(await read(f, ['a']), [{ code: OK, json: '"here"' }])
    assert.deepEqual(f.sent, [])
  })

  test('other keys are asked of their replicas; the newest wins, no repair', async () => {
    const f = readSetup({ a: local(rec('a', hlc(1), 'P', '"stale"')), b: local(rec('b', hlc(9), 'P', '"mine is newer"')) }, { a: ['B', 'C'], b: ['B', 'C'], c: ['B', 'C'] })
    const p = read(f, ['a', 'b', 'c'])
    await flush()
    assert.deepEqual(f.gets().map((s) => [s.peer, s.msg.keys]), [['B', ['a', 'b', 'c']], ['C', ['a', 'b', 'c']]])
    f.answer('B', [rec('a', hlc(2), 'P', '"remote"'), rec('b', hlc(2), 'P', '"older"')])
    f.answer('C', [rec('c', hlc(1), 'P', null)])
    assert.deepEqual(await p, [{ code: OK, json: '"remote"' }, { code: OK, json: '"mine is newer"' }, { code: NF }])
    assert.deepEqual(f.merged, [], 'this peer replicates none of them')
  })

  test('a newer answer for a key this peer replicates is merged (read repair)', async () => {
    const f = readSetup({}, { a: ['A', 'B'], b: ['B', 'A'] })
    const p = read(f, ['a', 'b'])
    await flush()
    assert.deepEqual(f.gets().map((s) => [s.peer, s.msg.keys]), [['B', ['a', 'b']]])
    const ra = rec('a', hlc(3), 'P', '"a"')
    const rb = rec('b', hlc(4), 'P', null)
    f.answer('B', [ra, rb])
    assert.deepEqual(await p, [{ code: OK, json: '"a"' }, { code: NF }], 'a tombstone reads NOT_FOUND')
    assert.deepEqual(f.merged, [[ra, rb]])
  })

  test('a failed repair is reported, and the read still answers', async () => {
    const f = readSetup({}, { a: ['A', 'B'] })
    f.ctx.merge = async () => {
      throw new Error('disk full')
    }
    const p = read(f, ['a'])
    await flush()
    f.answer('B', [rec('a', hlc(3), 'P', '"a"')])
    assert.deepEqual(await p, [{ code: OK, json: '"a"' }])
    await flush()
    assert.deepEqual(f.errors.map((e) => e.message), ['disk full'])
  })

  test('a local error stays unless a replica answers', async () => {
    const err = { code: StatusCode.CORRUPTION, message: 'page failed' }
    const f = readSetup({ a: err, b: err }, { a: ['B'], b: ['B'] })
    const p = read(f, ['a', 'b'])
    await flush()
    f.answer('B', [rec('a', hlc(1), 'P', '1')])
    assert.deepEqual(await p, [{ code: OK, json: '1' }, err])
  })

  test('when nobody answers, the local copy is returned', async () => {
    const f = readSetup({ a: local(rec('a', hlc(1), 'P', '"local"')) }, { a: ['B', 'C'] })
    const p = read(f, ['a', 'b'])
    await flush()
    mock.timers.tick(TIMEOUT)
    assert.deepEqual(await p, [{ code: OK, json: '"local"' }, { code: NF }])
  })

  test('after close() reads are local', async () => {
    const f = readSetup({ a: local(rec('a', hlc(1), 'P', '"local"')) }, { a: ['B', 'C'] })
    f.reads.close()
    assert.deepEqual(await read(f, ['a']), [{ code: OK, json: '"local"' }])
    assert.deepEqual(f.sent, [])
  })
})
