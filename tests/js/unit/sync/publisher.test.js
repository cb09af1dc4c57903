import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'

import { Publisher } from '../../../../js/sync/publisher.js'
import { fakeContext, flush, hlc, rec } from './fakes.js'

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

function setup(held = []) {
  const rejected = []
  const f = fakeContext({
    lookup: async (keys) => keys.map((k) => held.find((r) => r.key === k) ?? null)
  })
  const scan = async (range, onRecord) => {
    for (const r of held) if (r.key.startsWith(range.prefix ?? '')) onRecord(r)
  }
  const p = new Publisher(f.ctx, { scan, reject: (peer, why) => rejected.push({ peer, why }) })
  const pubs = () => f.sent.filter((s) => s.msg.t === 'pub')
  return { p, f, pubs, rejected }
}

const sub = (over = {}) => ({ t: 'sub', id: 9, keys: [], prefixes: [], lease: 5000, ...over })

describe('Publisher', () => {
  test('a subscription is acknowledged and gets every matching change, not its own writes', async () => {
    const { p, f, pubs } = setup()
    await p.onSub('B', sub({ keys: ['k'], prefixes: ['doc:'] }))
    assert.deepEqual(f.sent[0], { peer: 'B', msg: { t: 'ack', id: 9 } })
    assert.equal(p.subscribers, 1)
    const k = rec('k', hlc(1), 'C')
    const d = rec('doc:1', hlc(1), 'C')
    p.onApplied([k, rec('other', hlc(1), 'C'), d, rec('doc:2', hlc(1), 'B')])
    await flush()
    assert.deepEqual(pubs().map((s) => [s.peer, s.msg.records]), [['B', [k, d]]])
  })

  test('pubs are resent until acknowledged, at most five times; leases run out', async () => {
    const { p, pubs } = setup()
    await p.onSub('B', sub({ keys: ['k'] }))
    p.onApplied([rec('k', hlc(1), 'C')])
    await flush()
    assert.equal(pubs().length, 1)
    for (let i = 0; i < 8; i++) {
      mock.timers.tick(1000)
      p.tick()
    }
    assert.equal(pubs().length, 5, 'sent five times in all')
    assert.equal(p.subscribers, 0)
    await p.onSub('B', sub({ keys: ['k'], lease: 600000 }))
    p.onApplied([rec('k', hlc(2), 'C')])
    await flush()
    const id = pubs().at(-1).msg.id
    assert.equal(p.onAck('C', id), false, 'an ack from another peer')
    assert.equal(p.onAck('B', id), true)
    for (let i = 0; i < 3; i++) {
      mock.timers.tick(1000)
      p.tick()
    }
    assert.equal(pubs().length, 6, 'acknowledged: not resent')
  })

  test('since: the current records of the keys, and the prefix records changed after that clock, go out at once', async () => {
    const { p, pubs } = setup([rec('doc:1', hlc(1), 'C'), rec('doc:2', hlc(5), 'C', null), rec('k', hlc(2), 'C'), rec('doc:3', hlc(7), 'B')])
    await p.onSub('B', sub({ keys: ['k'], prefixes: ['doc:'], since: hlc(3) }))
    await flush()
    assert.deepEqual(pubs()[0].msg.records.map((r) => r.key).sort(), ['doc:2', 'k'])
    await p.onSub('C', sub({ keys: ['k'], prefixes: [] }))
    await flush()
    assert.equal(pubs().length, 1, 'without since: only later changes')
  })

  test('an empty subscription ends it; beyond 256 subscribers a sub is rejected', async () => {
    const { p, rejected } = setup()
    await p.onSub('B', sub({ keys: ['k'] }))
    await p.onSub('B', sub())
    assert.equal(p.subscribers, 0)
    for (let i = 0; i < 257; i++) await p.onSub(`P${i}`, sub({ keys: ['k'] }))
    assert.equal(p.subscribers, 256)
    assert.deepEqual(rejected, [{ peer: 'P256', why: 'too many subscribers' }])
  })
})
