// bulk-push.js: a push of many keys, looked up a chunk at a time at the pace of the peer's acknowledgements.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { BulkPush } from '../../../../js/sync/bulk-push.js'
import { flush, hlc, rec } from './fakes.js'

function setup({ member = () => true } = {}) {
  const waiting = new Map() // peer -> records waiting there
  const lookups = []
  const announced = []
  const bulk = new BulkPush({
    waiting: (peer) => (waiting.has(peer) ? [...waiting.get(peer).values()].map((r) => ({ rec: r })) : null),
    lookup: async (keys) => {
      lookups.push(keys.length)
      return keys.map((k) => (k.startsWith('none') ? null : rec(k, hlc(1))))
    },
    queue: (peer, r) => {
      if (!waiting.has(peer)) waiting.set(peer, new Map())
      waiting.get(peer).set(r.key, r)
    },
    onBulk: (peer, n) => announced.push([peer, n]),
    isMember: member,
    isPending: (peer, key) => waiting.get(peer)?.has(key) ?? false
  })
  return { bulk, waiting, lookups, announced }
}

test('looks keys up 256 at a time, and only while fewer than 1,024 records wait at the peer', async () => {
  const { bulk, waiting, lookups, announced } = setup()
  const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`)
  const done = bulk.push('B', [...keys, 'k0'])
  await flush()
  assert.deepEqual(announced, [['B', 3000]], 'repeats counted once')
  assert.deepEqual(lookups, [256, 256, 256, 256])
  waiting.get('B').clear() // acknowledged
  bulk.wake('B')
  await flush()
  assert.equal(lookups.length, 8)
  waiting.get('B').clear()
  bulk.wake(null)
  await flush()
  waiting.get('B').clear() // the last chunk acknowledged
  bulk.wake('B')
  await done
  assert.equal(lookups.reduce((a, b) => a + b), 3000)
})

test('keys not held are skipped; a push stops when its peer leaves the ring, or on close', async () => {
  let member = true
  const { bulk, waiting, lookups } = setup({ member: () => member })
  const first = bulk.push('B', ['none1', 'a'])
  await flush()
  assert.deepEqual([...waiting.get('B').keys()], ['a'])
  waiting.clear()
  bulk.wake('B')
  await first
  const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`)
  const done = bulk.push('B', keys)
  await flush()
  member = false
  waiting.get('B').clear()
  bulk.wake('B')
  await done
  assert.equal(lookups.length, 1 + 4, 'no lookup once it left')
  const again = bulk.push('C', keys)
  await flush()
  bulk.close()
  await again
})

test('keys are looked up in key order, whatever order they came in (a sync scan gives token order): each lookup reads neighbouring pages', async () => {
  const { bulk, waiting } = setup()
  const seen = []
  const ordered = new BulkPush({
    waiting: () => null,
    lookup: async (keys) => {
      seen.push(...keys)
      return keys.map(() => null)
    },
    queue: () => {},
    onBulk: () => {},
    isMember: () => true
  })
  const keys = ['m', 'b', 'z', 'a', 'k2', 'k10', 'k1']
  await ordered.push('B', keys)
  assert.deepEqual(seen, ['a', 'b', 'k1', 'k10', 'k2', 'm', 'z'])
  assert.equal(bulk.pushing('B'), false)
  assert.equal(waiting.size, 0)
})

test('pushing(peer) holds while a push to it is under way, and ends with it', async () => {
  const { bulk, waiting } = setup()
  assert.equal(bulk.pushing('B'), false)
  const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`)
  const one = bulk.push('B', keys)
  const two = bulk.push('B', ['x'])
  await flush()
  assert.equal(bulk.pushing('B'), true, 'waiting for room at B')
  assert.equal(bulk.pushing('C'), false)
  for (let i = 0; i < 4 && bulk.pushing('B'); i++) {
    waiting.get('B').clear()
    bulk.wake('B')
    await flush()
  }
  await Promise.all([one, two])
  assert.equal(bulk.pushing('B'), false)
})

test('a push stays under way until the records of its last chunk are held at the peer (it lacks them until then)', async () => {
  const { bulk, waiting } = setup()
  let done = false
  const push = bulk.push('B', ['a', 'b', 'c']).then(() => (done = true))
  await flush()
  assert.deepEqual([...waiting.get('B').keys()], ['a', 'b', 'c'], 'all queued')
  assert.equal(bulk.pushing('B'), true)
  waiting.get('B').delete('a')
  bulk.wake('B')
  await flush()
  assert.equal(done, false, 'b and c still wait there')
  waiting.get('B').clear()
  bulk.wake('B')
  await push
  assert.equal(bulk.pushing('B'), false)
})
