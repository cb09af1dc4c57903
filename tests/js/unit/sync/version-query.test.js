// VersionQuery: 'has' questions with timeouts, answers only from the peer
// asked and only for the keys asked, and answers to peers from the store.
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { mock } from 'node:test'

import { VersionQuery } from '../../../../js/sync/version-query.js'
import { fakeContext, flush, hlc, rec, state } from './fakes.js'

afterEach(() => mock.timers.reset())

const entry = (key, n, deleted = false) => ({ key, hlc: hlc(n), origin: 'P', deleted })

test('ask sends has and resolves with the entries of the keys asked, and the peer in-sync time', async () => {
  const { ctx, sent } = fakeContext()
  const q = new VersionQuery(ctx, { timeout: 1000, inSyncSince: () => 0 })
  const asked = q.ask('B', ['a', 'b'])
  assert.deepEqual(sent, [{ peer: 'B', msg: { t: 'has', id: 100, keys: ['a', 'b'] } }])
  q.onHad('C', { id: 100, entries: [entry('a', 9)], inSyncSince: 5 })
  assert.equal(await state(asked), 'pending', 'only the peer asked answers')
  q.onHad('B', { id: 100, entries: [entry('a', 1), entry('z', 2, true)], inSyncSince: 42 })
  const held = await asked
  assert.deepEqual([...(held?.entries ?? [])], [['a', entry('a', 1)]], 'a key nobody asked about does not count')
  assert.equal(held?.inSyncSince, 42)
  q.onHad('B', { id: 100, entries: [], inSyncSince: 1 }) // a repeat: ignored
})

test('no answer within the timeout resolves null; close resolves the rest null', async () => {
  mock.timers.enable({ apis: ['setTimeout'] })
  const { ctx } = fakeContext()
  const q = new VersionQuery(ctx, { timeout: 1000, inSyncSince: () => 0 })
  const late = q.ask('B', ['a'])
  mock.timers.tick(999)
  assert.equal(await state(late), 'pending')
  mock.timers.tick(1)
  assert.equal(await late, null)
  const open = q.ask('B', ['a'])
  q.close()
  assert.equal(await open, null)
  assert.equal(await q.ask('B', ['a']), null, 'closed: nothing is asked')
})

test('onHas answers with the versions held, tombstones included, and this store in-sync time', async () => {
  const records = { a: rec('a', hlc(3)), d: rec('d', hlc(4), 'Q', null) }
  const { ctx, sent } = fakeContext({ lookup: async (keys) => keys.map((k) => records[k] ?? null) })
  const q = new VersionQuery(ctx, { timeout: 1000, inSyncSince: () => 77 })
  await q.onHas('B', 5, ['a', 'absent', 'd'])
  await flush()
  assert.deepEqual(sent, [
    {
      peer: 'B',
      msg: {
        t: 'had',
        id: 5,
        entries: [
          { key: 'a', hlc: hlc(3), origin: 'P', deleted: false },
          { key: 'd', hlc: hlc(4), origin: 'Q', deleted: true }
        ],
        inSyncSince: 77
      }
    }
  ])
})
