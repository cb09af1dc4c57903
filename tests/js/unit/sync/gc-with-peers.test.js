// The two GC rules with peers, against fake replicas: which tombstones are
// purged, which old copies a returning store drops, and what waits.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { compareKeys } from '../../../../js/core/keys.js'
import { dropUnheldCopies, purgeConfirmedTombstones } from '../../../../js/sync/gc-with-peers.js'
import { KEYS_PER_QUESTION } from '../../../../js/sync/version-query.js'
import { fakeRing, hlc, rec } from './fakes.js'

const tomb = (key, n) => rec(key, hlc(n), 'P', null)
const live = (key, n) => rec(key, hlc(n))
const entry = (r) => ({ key: r.key, hlc: r.hlc, origin: r.origin, deleted: r.deleted })

/**
 * @param {any[]} records this store's, tombstones included
 * @param {Record<string, string[]>} table key -> replicas
 * @param {Record<string, { entries: Record<string, any>, inSyncSince?: number } | null>} peers
 *   what each peer answers (null: no answer)
 */
function fakeGc(records, table, peers) {
  const sorted = [...records].sort((a, b) => compareKeys(a.key, b.key))
  const asked = []
  const written = []
  return {
    asked,
    written,
    selfId: 'A',
    rf: 3,
    ring: () => fakeRing(['A', 'B', 'C'], table),
    async ask(peer, keys) {
      asked.push({ peer, keys })
      assert.ok(keys.length <= KEYS_PER_QUESTION)
      const p = peers[peer]
      if (!p) return null
      return { entries: new Map(keys.filter((k) => p.entries[k]).map((k) => [k, entry(p.entries[k])])), inSyncSince: p.inSyncSince ?? 0 }
    },
    async scan({ gt, limit, tombstones }, onRecord) {
      let n = 0
      for (const r of sorted) {
        if (gt !== undefined && compareKeys(r.key, gt) <= 0) continue
        if (r.deleted && !tombstones) continue
        if (n++ === limit) break
        onRecord(r)
      }
    },
    async write(ops) {
      written.push(...ops)
      return ops.map(() => ({ code: 0, applied: true }))
    }
  }
}

test('rule 1: a tombstone older than the horizon goes when no other replica holds an older version', async () => {
  const t = {
    same: tomb('same', 5),
    newer: tomb('newer', 5),
    purged: tomb('purged', 5),
    older: tomb('older', 5),
    silent: tomb('silent', 5),
    young: tomb('young', 50),
    mine: tomb('mine', 5)
  }
  const gc = fakeGc(
    [...Object.values(t), live('alive', 1)],
    { same: ['A', 'B'], newer: ['B', 'A'], purged: ['A', 'B', 'C'], older: ['A', 'B', 'C'], silent: ['A', 'C', 'B'], young: ['A', 'B'], mine: ['A'] },
    {
      B: { entries: { same: t.same, newer: live('newer', 9), older: tomb('older', 5), silent: t.silent } },
      C: null
    }
  )
  // C never answers: keys C replicates wait. 'older': B holds the same
  // tombstone, but C did not answer.
  const purged = await purgeConfirmedTombstones(/** @type {any} */ (gc), hlc(10))
  assert.deepEqual(
    gc.written.map((w) => w.key),
    ['mine', 'newer', 'same']
  )
  assert.equal(purged, 3)
  assert.deepEqual(gc.written[0], { type: 'forget', key: 'mine', hlc: hlc(5), origin: 'P', replicate: false })
  assert.ok(!gc.asked.some((a) => a.keys.includes('young') || a.keys.includes('alive')), 'only old tombstones are asked about')
})

test('rule 1: an older live copy at a replica keeps the tombstone; no trace there lets it go', async () => {
  const t = tomb('k', 5)
  const holdsOlder = fakeGc([t], { k: ['A', 'B'] }, { B: { entries: { k: live('k', 2) } } })
  assert.equal(await purgeConfirmedTombstones(/** @type {any} */ (holdsOlder), hlc(10)), 0)
  const noTrace = fakeGc([t], { k: ['A', 'B'] }, { B: { entries: {} } })
  assert.equal(await purgeConfirmedTombstones(/** @type {any} */ (noTrace), hlc(10)), 1)
})

test('rule 1 walks the store in chunks of KEYS_PER_QUESTION', async () => {
  const n = 2 * KEYS_PER_QUESTION + 3
  const records = Array.from({ length: n }, (_, i) => tomb(`k${String(i).padStart(5, '0')}`, 1))
  const gc = fakeGc(records, {}, {})
  assert.equal(await purgeConfirmedTombstones(/** @type {any} */ (gc), hlc(10)), n, 'keys whose only replica is A')
})

test('rule 2: old live copies no replica holds are dropped when an answering replica was in sync since before', async () => {
  const LAST = 1000
  const r = { gone: live('gone', 5), kept: live('kept', 5), older: live('older', 5), fresh: live('fresh', 50), lone: live('lone', 5), silent: live('silent', 5) }
  const gc = fakeGc(
    [...Object.values(r), tomb('tomb', 5)],
    { gone: ['A', 'B'], kept: ['A', 'B'], older: ['B', 'A'], fresh: ['A', 'B'], lone: ['A'], silent: ['A', 'C'] },
    { B: { entries: { kept: live('kept', 9), older: live('older', 1) }, inSyncSince: LAST - 1 }, C: null }
  )
  const { dropped, unresolved } = await dropUnheldCopies(/** @type {any} */ (gc), { before: hlc(10), last: LAST })
  assert.deepEqual(
    gc.written.map((w) => w.key),
    ['gone']
  )
  assert.equal(dropped, 1)
  assert.equal(unresolved, 2, "'lone' has no other replica; C did not answer for 'silent'")
})

test('rule 2: "no trace" from replicas that joined after this store left proves nothing', async () => {
  const gc = fakeGc([live('k', 5)], { k: ['A', 'B', 'C'] }, { B: { entries: {}, inSyncSince: 2000 }, C: { entries: {}, inSyncSince: 0 } })
  assert.deepEqual(await dropUnheldCopies(/** @type {any} */ (gc), { before: hlc(10), last: 1000 }), { dropped: 0, unresolved: 0 })
  assert.deepEqual(gc.written, [])
})

test('a peer that does not answer is asked once per run, not once per chunk', async () => {
  const n = 3 * KEYS_PER_QUESTION
  const records = Array.from({ length: n }, (_, i) => tomb(`k${String(i).padStart(5, '0')}`, 1))
  const table = Object.fromEntries(records.map((r) => [r.key, ['A', 'C']]))
  const gc = fakeGc(records, table, { C: null })
  assert.equal(await purgeConfirmedTombstones(/** @type {any} */ (gc), hlc(10)), 0)
  assert.equal(gc.asked.length, 1)
  const back = fakeGc(records.map((r) => live(r.key, 1)), table, { C: null })
  assert.deepEqual(await dropUnheldCopies(/** @type {any} */ (back), { before: hlc(10), last: 1 }), { dropped: 0, unresolved: n })
  assert.equal(back.asked.length, 1)
})
