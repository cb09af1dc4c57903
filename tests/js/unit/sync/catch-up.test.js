import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { ZERO_HLC, hlcAtWallMs } from '../../../../js/core/versions.js'
import { CatchUp } from '../../../../js/sync/catch-up.js'
import { fakeContext, fakeRing, flush } from './fakes.js'

const RETRY = 1000
const PEER_TIMEOUT = 7000
const NOW = 1_000_000_000

function setup(opts = {}) {
  const { startHlc, ...over } = { startHlc: hlcAtWallMs(NOW - 60_000), ...opts }
  const f = fakeContext({ retryInterval: RETRY, ...over })
  const catchUp = new CatchUp(f.ctx, { peerTimeout: PEER_TIMEOUT, startHlc })
  const sinces = () => f.sent.filter((s) => s.msg.t === 'since')
  const acks = () => f.sent.filter((s) => s.msg.t === 'ack')
  return { ...f, catchUp, sinces, acks }
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: NOW }))
afterEach(() => mock.timers.reset())

describe('asking', () => {
  test('first contact of a new store asks for everything (ZERO_HLC)', () => {
    for (const startHlc of [undefined, ZERO_HLC]) {
      const { catchUp, sinces } = setup({ startHlc })
      catchUp.onFirstContact('B')
      assert.deepEqual(sinces().map((s) => [s.peer, s.msg.h]), [['B', ZERO_HLC]])
      catchUp.close()
    }
  })

  test('first contact of a store with data asks from its start clock minus 10 s', () => {
    const start = hlcAtWallMs(NOW - 60_000).slice(0, 12) + '00ff' // counter bits are dropped
    const { catchUp, sinces } = setup({ startHlc: start })
    catchUp.onFirstContact('B')
    assert.equal(sinces()[0].msg.h, hlcAtWallMs(NOW - 60_000 - 10_000))
  })

  test("a return asks from the peer's last heartbeat clock when known", () => {
    const { catchUp, sinces } = setup()
    const h1 = hlcAtWallMs(NOW - 5000)
    const h2 = hlcAtWallMs(NOW - 4000)
    catchUp.onHeartbeat('B', h1)
    catchUp.onHeartbeat('B', h2)
    catchUp.onHeartbeat('B', h1) // a clock never goes back
    catchUp.onHeartbeat('B', undefined)
    catchUp.onReturn('B', NOW - 30_000)
    assert.deepEqual(sinces().map((s) => [s.peer, s.msg.h]), [['B', h2]])
  })

  test('a return without a known clock asks from lastSeen - peerTimeout - 10 s', () => {
    const { catchUp, sinces } = setup()
    catchUp.onHeartbeat('C', hlcAtWallMs(NOW)) // another peer's clock
    catchUp.onReturn('B', NOW - 30_000)
    assert.equal(sinces()[0].msg.h, hlcAtWallMs(NOW - 30_000 - PEER_TIMEOUT - 10_000))
  })

  test("'since' goes out again after 150, 300, 600 ... ms, capped at retryInterval, 6 times at most", () => {
    // A retryInterval that is no multiple of a polling period.
    const { catchUp, sinces } = setup({ retryInterval: 1013 })
    catchUp.onFirstContact('B')
    const times = [0]
    const start = Date.now()
    for (let t = 0; t < 20_000; t++) {
      const before = sinces().length
      mock.timers.tick(1)
      if (sinces().length > before) times.push(Date.now() - start)
    }
    // Intervals 150, 300, 600, then retryInterval.
    assert.deepEqual(times, [0, 150, 450, 1050, 2063, 3076])
    assert.equal(new Set(sinces().map((s) => s.msg.id)).size, 1, 'the same request each time')
    assert.ok(sinces().every((s) => s.peer === 'B' && s.msg.h === sinces()[0].msg.h))
  })

  test('an ack stops the retries', () => {
    const { catchUp, sinces } = setup()
    catchUp.onFirstContact('B')
    const { id } = sinces()[0].msg
    mock.timers.tick(150)
    assert.equal(sinces().length, 2)
    assert.equal(catchUp.onAck('C', id), false, 'an ack from another peer')
    assert.equal(catchUp.onAck('B', id + 1), false, 'an unknown id')
    assert.equal(catchUp.onAck('B', id), true)
    assert.equal(catchUp.onAck('B', id), false, 'acknowledged already')
    mock.timers.tick(60_000)
    assert.equal(sinces().length, 2)
  })

  test('retries stop when the peer is no longer a member', () => {
    let member = true
    const { catchUp, sinces } = setup({ isMember: () => member })
    catchUp.onFirstContact('B')
    mock.timers.tick(150)
    member = false
    mock.timers.tick(60_000)
    assert.equal(sinces().length, 2)
  })

  test('close() stops retries and later asks', () => {
    const { catchUp, sinces } = setup()
    catchUp.onFirstContact('B')
    catchUp.close()
    catchUp.onFirstContact('C')
    catchUp.onReturn('D', NOW)
    mock.timers.tick(60_000)
    assert.equal(sinces().length, 1)
  })

  test('isCatchingUp: for 4 x retryInterval after asking', () => {
    const { catchUp } = setup()
    assert.equal(catchUp.isCatchingUp('B'), false)
    catchUp.onFirstContact('B')
    assert.equal(catchUp.isCatchingUp('B'), true)
    assert.equal(catchUp.isCatchingUp('C'), false)
    mock.timers.tick(4 * RETRY)
    assert.equal(catchUp.isCatchingUp('B'), true)
    mock.timers.tick(1)
    assert.equal(catchUp.isCatchingUp('B'), false)
  })
})

describe('serving a since', () => {
  const H = hlcAtWallMs(NOW - 100_000)
  const newer = hlcAtWallMs(NOW - 50_000)
  const older = hlcAtWallMs(NOW - 200_000)
  const entry = (key, hlc, origin = 'X') => ({ key, hlc, origin, deleted: false })

  /** Self A, asker B; replicas per key from the table. */
  function serveSetup() {
    const ring = fakeRing(['A', 'B', 'C'], {
      mine: ['B', 'A', 'C'], // first other than the asker: A
      mineToo: ['A', 'B'],
      theirs: ['B', 'C', 'A'], // first other than the asker: C
      notShared: ['C', 'A'],
      old: ['A', 'B'],
      ownWrite: ['A', 'B'],
      equal: ['A', 'B']
    })
    const entries = [
      entry('mine', newer),
      entry('mineToo', newer, 'C'),
      entry('theirs', newer),
      entry('notShared', newer),
      entry('old', older),
      entry('equal', H),
      entry('ownWrite', newer, 'B')
    ]
    const f = setup({ ringView: ring, syncScan: async (_r, queries) => (f.scans.push(queries), [{ entries }]) })
    return { ...f, ring }
  }

  test('pushes the keys whose first replica other than the asker is self, newer than h; skips its own writes; then acks', async () => {
    const f = serveSetup()
    await f.catchUp.onSince('B', 42, H)
    assert.deepEqual(f.scans, [[{ peer: 'B', bits: 0, prefix: 0, entries: true }]])
    assert.deepEqual(f.pushed, [{ peer: 'B', keys: ['mine', 'mineToo'] }])
    assert.deepEqual(f.sent, [{ peer: 'B', msg: { t: 'ack', id: 42 } }])
    assert.equal(f.ring.refs, 1, 'the ring reference taken is given back')
    assert.equal(f.catchUp.isCatchingUp('B'), true)
  })

  test('the ack follows the pushes', async () => {
    const f = serveSetup()
    const order = []
    f.ctx.pushKeys = async () => {
      await flush()
      order.push('push')
    }
    const send = f.ctx.send
    f.ctx.send = (peer, msg) => (order.push(msg.t), send(peer, msg))
    await f.catchUp.onSince('B', 1, H)
    assert.deepEqual(order, ['push', 'ack'])
  })

  test('a repeat is answered with an ack only', async () => {
    const f = serveSetup()
    await f.catchUp.onSince('B', 42, H)
    await f.catchUp.onSince('B', 42, H)
    assert.equal(f.scans.length, 1)
    assert.equal(f.pushed.length, 1)
    assert.deepEqual(f.acks().map((s) => s.msg.id), [42, 42])
    // The same id from another peer is another request.
    await f.catchUp.onSince('C', 42, H)
    assert.equal(f.scans.length, 2)
  })

  test('nothing newer: no push, still an ack', async () => {
    const f = serveSetup()
    await f.catchUp.onSince('B', 7, hlcAtWallMs(NOW))
    assert.deepEqual(f.pushed, [])
    assert.deepEqual(f.acks().map((s) => s.msg.id), [7])
  })

  test('a request from a non-member is ignored', async () => {
    const f = serveSetup()
    f.ctx.isMember = () => false
    await f.catchUp.onSince('B', 42, H)
    assert.deepEqual(f.sent, [])
    assert.deepEqual(f.scans, [])
  })

  test('a failed scan releases the ring and sends no ack', async () => {
    const f = serveSetup()
    f.ctx.syncScan = async () => {
      throw new Error('scan failed')
    }
    await assert.rejects(f.catchUp.onSince('B', 1, H), /scan failed/)
    assert.equal(f.ring.refs, 1)
    assert.deepEqual(f.sent, [])
  })
})

