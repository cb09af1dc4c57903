import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { compareKeys } from '../../../../js/core/keys.js'
import { RingScans, answerScan } from '../../../../js/sync/ring-scans.js'
import { fakeContext, fakeRing, hlc, rec } from './fakes.js'

/** A store's scan over a sorted list of records (tombstones kept when asked). */
function scanOver(records) {
  const sorted = [...records].sort((a, b) => compareKeys(a.key, b.key))
  const calls = []
  const scan = async (range, onRecord) => {
    calls.push(range)
    let list = sorted.filter((r) => {
      if (range.prefix !== undefined && !r.key.startsWith(range.prefix)) return false
      if (range.gte !== undefined && compareKeys(r.key, range.gte) < 0) return false
      if (range.gt !== undefined && compareKeys(r.key, range.gt) <= 0) return false
      if (range.lt !== undefined && compareKeys(r.key, range.lt) >= 0) return false
      if (range.lte !== undefined && compareKeys(r.key, range.lte) > 0) return false
      return range.tombstones || !r.deleted
    })
    if (range.reverse) list = list.reverse()
    if (range.limit !== undefined) list = list.slice(0, range.limit)
    for (const r of list) onRecord(r)
  }
  return { scan, calls }
}

/** Peers B and C answering from their own records, through answerScan. */
function cluster(held) {
  const stores = Object.fromEntries(Object.entries(held).map(([p, recs]) => [p, scanOver(recs)]))
  const box = { scans: /** @type {RingScans | null} */ (null) }
  const f = fakeContext({
    ringView: fakeRing(Object.keys(held)),
    send: (peer, msg) => {
      f.sent.push({ peer, msg })
      answerScan(stores[peer].scan, msg, null).then((answer) => box.scans?.onScanned(peer, answer))
    }
  })
  box.scans = new RingScans(f.ctx, { readTimeout: 200, scanLocal: stores.A.scan })
  return { scans: box.scans, stores, sent: f.sent }
}

async function collect(scans, range) {
  const out = []
  await scans.scan(range, (r) => out.push(r.key + '=' + r.json))
  return out
}

describe('RingScans', () => {
  test('merges the sources by key: the newest version wins, a newer tombstone hides', async () => {
    const { scans } = cluster({
      A: [rec('a', hlc(1), 'A', '1'), rec('c', hlc(5), 'A', null)],
      B: [rec('a', hlc(2), 'B', '2'), rec('b', hlc(1), 'B', '3'), rec('c', hlc(4), 'B', '4')],
      C: [rec('d', hlc(1), 'C', '5'), rec('b', hlc(1), 'B', '3')]
    })
    assert.deepEqual(await collect(scans, {}), ['a=2', 'b=3', 'd=5'])
    assert.deepEqual(await collect(scans, { reverse: true }), ['d=5', 'b=3', 'a=2'])
  })

  test('a limit pulls about a page per source, not the whole range', async () => {
    const mk = (p, from) => Array.from({ length: 2000 }, (_, i) => rec(`k${String(from + 3 * i).padStart(5, '0')}`, hlc(1), p, '1'))
    const { scans, stores, sent } = cluster({ A: mk('A', 0), B: mk('B', 1), C: mk('C', 2) })
    const out = await collect(scans, { limit: 10 })
    assert.deepEqual(
      out.map((s) => s.split('=')[0]),
      Array.from({ length: 10 }, (_, i) => `k${String(i).padStart(5, '0')}`)
    )
    assert.equal(sent.length, 2, 'one page from each peer')
    assert.ok(sent.every(({ msg }) => msg.count <= 32))
    assert.equal(stores.A.calls.length, 1)
    // Unlimited: every record, pages continuing after the covered key.
    assert.equal((await collect(scans, { prefix: 'k' })).length, 6000)
  })

  test('a peer that never answers is left out after readTimeout; the others still count', async () => {
    const f = fakeContext({ ringView: fakeRing(['A', 'B']) })
    const local = scanOver([rec('x', hlc(1), 'A', '1')])
    const scans = new RingScans(f.ctx, { readTimeout: 40, scanLocal: local.scan })
    assert.deepEqual(await collect(scans, {}), ['x=1'])
    assert.ok(f.sent.length >= 3, 'asked again at each quarter')
  })

  test('close settles a scan in progress', async () => {
    const f = fakeContext({ ringView: fakeRing(['A', 'B']) })
    const scans = new RingScans(f.ctx, { readTimeout: 60000, scanLocal: scanOver([]).scan })
    const p = collect(scans, {})
    await new Promise((r) => setTimeout(r, 5))
    scans.close()
    assert.deepEqual(await p, [])
  })

  test('an answer from another peer than the one asked is ignored', async () => {
    const f = fakeContext({ ringView: fakeRing(['A', 'B']) })
    const scans = new RingScans(f.ctx, { readTimeout: 50, scanLocal: scanOver([]).scan })
    const p = collect(scans, {})
    await new Promise((r) => setTimeout(r, 5))
    const id = f.sent[0].msg.id
    scans.onScanned('C', { id, records: [rec('evil', hlc(1), 'C', '1')] })
    assert.deepEqual(await p, [])
  })
})

describe('answerScan', () => {
  test('at most count records, tombstones included, and where to go on', async () => {
    const store = scanOver([rec('a', hlc(1), 'P', '1'), rec('b', hlc(1), 'P', null), rec('c', hlc(1), 'P', '3')])
    const msg = { t: 'scan', id: 7, range: {}, reverse: false, count: 2 }
    assert.deepEqual(await answerScan(store.scan, msg, null), {
      t: 'scanned',
      id: 7,
      records: [rec('a', hlc(1), 'P', '1'), rec('b', hlc(1), 'P', null)],
      next: 'b'
    })
    const last = await answerScan(store.scan, { ...msg, range: { gt: 'b' } }, null)
    assert.deepEqual(last, { t: 'scanned', id: 7, records: [rec('c', hlc(1), 'P', '3')] })
  })

  test('a long page is cut by size and continues', async () => {
    const big = 'x'.repeat(20000)
    const store = scanOver(['a', 'b', 'c', 'd'].map((k) => rec(k, hlc(1), 'P', JSON.stringify(big))))
    const answer = await answerScan(store.scan, { t: 'scan', id: 1, range: {}, reverse: false, count: 100 }, null)
    assert.equal(answer.records.length, 2)
    assert.equal(answer.next, 'b')
  })

  test('a stale store leaves out its suspect live records but still says how far it covered', async () => {
    const store = scanOver([rec('a', hlc(1), 'P', '1'), rec('b', hlc(9), 'P', '2')])
    const answer = await answerScan(store.scan, { t: 'scan', id: 1, range: {}, reverse: false, count: 1 }, hlc(5))
    assert.deepEqual(answer.records, [])
    assert.equal(answer.next, 'a')
  })
})
