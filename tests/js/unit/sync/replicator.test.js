import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { decode, encode, protocolLimits } from '../../../../js/sync/protocol.js'
import { Replicator } from '../../../../js/sync/replicator.js'
import { hlc, rec, state } from './fakes.js'

const RETRY = 1000

/** A replicator from A whose sends are recorded; `over`: more of its options. */
function setup(over = {}) {
  const sent = []
  let id = 1
  const r = new Replicator({ selfId: 'A', send: (peer, msg) => sent.push({ peer, msg }), nextId: () => id++, retryInterval: RETRY, ...over })
  return { r, sent, puts: () => sent.filter((s) => s.msg.t === 'put') }
}

/** Runs the scheduled send (a setTimeout of 0). */
const sendNow = () => mock.timers.tick(0)

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

describe('queue', () => {
  test('replicate() queues a record for each replica but self, and sends soon', () => {
    const { r, sent } = setup()
    const a = rec('a', hlc(1))
    const b = rec('b', hlc(1))
    r.replicate([a, b], [['A', 'B'], ['C', 'A', 'B']])
    assert.equal(r.pending, 3)
    assert.deepEqual(sent, [], 'sent after the current task, not inside replicate()')
    sendNow()
    assert.deepEqual(sent, [
      { peer: 'B', msg: { t: 'put', id: 1, records: [a, b] } },
      { peer: 'C', msg: { t: 'put', id: 2, records: [b] } }
    ])
  })

  test('isPending: a record of the key waits at that peer until acknowledged', () => {
    const { r, puts } = setup()
    r.queue('B', rec('k', hlc(1)))
    assert.equal(r.isPending('B', 'k'), true)
    assert.equal(r.isPending('C', 'k'), false)
    assert.equal(r.isPending('B', 'other'), false)
    sendNow()
    assert.equal(r.isPending('B', 'k'), true, 'in flight')
    r.onAck('B', puts()[0].msg.id)
    assert.equal(r.isPending('B', 'k'), false)
  })

  test('keeps only the newest record per peer and key', () => {
    const { r, sent } = setup()
    const v2 = rec('k', hlc(2), 'P', '2')
    r.queue('B', v2)
    r.queue('B', rec('k', hlc(1), 'P', '1')) // older: ignored
    r.queue('B', rec('k', hlc(2), 'P', '"same version"')) // same version: ignored
    r.queue('C', rec('k', hlc(1), 'P', '1')) // another peer: its own entry
    assert.equal(r.pending, 2)
    const v3 = rec('k', hlc(2), 'Q', '3') // same hlc, greater origin: newer
    r.queue('B', v3)
    assert.equal(r.pending, 2)
    sendNow()
    assert.deepEqual(
      sent.map((s) => [s.peer, s.msg.records]),
      [
        ['B', [v3]],
        ['C', [rec('k', hlc(1), 'P', '1')]]
      ]
    )
  })

  test('a newer record replacing one in flight is sent again; the old ack does not drop it', () => {
    const { r, puts } = setup()
    r.queue('B', rec('k', hlc(1)))
    sendNow()
    const v2 = rec('k', hlc(2))
    r.queue('B', v2)
    sendNow()
    assert.equal(puts().length, 2)
    assert.deepEqual(puts()[1].msg.records, [v2])
    assert.equal(r.onAck('B', puts()[0].msg.id), true)
    assert.equal(r.pending, 1, 'the newer record still awaits its ack')
    assert.equal(r.onAck('B', puts()[1].msg.id), true)
    assert.equal(r.pending, 0)
  })

  test('sends are coalesced into one pass', () => {
    const { r, puts } = setup()
    for (let i = 0; i < 10; i++) r.queue('B', rec(`k${i}`, hlc(1)))
    sendNow()
    assert.equal(puts().length, 1)
    assert.equal(puts()[0].msg.records.length, 10)
  })
})

describe('window and message size', () => {
  test('at most PUTS_IN_FLIGHT (8) puts per peer await their ack', () => {
    const { r, puts } = setup()
    // Each record alone reaches PUT_CHARS: one record per put.
    for (let i = 0; i < 20; i++) r.queue('B', rec(`k${i}`, hlc(1), 'P', JSON.stringify('x'.repeat(48000))))
    r.queue('C', rec('c', hlc(1)))
    sendNow()
    const toB = () => puts().filter((s) => s.peer === 'B')
    assert.equal(toB().length, 8)
    assert.ok(toB().every((s) => s.msg.records.length === 1))
    assert.equal(puts().filter((s) => s.peer === 'C').length, 1, 'another peer has its own window')
    sendNow()
    assert.equal(toB().length, 8, 'nothing more until an ack')
    r.onAck('B', toB()[3].msg.id)
    sendNow()
    assert.equal(toB().length, 9)
    for (const s of toB()) r.onAck('B', s.msg.id)
    sendNow()
    assert.equal(toB().length, 17)
    for (const s of toB()) r.onAck('B', s.msg.id)
    sendNow()
    assert.equal(toB().length, 20)
    for (const s of toB()) r.onAck('B', s.msg.id)
    assert.equal(r.pending, 1)
    assert.deepEqual(
      toB().flatMap((s) => s.msg.records.map((x) => x.key)).sort(),
      Array.from({ length: 20 }, (_, i) => `k${i}`).sort()
    )
  })

  test('records are cut into puts of at most PUT_CHARS (48000) characters', () => {
    const { r, puts } = setup()
    // key (4) + json (1000) + 48 = 1052 characters counted per record:
    // 45 records fit in 48000, a 46th would not.
    for (let i = 0; i < 100; i++) r.queue('B', rec(`k${String(i).padStart(3, '0')}`, hlc(1), 'P', JSON.stringify('x'.repeat(998))))
    sendNow()
    assert.deepEqual(puts().map((s) => s.msg.records.length), [45, 45, 10])
  })

  test('a large record joining a batch does not take the put over maxMessageChars', () => {
    // Regression: the record that reached PUT_CHARS was added to the batch
    // before the cut, so a value near maxValueBytes whose JSON escapes
    // heavily (quotes: a stringified document) went out with a batch of
    // others; the message exceeded the receiver's maxMessageChars and was
    // rejected on every retry, and neither record ever replicated.
    const limits = protocolLimits({ maxKeyBytes: 1024, maxValueBytes: 1 << 20 })
    const { r, puts } = setup()
    const small = rec('small', hlc(1), 'P', JSON.stringify('"'.repeat(20000)))
    const large = rec('large', hlc(1), 'P', JSON.stringify('"'.repeat(524000)))
    assert.ok(large.json.length <= limits.maxValueBytes)
    r.replicate([small, large], [['B'], ['B']])
    sendNow()
    assert.deepEqual(puts().map((s) => s.msg.records.map((x) => x.key)), [['small'], ['large']])
    for (const { msg } of puts()) {
      const frames = encode(msg, () => 1)
      assert.ok(frames.length <= limits.maxFragments)
      const text = frames.length === 1 ? frames[0] : frames.map((f) => JSON.parse(f).d).join('')
      assert.notEqual(decode(text, limits), null, 'the receiver accepts the put')
    }
  })
})

describe('acks', () => {
  test('onAck of an unknown id, or from another peer, is ignored', () => {
    const { r, puts } = setup()
    r.queue('B', rec('k', hlc(1)))
    sendNow()
    const id = puts()[0].msg.id
    assert.equal(r.onAck('B', id + 100), false)
    assert.equal(r.onAck('C', id), false)
    assert.equal(r.pending, 1)
    assert.equal(r.onAck('B', id), true)
    assert.equal(r.pending, 0)
    assert.equal(r.onAck('B', id), false, 'a second ack of the same put')
  })
})

describe('retry', () => {
  test('resends only what is unacknowledged for retryInterval', () => {
    const { r, puts } = setup()
    r.queue('B', rec('old', hlc(1)))
    sendNow()
    mock.timers.tick(RETRY / 2)
    r.queue('B', rec('new', hlc(1)))
    sendNow()
    assert.equal(puts().length, 2)
    mock.timers.tick(RETRY / 2 - 1)
    r.retry()
    sendNow()
    assert.equal(puts().length, 2, 'nothing is retryInterval old yet')
    mock.timers.tick(1)
    r.retry()
    assert.equal(puts().length, 3)
    assert.deepEqual(puts()[2].msg.records.map((x) => x.key), ['old'])
    assert.notEqual(puts()[2].msg.id, puts()[0].msg.id, 'a resend is a new put')
    // The first put's ack no longer counts; the resend's does.
    assert.equal(r.onAck('B', puts()[0].msg.id), false)
    assert.equal(r.onAck('B', puts()[2].msg.id), true)
    assert.equal(r.pending, 1)
    r.retry()
    assert.equal(puts().length, 3)
  })

  test('regression: a peer that never acknowledges is reported after 8 sends and giveUpAfter ms, not resent for ever', () => {
    const unresponsive = []
    const { r, sent } = setup({ giveUpAfter: 10 * RETRY, onUnresponsive: (peer) => unresponsive.push(peer) })
    r.queue('B', rec('k', hlc(1)))
    r.queue('C', rec('k', hlc(1)))
    sendNow()
    for (let i = 0; i < 20 && unresponsive.length === 0; i++) {
      mock.timers.tick(RETRY)
      const c = sent.filter((s) => s.peer === 'C' && s.msg.t === 'put').at(-1)
      r.onAck('C', c.msg.id) // C answers; B never does
      r.retry()
      sendNow()
    }
    assert.deepEqual(unresponsive, ['B'])
    const toB = sent.filter((s) => s.peer === 'B').length
    assert.ok(toB >= 8 && toB <= 11, `${toB} sends to B: 8 tries at least, over giveUpAfter (10 retry intervals)`)
  })

  test('a put its peer\'s outgoing budget held back stays pending, untried, and goes with a later retry', () => {
    const sent = []
    let open = false
    let id = 1
    const r = new Replicator({
      selfId: 'A',
      send: (peer, msg) => {
        if (!open) return false
        sent.push({ peer, msg })
        return true
      },
      nextId: () => id++,
      retryInterval: RETRY
    })
    r.queue('B', rec('k', hlc(1)))
    sendNow()
    assert.equal(sent.length, 0)
    assert.equal(r.pending, 1)
    open = true
    r.retry()
    assert.equal(sent.length, 1)
    assert.equal(r.onAck('B', sent[0].msg.id), true)
    assert.equal(r.pending, 0)
  })

  test('acknowledged puts are not resent', () => {
    const { r, puts } = setup()
    r.queue('B', rec('k', hlc(1)))
    sendNow()
    r.onAck('B', puts()[0].msg.id)
    mock.timers.tick(RETRY * 5)
    r.retry()
    sendNow()
    assert.equal(puts().length, 1)
  })
})

describe('kept', () => {
  test('a record the peer keeps a newer version over is not held: onKept answers, and waiters wait for the answer', async () => {
    const held = []
    const kept = []
    let answer
    const { r, sent } = setup({
      onHeld: (peer, x) => held.push(x.key),
      onKept: (peer, x, over) => {
        kept.push([x.key, over.hlc])
        return new Promise((resolve) => (answer = resolve))
      }
    })
    r.queue('B', rec('a', hlc(1)))
    r.queue('B', rec('b', hlc(1)))
    sendNow()
    const drained = r.whenDrained(Infinity)
    // An older version kept counts as held (a stale answer).
    assert.equal(r.onAck('B', sent[0].msg.id, [{ key: 'a', hlc: hlc(0), origin: 'P', deleted: false }, { key: 'b', hlc: hlc(7), origin: 'q', deleted: false }]), true)
    assert.deepEqual(held, ['a'])
    assert.deepEqual(kept, [['b', hlc(7)]])
    assert.equal(r.pending, 1, 'the answer is awaited')
    answer()
    await drained
    assert.equal(r.pending, 0)
  })
})

describe('audits', () => {
  /** A replicator whose audits are answered by hand: audits[i].answer(verdict). */
  function audited(over = {}) {
    const held = []
    const audits = []
    const x = setup({
      onHeld: (p, rec) => held.push(`${p}:${rec.key}`),
      audit: (peer, records) => new Promise((answer) => audits.push({ peer, keys: records.map((r) => r.key), answer })),
      ...over
    })
    return { ...x, held, audits }
  }

  test('an acknowledged record is held only once its replica proves a sample of what it acknowledged; replicated() waits for the proof', async () => {
    const { r, sent, held, audits } = audited()
    r.queue('B', rec('a', hlc(1)))
    r.queue('B', rec('b', hlc(1)))
    sendNow()
    const drained = r.whenDrained(Infinity)
    r.onAck('B', sent[0].msg.id)
    assert.deepEqual(held, [])
    assert.equal(r.pending, 2, 'acknowledged, proving')
    assert.equal(audits.length, 1)
    assert.deepEqual(audits[0].keys.sort(), ['a', 'b'])
    assert.equal(await state(drained), 'pending')
    mock.timers.tick(RETRY + 1)
    assert.equal(sent.filter((s) => s.msg.t === 'put').length, 1, 'not resent while proving')
    audits[0].answer('proven')
    assert.equal(await state(drained), 'resolved')
    assert.deepEqual(held, ['B:a', 'B:b'])
  })

  test('one audit in flight per replica: what is acknowledged meanwhile goes in the next', async () => {
    const { r, sent, held, audits } = audited()
    r.queue('B', rec('a', hlc(1)))
    sendNow()
    r.onAck('B', sent[0].msg.id)
    r.queue('B', rec('b', hlc(1)))
    r.queue('B', rec('c', hlc(1)))
    sendNow()
    r.onAck('B', sent[1].msg.id)
    assert.equal(audits.length, 1)
    audits[0].answer('proven')
    await state(Promise.resolve())
    assert.deepEqual(held, ['B:a'])
    assert.equal(audits.length, 2)
    assert.deepEqual(audits[1].keys.sort(), ['b', 'c'])
    audits[1].answer('proven')
    await state(Promise.resolve())
    assert.deepEqual(held, ['B:a', 'B:b', 'B:c'])
    assert.equal(r.pending, 0)
  })

  test('a failed or unanswered audit: nothing is held, and the records stop pending there', async () => {
    for (const verdict of ['failed', 'gone']) {
      const { r, sent, held, audits } = audited()
      r.queue('B', rec('a', hlc(1)))
      sendNow()
      const drained = r.whenDrained(Infinity)
      r.onAck('B', sent[0].msg.id)
      audits[0].answer(verdict)
      assert.equal(await state(drained), 'resolved', String(verdict))
      assert.deepEqual(held, [])
    }
  })

  test('lacking at its audit: sent again with the next retry (not at once), then audited again', async () => {
    const { r, sent, held, audits } = audited()
    r.queue('B', rec('a', hlc(1)))
    sendNow()
    r.onAck('B', sent[0].msg.id)
    audits[0].answer('lacking')
    await state(Promise.resolve())
    r.queue('C', rec('c', hlc(1))) // another send pass
    sendNow()
    assert.equal(sent.filter((s) => s.peer === 'B').length, 1, 'not in the next send pass')
    assert.equal(r.pending, 2)
    mock.timers.tick(RETRY)
    r.retry()
    const again = sent.filter((s) => s.peer === 'B')
    assert.equal(again.length, 2)
    r.onAck('B', again[1].msg.id)
    assert.equal(audits.length, 2)
    audits[1].answer('proven')
    await state(Promise.resolve())
    assert.deepEqual(held, ['B:a'])
  })

  test('tombstones only: nothing to prove, held at the ack', () => {
    const { r, sent, held, audits } = audited()
    r.queue('B', { ...rec('a', hlc(1)), deleted: true, json: null })
    sendNow()
    r.onAck('B', sent[0].msg.id)
    assert.deepEqual(held, ['B:a'])
    assert.equal(audits.length, 0)
  })

  test('a reroute takes what is proving; the verdict that comes later is ignored', async () => {
    const { r, sent, held, audits } = audited()
    r.queue('B', rec('a', hlc(1)))
    sendNow()
    r.onAck('B', sent[0].msg.id)
    assert.deepEqual(r.reroute().map((x) => x.key), ['a'])
    audits[0].answer('proven')
    await state(Promise.resolve())
    assert.deepEqual(held, [])
    assert.equal(r.pending, 0)
  })
})

describe('refused', () => {
  test('a record the peer refused is not held there, and not sent again', () => {
    const held = []
    const { r, sent } = setup({ onHeld: (p, x) => held.push(x.key) })
    r.queue('B', rec('a', hlc(1)))
    r.queue('B', rec('b', hlc(1)))
    sendNow()
    r.onAck('B', sent[0].msg.id, [], ['b'])
    assert.deepEqual(held, ['a'])
    assert.equal(r.pending, 0)
  })
})

describe('pushKeys', () => {
  test('regression: a push of many keys looks them up a chunk at a time, at the pace of the acks (a pull of the whole store held it all)', async () => {
    mock.timers.reset() // real timers: the lookups are promises
    let looked = 0
    let member = true
    const { r, sent } = setup({
      lookup: async (keys) => {
        looked += keys.length
        return keys.map((k) => rec(k, hlc(1)))
      },
      isMember: () => member
    })
    const keys = Array.from({ length: 5000 }, (_, i) => `k${String(i).padStart(5, '0')}`)
    const push = r.pushKeys('B', [...keys, ...keys])
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(looked, 1024, 'four chunks of 256 wait unacknowledged: no more is looked up')
    const ackAll = () => {
      for (const s of sent.splice(0)) if (s.msg.t === 'put') r.onAck('B', s.msg.id)
    }
    ackAll()
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(looked, 2048, 'the acks made room for four chunks more')
    member = false
    ackAll()
    await push
    const final = looked
    assert.ok(final < 5000, 'stops once the peer is no member')
    r.close()
  })
})

describe('reroute', () => {
  test('returns the newest pending record per key and empties the queue', () => {
    const { r, puts } = setup()
    const k1 = rec('k', hlc(1))
    const k2 = rec('k', hlc(2))
    const j = rec('j', hlc(5))
    r.queue('B', k2)
    r.queue('C', k1)
    r.queue('C', j)
    sendNow()
    const ids = puts().map((s) => s.msg.id)
    r.queue('D', rec('k', hlc(1), 'P')) // waiting, not in flight
    const out = r.reroute()
    assert.deepEqual(out.sort((a, b) => (a.key < b.key ? -1 : 1)), [j, k2])
    assert.equal(r.pending, 0)
    for (const id of ids) assert.equal(r.onAck('B', id) || r.onAck('C', id), false, 'old puts are forgotten')
    mock.timers.tick(RETRY * 2)
    r.retry()
    sendNow()
    assert.equal(puts().length, ids.length, 'nothing left to send')
    assert.deepEqual(r.reroute(), [])
  })

  test('regression: a reroute does not settle waiters before its records are queued again (replicated() resolved early)', async () => {
    const { r } = setup()
    r.queue('B', rec('k', hlc(1)))
    const p = r.whenDrained(10_000)
    const again = r.reroute()
    assert.equal(await state(p), 'pending')
    r.replicate(again, [['C']])
    assert.equal(await state(p), 'pending', 'the record waits for C now')
    // Re-routed to this peer alone: nothing is pending any more.
    r.replicate(r.reroute(), [['A']])
    assert.equal(await state(p), 'resolved')
  })
})

describe('whenDrained', () => {
  test('resolves at once when nothing is pending', async () => {
    const { r } = setup()
    assert.equal(await state(r.whenDrained(10)), 'resolved')
  })

  test('resolves as soon as the last ack arrives, with no timer advanced', async () => {
    const { r, puts } = setup()
    r.queue('B', rec('a', hlc(1)))
    r.queue('C', rec('a', hlc(1)))
    sendNow()
    const p = r.whenDrained(60_000)
    const q = r.whenDrained(60_000)
    r.onAck('B', puts()[0].msg.id)
    assert.equal(await state(p), 'pending')
    r.onAck('C', puts()[1].msg.id)
    // No mock.timers.tick here: a polling implementation would still wait.
    assert.equal(await state(p), 'resolved')
    assert.equal(await state(q), 'resolved')
  })

  test('rejects with code TIMEOUT after the timeout', async () => {
    const { r } = setup()
    r.queue('B', rec('a', hlc(1)))
    sendNow()
    const p = r.whenDrained(500)
    p.catch(() => {})
    mock.timers.tick(499)
    assert.equal(await state(p), 'pending')
    mock.timers.tick(1)
    await assert.rejects(p, (err) => err.code === 'TIMEOUT' && /1 replications unacknowledged after 500 ms/.test(err.message))
    assert.equal(r.pending, 1, 'a timeout drops nothing')
  })

  test('close() resolves waiters and drops everything', async () => {
    const { r, puts } = setup()
    r.queue('B', rec('a', hlc(1)))
    sendNow()
    const p = r.whenDrained(60_000)
    r.close()
    assert.equal(await state(p), 'resolved')
    assert.equal(r.pending, 0)
    r.queue('B', rec('b', hlc(1)))
    r.replicate([rec('c', hlc(1))], [['B']])
    assert.equal(r.pending, 0, 'nothing is queued after close()')
    mock.timers.tick(RETRY * 2)
    r.retry()
    assert.equal(puts().length, 1)
  })
})

describe('whenDrained timeouts a timer cannot hold', () => {
  test('regression: Infinity or more than 2^31 - 1 ms waits instead of failing after 1 ms', async () => {
    const { r } = setup()
    r.queue('B', rec('k', hlc(1)))
    const forever = r.whenDrained(Infinity)
    const long = r.whenDrained(2 ** 31)
    mock.timers.tick(10)
    assert.equal(await state(forever), 'pending')
    assert.equal(await state(long), 'pending')
    r.close()
    assert.equal(await state(forever), 'resolved')
    assert.equal(await state(long), 'resolved')
  })
})
