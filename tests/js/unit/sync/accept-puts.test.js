import assert from 'node:assert/strict'
import { test } from 'node:test'
import { acceptPut } from '../../../../js/sync/accept-puts.js'
import { hlc, rec } from './fakes.js'

function host({ mine = () => true, full = false, held = [] } = {}) {
  const looked = []
  return {
    looked,
    replicates: (keys) => keys.map(mine),
    peersFull: () => full,
    lookup: async (keys) => {
      looked.push(...keys)
      return keys.map((k) => (held.includes(k) ? rec(k, hlc(1)) : null))
    }
  }
}

test('only records of keys this peer replicates are taken', async () => {
  const h = host({ mine: (k) => k !== 'theirs' })
  const r = await acceptPut(h, [rec('a', hlc(2)), rec('theirs', hlc(2))])
  assert.deepEqual(r.accepted.map((x) => x.key), ['a'])
  assert.deepEqual(r.refused, ['theirs'])
  assert.deepEqual(r.notReplicated.map((x) => x.key), ['theirs'], 'handed to the audits of the replicas before this peer')
  assert.equal(r.why, 'records of keys not replicated here')
  assert.deepEqual(h.looked, [], 'no lookup while there is room')
})

test("regression: while peers' records fill their share of the disk budget, only tombstones of keys held here pass (100,000 tombstones of keys that never existed filled it)", async () => {
  const h = host({ full: true, held: ['held'] })
  const r = await acceptPut(h, [rec('held', hlc(2), 'P', null), rec('never', hlc(2), 'P', null), rec('live', hlc(2))])
  assert.deepEqual(r.accepted.map((x) => x.key), ['held'])
  assert.deepEqual(r.refused.sort(), ['live', 'never'])
  assert.equal(r.why, "peers' records fill their share of the disk budget")
})

test('everything of a put taken: nothing refused', async () => {
  const r = await acceptPut(host(), [rec('a', hlc(2))])
  assert.deepEqual(r, { accepted: [rec('a', hlc(2))], refused: [], why: null, notReplicated: [] })
})
