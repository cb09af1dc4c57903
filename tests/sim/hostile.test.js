// A hostile peer on the network: garbage, oversized frames, malformed and
// forged messages, fragment floods and a message flood. The honest peers
// keep every value, count the rejections, and nothing reaches the app as an
// exception.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Cluster } from './helpers.js'

const V = (msg) => JSON.stringify({ v: 1, ...msg })

test('a hostile peer cannot break or erase the honest peers', async () => {
  const c = new Cluster({ seed: 11 })
  const honest = [await c.add('a'), await c.add('b'), await c.add('c')]
  const errors = []
  for (const s of honest) s.on('error', (e) => errors.push(e))
  await c.until(() => honest.every((s) => s.getStats().dht.peers === 3) || 'members', 5000)
  const entries = Array.from({ length: 300 }, (_, i) => [`data:${i}`, { i }])
  await honest[0].setMany(entries)
  await honest[0].replicated({ timeout: 5000 })

  const evil = c.net.join('evil')
  const hit = (data) => {
    for (const s of honest) evil.send(s.peerId, data)
  }
  const rejectedBefore = honest.map((s) => s.getStats().sync.rejected)
  const attacks = [
    'not json at all',
    '{"v":1,"t":"put"',
    V({ t: 'nuke' }), // unknown type
    JSON.stringify({ v: 99, t: 'hb' }), // unknown version
    V({ t: 'put', id: 1, r: [['data:1', null, 'evil', 1, null]] }), // delete without a version
    V({ t: 'put', id: 2, r: [['data:2', '0000000000000000', 'evil', 1, null]] }), // zero version
    V({ t: 'put', id: 3, r: [['data:3', 'zz', 'evil', 1, null]] }),
    V({ t: 'put', id: 4, r: [['data:4', 'ffffffffffff0000', 'evil', 1, null]] }), // from the far future
    V({ t: 'put', id: 5, r: [['data:5', '0000019a00000000', 'evil', 0, '{not json']] }),
    V({ t: 'put', id: 6, r: [['', '0000019a00000000', 'evil', 0, '1']] }), // empty key
    V({ t: 'put', id: 7, r: [['k'.repeat(5000), '0000019a00000000', 'evil', 0, '1']] }), // key too long
    V({ t: 'put', id: 8, r: 'everything' }),
    V({ t: 'sum', b: [[4, 99, [], []]] }),
    V({ t: 'pull', k: [], b: [[3, 0]] }),
    V({ t: 'ent', b: [[0, 0, [['x', 'nope', 'o', 0]]]] }),
    V({ t: 'frag', id: 1, i: 5, n: 2, d: 'x' }),
    'x'.repeat(300000), // oversized frame
    V({ t: 'got', id: 'x', r: [] }),
    V({ t: 'hb', extra: 'x'.repeat(70000) }) // a frame over the fragment size
  ]
  for (const a of attacks) hit(a)
  // Fragments that never complete, many ids: bounded per peer.
  for (let id = 0; id < 40; id++) hit(V({ t: 'frag', id, i: 0, n: 3, d: 'y'.repeat(100) }))
  // Fragments that complete into garbage.
  hit(V({ t: 'frag', id: 500, i: 0, n: 2, d: '{"v":1,' }))
  hit(V({ t: 'frag', id: 500, i: 1, n: 2, d: '"t":"put","id":1}' }))
  const rejectedNow = () => honest.map((s, i) => s.getStats().sync.rejected - rejectedBefore[i])
  await c.until(() => rejectedNow().every((r) => r >= attacks.length) || `rejected ${rejectedNow()}`, 10000)
  const rejected = rejectedNow()
  for (const r of rejected) assert.ok(r >= attacks.length, `rejected ${r} of ${attacks.length}+ attacks`)

  // A flood: far more messages than the rate limit lets through.
  const beforeFlood = honest.map((s) => s.getStats().sync.rejected)
  for (let i = 0; i < 6000; i++) evil.send('a', V({ t: 'hb' }))
  const cut = () => honest[0].getStats().sync.rejected - beforeFlood[0]
  await c.until(() => cut() > 1000 || `${cut()} rejected`, 10000)
  assert.ok(cut() > 1000, 'the flood is cut by the rate limit')

  // Every value is intact on every honest peer, and the honest peers still
  // sync with each other.
  for (const s of honest) {
    const got = await s.getMany(entries.map(([k]) => k))
    for (const [k, v] of entries) assert.deepEqual(got.get(k), v, `${s.peerId} keeps ${k}`)
  }
  c.net.leave('evil')
  await honest[1].set('after', 'attack')
  await honest[1].replicated({ timeout: 5000 })
  assert.equal(await honest[2].get('after'), 'attack')
  assert.deepEqual(errors, [], 'no error reached the app')
  await c.close()
})
