import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { Messenger } from '../../../../js/sync/messenger.js'
import { FRAGMENT_CHARS, decode, encode, protocolLimits } from '../../../../js/sync/protocol.js'

const LIMITS = protocolLimits({ maxKeyBytes: 1024, maxValueBytes: 1 << 20 })
const H1 = '0000018f00000001'
const TTL = 1000

function fakeTransport() {
  const listeners = new Map()
  const t = {
    peerId: 'self',
    /** @type {Array<{peer: string, data: string}>} */
    sent: [],
    /** @type {string[]} */
    broadcasts: [],
    unlistened: 0,
    on(event, fn) {
      listeners.set(event, fn)
      return () => {
        listeners.delete(event)
        t.unlistened++
      }
    },
    send(peer, data) {
      t.sent.push({ peer, data })
    },
    broadcast(data) {
      t.broadcasts.push(data)
    },
    peers: () => [],
    close() {},
    /** What the network hands the messenger. */
    deliver(from, data) {
      listeners.get('message')?.({ from, data })
    }
  }
  return t
}

/** A messenger over a fake transport, recording what it hands on. */
function setup({ limits = LIMITS, rateLimit = { messages: 1e6, bytes: 1e12 }, fragmentTtl = TTL } = {}) {
  const transport = fakeTransport()
  const messenger = new Messenger(transport, 'self', { limits, rateLimit, fragmentTtl })
  /** @type {Array<{from: string, msg: any}>} */
  const got = []
  messenger.onMessage((from, msg) => got.push({ from, msg }))
  return { transport, messenger, got }
}

/** A put long enough to need several frames. */
function longPut() {
  const records = Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, hlc: H1, origin: 'p', deleted: false, json: JSON.stringify('v'.repeat(30000) + i) }))
  return { t: 'put', id: 5, records }
}

/** A fragment frame (text), valid as a frame whatever its data. */
function frag(id, i, n, d) {
  return JSON.stringify({ v: 1, t: 'frag', id, i, n, d })
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }))
afterEach(() => mock.timers.reset())

test('regression: what this peer sends a peer is rate-limited like what it receives (requests could make it send without bound)', () => {
  const { transport, messenger } = setup({ rateLimit: { messages: 1000, bytes: 1000 } })
  const msg = { t: 'got', id: 1, records: [{ key: 'k', hlc: H1, origin: 'p', deleted: false, json: JSON.stringify('v'.repeat(600)) }] }
  assert.equal(messenger.canSend('peer', 700), true)
  assert.equal(messenger.send('peer', msg), true)
  assert.equal(messenger.send('peer', msg), true)
  assert.equal(messenger.send('peer', msg), false, 'past the burst of 2 x 1,000 characters')
  assert.equal(messenger.canSend('peer', 700), false)
  assert.equal(messenger.stats.throttled, 1)
  assert.equal(transport.sent.length, 2)
  assert.equal(messenger.send('other', msg), true, 'per peer')
  mock.timers.tick(1000)
  assert.equal(messenger.send('peer', msg), true, 'the budget refills')
})

test('a valid frame reaches the handler, counted in', () => {
  const { transport, messenger, got } = setup()
  const [frame] = encode({ t: 'ack', id: 3 }, () => 1)
  transport.deliver('peer', frame)
  assert.deepEqual(got, [{ from: 'peer', msg: { t: 'ack', id: 3 } }])
  assert.equal(messenger.stats.messagesIn, 1)
  assert.equal(messenger.stats.bytesIn, frame.length)
  assert.equal(messenger.stats.rejected, 0)
})

describe('rejections, counted with their reasons', () => {
  test('bad sender, self, not text, malformed frame', () => {
    const { transport, messenger, got } = setup()
    const [frame] = encode({ t: 'hb' }, () => 1)
    transport.deliver(5, frame)
    transport.deliver(undefined, frame)
    transport.deliver('self', frame)
    transport.deliver('peer', new Uint8Array(4))
    transport.deliver('peer', { t: 'hb', v: 1 })
    transport.deliver('peer', 'not json')
    transport.deliver('peer', '{"v":1,"t":"nope"}')
    transport.deliver('peer', '{"v":1,"t":"put","id":1,"r":[["k","0000000000000000","p",0,"1"]]}')
    assert.deepEqual(got, [])
    assert.deepEqual(messenger.stats.rejectedWhy, { 'bad sender': 3, 'not text': 2, 'malformed frame': 3 })
    assert.equal(messenger.stats.rejected, 8)
    // Only text that passed the sender and rate checks counts as in.
    assert.equal(messenger.stats.messagesIn, 3)
  })

  test('a sender id that is no peer id is a bad sender (an empty one broke the ring)', () => {
    // Regression: '' (or a lone surrogate, which UTF-8 turns into U+FFFD)
    // passed as a sender; membership added it, the engine refused the ring
    // of those members, and the store kept a released ring view: reads and
    // replicasFor threw INTERNAL and writes stopped replicating.
    const { transport, messenger, got } = setup()
    const [frame] = encode({ t: 'hb' }, () => 1)
    for (const from of ['', 'b\ud800', '\udc00b', 'x'.repeat(256)]) transport.deliver(from, frame)
    assert.deepEqual(got, [])
    assert.deepEqual(messenger.stats.rejectedWhy, { 'bad sender': 4 })
    transport.deliver('x'.repeat(255), frame)
    transport.deliver('p😀', frame)
    assert.equal(got.length, 2)
  })

  test('rate limit: a burst of twice the rate, then drops', () => {
    const { transport, messenger, got } = setup({ rateLimit: { messages: 2, bytes: 1e9 } })
    const [frame] = encode({ t: 'hb' }, () => 1)
    for (let i = 0; i < 5; i++) transport.deliver('peer', frame)
    assert.equal(got.length, 4)
    assert.deepEqual(messenger.stats.rejectedWhy, { 'rate limit': 1 })
    assert.equal(messenger.stats.messagesIn, 4)
    // Other peers have their own budget.
    transport.deliver('other', frame)
    assert.equal(got.length, 5)
    // Half a second refills one message.
    mock.timers.tick(500)
    transport.deliver('peer', frame)
    transport.deliver('peer', frame)
    assert.equal(got.length, 6)
    assert.equal(messenger.stats.rejectedWhy['rate limit'], 2)
  })

  test('bad fragments: a part count that changes', () => {
    const { transport, messenger, got } = setup()
    transport.deliver('peer', frag(1, 0, 3, 'ab'))
    transport.deliver('peer', frag(1, 1, 2, 'cd'))
    assert.deepEqual(messenger.stats.rejectedWhy, { 'bad fragments': 1 })
    assert.deepEqual(got, [])
  })

  test('malformed message: fragments that join into no message', () => {
    const { transport, messenger, got } = setup()
    transport.deliver('peer', frag(1, 0, 2, '{"v":1,"t":'))
    transport.deliver('peer', frag(1, 1, 2, '"nope"}'))
    transport.deliver('peer', frag(2, 0, 2, '{"v":1,"t":"frag","id":1,'))
    transport.deliver('peer', frag(2, 1, 2, '"i":0,"n":2,"d":""}'))
    assert.deepEqual(messenger.stats.rejectedWhy, { 'malformed message': 2 })
    assert.deepEqual(got, [])
  })

  test('reject() counts a reason given by a handler', () => {
    const { messenger } = setup()
    messenger.reject('peer', 'version from the future')
    messenger.reject('peer', 'version from the future')
    assert.equal(messenger.stats.rejected, 2)
    assert.deepEqual(messenger.stats.rejectedWhy, { 'version from the future': 2 })
  })
})

describe('fragments', () => {
  test('reassembled in any order, duplicates ignored', () => {
    const { transport, messenger, got } = setup()
    const msg = longPut()
    const frames = encode(msg, () => 9)
    assert.ok(frames.length >= 3)
    const order = [...frames.keys()].reverse()
    transport.deliver('peer', frames[order[0]])
    transport.deliver('peer', frames[order[0]])
    for (const i of order.slice(1)) {
      assert.equal(got.length, 0)
      transport.deliver('peer', frames[i])
    }
    assert.equal(got.length, 1)
    assert.equal(got[0].from, 'peer')
    assert.deepEqual(got[0].msg, decode(JSON.stringify({ v: 1, t: 'put', id: 5, r: msg.records.map((r) => [r.key, r.hlc, r.origin, 0, r.json]) }), LIMITS))
    assert.equal(messenger.stats.rejected, 0)
  })

  test('the same fragment id from two peers makes two messages', () => {
    const { transport, got } = setup()
    const frames = encode(longPut(), () => 1)
    frames.forEach((f) => {
      transport.deliver('p1', f)
      transport.deliver('p2', f)
    })
    assert.deepEqual(got.map((g) => g.from), ['p1', 'p2'])
  })

  test('at most 16 partial messages per peer', () => {
    const { transport, messenger } = setup()
    for (let id = 1; id <= 16; id++) transport.deliver('peer', frag(id, 0, 2, '{"v":1,'))
    assert.equal(messenger.stats.rejected, 0)
    transport.deliver('peer', frag(17, 0, 2, '{"v":1,'))
    assert.deepEqual(messenger.stats.rejectedWhy, { 'bad fragments': 1 })
    // Another peer is not affected, and the held messages still complete.
    transport.deliver('other', frag(17, 0, 2, '{"v":1,'))
    transport.deliver('peer', frag(16, 1, 2, '"t":"hb"}'))
    assert.equal(messenger.stats.rejected, 1)
  })

  test('at most 2 x maxMessageChars of text held per peer', () => {
    const limits = { ...LIMITS, maxMessageChars: 100 }
    const { transport, messenger } = setup({ limits })
    // Four messages of 2 parts out of 3, 50 characters each: 200 held.
    for (let id = 1; id <= 4; id++) {
      transport.deliver('peer', frag(id, 0, 3, 'x'.repeat(25)))
      transport.deliver('peer', frag(id, 1, 3, 'x'.repeat(25)))
    }
    assert.equal(messenger.stats.rejected, 0)
    transport.deliver('peer', frag(5, 0, 3, 'x'))
    assert.deepEqual(messenger.stats.rejectedWhy, { 'bad fragments': 1 })
    // Each peer has its own allowance.
    transport.deliver('other', frag(5, 0, 3, 'x'))
    assert.equal(messenger.stats.rejected, 1)
  })

  test('one message longer than maxMessageChars is dropped', () => {
    const limits = { ...LIMITS, maxMessageChars: 100 }
    const { transport, messenger } = setup({ limits })
    transport.deliver('peer', frag(1, 0, 3, 'x'.repeat(60)))
    transport.deliver('peer', frag(1, 1, 3, 'x'.repeat(40)))
    assert.equal(messenger.stats.rejected, 0)
    transport.deliver('peer', frag(1, 2, 3, 'x'))
    assert.deepEqual(messenger.stats.rejectedWhy, { 'bad fragments': 1 })
  })

  test('partial messages expire after fragmentTtl', () => {
    const { transport, messenger, got } = setup()
    transport.deliver('peer', frag(1, 0, 2, '{"v":1,'))
    transport.deliver('peer', frag(2, 0, 2, '{"v":1,'))
    mock.timers.tick(TTL)
    // At fragmentTtl it is still held.
    transport.deliver('peer', frag(1, 1, 2, '"t":"hb"}'))
    assert.equal(got.length, 1)
    mock.timers.tick(1)
    // Past it, the first part is gone: the second alone starts a new message.
    transport.deliver('peer', frag(2, 1, 2, '"t":"hb"}'))
    assert.equal(got.length, 1)
    transport.deliver('peer', frag(2, 0, 2, '{"v":1,'))
    assert.equal(got.length, 2)
    assert.equal(messenger.stats.rejected, 0)
  })

  test('regression: partial messages expire on a timer, though their peer sends nothing more (they pinned memory for good)', () => {
    const { transport, messenger } = setup()
    transport.deliver('peer', frag(1, 0, 3, 'x'.repeat(50000)))
    assert.equal(messenger.partialChars, 50000)
    mock.timers.tick(2 * TTL)
    assert.equal(messenger.partialChars, 0)
  })

  test('past 4 whole messages held in all, the peer holding the most loses its oldest', () => {
    const limits = { ...LIMITS, maxMessageChars: 100000 }
    const { transport, messenger } = setup({ limits })
    const piece = 'x'.repeat(50000)
    // 4 peers hold 2 x 50,000 each: the total bound, 400,000 characters.
    for (const peer of ['a', 'b', 'c', 'd']) {
      transport.deliver(peer, frag(1, 0, 3, piece))
      transport.deliver(peer, frag(2, 0, 3, piece))
    }
    assert.equal(messenger.partialChars, 400000)
    assert.equal(messenger.stats.rejected, 0)
    transport.deliver('e', frag(1, 0, 3, piece))
    assert.equal(messenger.partialChars, 400000, 'bounded in all')
    assert.equal(messenger.stats.rejectedWhy['fragments over the total bound'], 1)
    // The newcomer's message is kept: one of the largest holders lost its oldest.
    transport.deliver('e', frag(1, 1, 3, piece.slice(0, 10)))
    assert.equal(messenger.partialChars, 400010 - 50000)
  })

  test('expired partial messages free their slots', () => {
    const { transport, messenger } = setup()
    for (let id = 1; id <= 16; id++) transport.deliver('peer', frag(id, 0, 2, 'x'))
    mock.timers.tick(TTL + 1)
    for (let id = 17; id <= 32; id++) transport.deliver('peer', frag(id, 0, 2, 'x'))
    assert.equal(messenger.stats.rejected, 0)
  })
})

test('forget(peer) drops its partial messages and its rate budget', () => {
  // A burst of 2 messages.
  const { transport, messenger, got } = setup({ rateLimit: { messages: 1, bytes: 1e9 } })
  transport.deliver('peer', frag(1, 0, 2, '{"v":1,'))
  transport.deliver('peer', frag(2, 0, 2, '{"v":1,'))
  messenger.forget('peer')
  transport.deliver('peer', frag(1, 1, 2, '"t":"hb"}'))
  assert.equal(got.length, 0, 'the first part was dropped')
  transport.deliver('peer', frag(2, 1, 2, '"t":"hb"}'))
  assert.equal(got.length, 0, 'the first part was dropped')
  assert.equal(messenger.stats.rejected, 0, 'a fresh budget after forget')
  transport.deliver('peer', frag(1, 0, 2, '{"v":1,'))
  assert.deepEqual(messenger.stats.rejectedWhy, { 'rate limit': 1 })
  messenger.forget('peer')
  transport.deliver('peer', '{"v":1,"t":"hb"}')
  assert.equal(got.length, 1)
})

test('stats count frames and characters out, per type', () => {
  const { transport, messenger } = setup()
  messenger.send('p1', { t: 'ack', id: 1 })
  assert.equal(transport.sent.length, 1)
  assert.deepEqual(JSON.parse(transport.sent[0].data), { v: 1, t: 'ack', id: 1 })
  const ackChars = transport.sent[0].data.length
  assert.equal(messenger.stats.messagesOut, 1)
  assert.equal(messenger.stats.bytesOut, ackChars)
  messenger.send('p2', longPut())
  const frames = transport.sent.slice(1)
  assert.ok(frames.length > 1)
  assert.ok(frames.every((f) => f.peer === 'p2' && f.data.length <= FRAGMENT_CHARS))
  const putChars = frames.reduce((n, f) => n + f.data.length, 0)
  messenger.broadcast({ t: 'hb', h: H1 })
  assert.equal(transport.broadcasts.length, 1)
  assert.equal(messenger.stats.messagesOut, 1 + frames.length + 1)
  assert.equal(messenger.stats.bytesOut, ackChars + putChars + transport.broadcasts[0].length)
  // Fragment ids differ between long messages.
  messenger.send('p2', longPut())
  const ids = new Set(transport.sent.filter((f) => f.data.includes('"frag"')).map((f) => JSON.parse(f.data).id))
  assert.equal(ids.size, 2)
})

test('nothing after close()', () => {
  const { transport, messenger, got } = setup()
  transport.deliver('peer', frag(1, 0, 2, '{"v":1,'))
  messenger.close()
  transport.deliver('peer', frag(1, 1, 2, '"t":"hb"}'))
  assert.deepEqual(got, [])
  assert.equal(transport.unlistened, 1)
  messenger.send('p', { t: 'ack', id: 1 })
  messenger.broadcast({ t: 'hb' })
  assert.deepEqual(transport.sent, [])
  assert.deepEqual(transport.broadcasts, [])
  assert.equal(messenger.stats.messagesOut, 0)
})

test('a message the transport still delivers after close() is dropped', () => {
  // A transport whose unsubscribe does not take effect at once.
  const transport = fakeTransport()
  const on = transport.on
  transport.on = (event, fn) => {
    on(event, fn)
    return () => transport.unlistened++
  }
  const messenger = new Messenger(transport, 'self', { limits: LIMITS, rateLimit: { messages: 10, bytes: 1e6 }, fragmentTtl: TTL })
  const got = []
  messenger.onMessage((from, msg) => got.push({ from, msg }))
  const [frame] = encode({ t: 'hb' }, () => 1)
  transport.deliver('peer', frame)
  messenger.close()
  transport.deliver('peer', frame)
  transport.deliver('self', frame)
  assert.equal(got.length, 1)
  assert.equal(messenger.stats.messagesIn, 1)
  assert.equal(messenger.stats.rejected, 0)
})
