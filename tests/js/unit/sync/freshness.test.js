// Freshness: staleness from the saved sync period, the check that ends it,
// and which GC a compact runs in each state.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { hlcAtWallMs } from '../../../../js/core/versions.js'
import { Freshness } from '../../../../js/sync/freshness.js'
import { fakeRing, flush, hlc, rec } from './fakes.js'

const GRACE = 10_000

/**
 * @param {{ since: number, last: number } | null} saved
 * @param {{ members?: string[], answers?: any, records?: any[] }} [opts]
 */
function setup(saved, { members = ['A', 'B'], answers = { entries: new Map(), inSyncSince: 1 }, records = [] } = {}) {
  const compacts = []
  const written = []
  const errors = []
  let checked = 0
  const local = {
    text: saved ? JSON.stringify({ v: 1, ...saved }) : '',
    isOpen: true,
    userData: () => local.text,
    setUserFields: (fields) => (local.text = JSON.stringify({ ...(local.text ? JSON.parse(local.text) : {}), ...fields })),
    saveSoon() {},
    async compact(h) {
      compacts.push(h)
      return h === null ? 0 : 4
    }
  }
  const gc = {
    selfId: 'A',
    rf: 2,
    ring: () => fakeRing(members, Object.fromEntries(records.map((r) => [r.key, members.slice(0, 2)]))),
    ask: async () => answers,
    async scan(range, onRecord) {
      if (range.gt === undefined) for (const r of records) if (range.tombstones || !r.deleted) onRecord(r)
    },
    async write(ops) {
      written.push(...ops)
      return ops.map(() => ({ code: 0, applied: true }))
    }
  }
  const f = new Freshness({ local: /** @type {any} */ (local), grace: GRACE, gc, onChecked: () => checked++, reportError: (e) => errors.push(e) })
  return { f, local, compacts, written, errors, checked: () => checked }
}

test('a store never in sync, or back within the grace period, is not stale', () => {
  const fresh = setup(null)
  fresh.f.onMembers(1, 3)
  assert.equal(fresh.f.stale, false)
  const back = setup({ since: 1, last: Date.now() - GRACE / 2 })
  back.f.onMembers(1, 3)
  assert.equal(back.f.stale, false)
  assert.equal(back.f.suspectBefore, null)
})

test('back after the grace period: stale until the check settles every old record, then onChecked', async () => {
  const last = Date.now() - 2 * GRACE
  const old = rec('gone', hlcAtWallMs(last - 1000))
  const s = setup({ since: 1, last }, { records: [old], answers: { entries: new Map(), inSyncSince: 1 } })
  s.f.onMembers(2, 3)
  assert.equal(s.f.stale, false, 'only meeting peers after being alone counts')
  s.f.onMembers(1, 3)
  assert.equal(s.f.stale, true)
  assert.equal(s.f.inSyncSince, 0)
  assert.equal(s.f.suspectBefore, hlcAtWallMs(last))
  s.f.tick(3, 0)
  assert.equal(s.f.stale, true, 'a heartbeat does not end it')
  s.f.check()
  s.f.check() // one at a time
  await flush()
  assert.deepEqual(
    s.written.map((w) => [w.type, w.key]),
    [['forget', 'gone']]
  )
  assert.equal(s.f.stale, false)
  assert.equal(s.checked(), 1)
  assert.ok(s.f.inSyncSince >= Date.now() - 1000)
})

test('a check with records left unresolved stays stale and does not call onChecked', async () => {
  const last = Date.now() - 2 * GRACE
  const s = setup({ since: 1, last }, { records: [rec('k', hlcAtWallMs(last - 1000))], answers: null })
  s.f.onMembers(1, 2)
  s.f.check()
  await flush()
  assert.equal(s.f.stale, true)
  assert.equal(s.checked(), 0)
})

test('compact: stale purges nothing; alone it purges only if never in sync; with peers only what is confirmed', async () => {
  const stale = setup({ since: 1, last: Date.now() - 2 * GRACE })
  stale.f.onMembers(1, 2)
  assert.equal(await stale.f.compact(hlc(5)), 0)
  assert.deepEqual(stale.compacts, [])

  const never = setup(null, { members: ['A'] })
  assert.equal(await never.f.compact(hlc(5)), 4)
  assert.deepEqual(never.compacts, [hlc(5)])

  const alone = setup({ since: 1, last: Date.now() }, { members: ['A'] })
  assert.equal(await alone.f.compact(hlc(5)), 0)
  assert.deepEqual(alone.compacts, [null], 'merges only: its peers may not have its deletes yet')

  const peers = setup({ since: 1, last: Date.now() }, { records: [rec('t', hlc(1), 'P', null)] })
  assert.equal(await peers.f.compact(hlc(5)), 1)
  assert.deepEqual(peers.written.map((w) => w.key), ['t'])
  assert.deepEqual(peers.compacts, [null])
})
