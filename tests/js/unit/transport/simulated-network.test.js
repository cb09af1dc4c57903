import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import { SimulatedNetwork, seededRandom } from '../../../../js/transport/simulated-network.js'

/** Joins peers and records every event each one sees. */
function setup(options, ids = ['a', 'b', 'c']) {
  const net = new SimulatedNetwork(options)
  const events = {}
  const nodes = {}
  for (const id of ids) {
    events[id] = []
    nodes[id] = net.join(id)
    for (const e of ['peer-joined', 'peer-left', 'message']) nodes[id].on(e, (p) => events[id].push([e, e === 'message' ? `${p.from}:${p.data}` : p.peerId]))
  }
  return { net, nodes, events }
}
const messages = (list) => list.filter(([e]) => e === 'message').map(([, m]) => m)

describe('seededRandom', () => {
  test('the same seed gives the same sequence, in [0, 1)', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const c = seededRandom(43)
    const xs = Array.from({ length: 1000 }, () => a())
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()))
    assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c()))
    assert.ok(xs.every((x) => x >= 0 && x < 1))
    assert.ok(new Set(xs).size > 990)
  })
})

describe('SimulatedNetwork', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }))
  afterEach(() => mock.timers.reset())

  test('joining announces peers both ways', () => {
    const net = new SimulatedNetwork()
    const seen = { a: [], b: [] }
    const a = net.join('a')
    a.on('peer-joined', (e) => seen.a.push(e.peerId))
    const b = net.join('b')
    assert.deepEqual(seen.a, ['b'])
    b.on('peer-joined', (e) => seen.b.push(e.peerId))
    net.join('c')
    assert.deepEqual(seen, { a: ['b', 'c'], b: ['c'] })
    assert.deepEqual(a.peers().sort(), ['b', 'c'])
    assert.deepEqual(net.peerIds(), ['a', 'b', 'c'])
    assert.equal(a.peerId, 'a')
    assert.throws(() => net.join('a'), /already joined/)
  })

  test('messages arrive after a latency within [min, max]', () => {
    const { nodes, events, net } = setup({ latency: [10, 20] })
    nodes.a.send('b', 'hello')
    mock.timers.tick(9)
    assert.deepEqual(messages(events.b), [])
    mock.timers.tick(11)
    assert.deepEqual(messages(events.b), ['a:hello'])
    assert.deepEqual(messages(events.c), [])
    assert.deepEqual(net.stats, { sent: 1, delivered: 1, lost: 0, bytes: 5 })
  })

  test('broadcast reaches every reachable peer but self', () => {
    const { nodes, events } = setup({ latency: [1, 1] })
    nodes.a.broadcast('hb')
    mock.timers.tick(1)
    assert.deepEqual(messages(events.a), [])
    assert.deepEqual(messages(events.b), ['a:hb'])
    assert.deepEqual(messages(events.c), ['a:hb'])
  })

  test('loss drops messages, counted', () => {
    const { nodes, events, net } = setup({ latency: [1, 1], loss: 1 })
    assert.equal(net.loss, 1)
    for (let i = 0; i < 10; i++) nodes.a.send('b', 'x')
    mock.timers.tick(5)
    assert.deepEqual(messages(events.b), [])
    assert.equal(net.stats.lost, 10)
    net.loss = 0
    nodes.a.send('b', 'y')
    mock.timers.tick(5)
    assert.deepEqual(messages(events.b), ['a:y'])
  })

  test('a seed replays the same losses', () => {
    const run = (seed) => {
      const { nodes, events } = setup({ seed, latency: [1, 1], loss: 0.5 })
      for (let i = 0; i < 40; i++) nodes.a.send('b', String(i))
      mock.timers.tick(5)
      return messages(events.b)
    }
    const first = run(7)
    assert.ok(first.length > 5 && first.length < 35)
    assert.deepEqual(run(7), first)
  })

  test('partitions: no messages across groups, peers seen leaving and coming back', () => {
    const { net, nodes, events } = setup({ latency: [1, 1] })
    net.partition([['a'], ['b', 'c']])
    assert.deepEqual(events.a.filter(([e]) => e === 'peer-left').map(([, p]) => p).sort(), ['b', 'c'])
    assert.deepEqual(events.b.filter(([e]) => e === 'peer-left').map(([, p]) => p), ['a'])
    assert.equal(net.reachable('a', 'b'), false)
    assert.equal(net.reachable('b', 'c'), true)
    assert.deepEqual(nodes.a.peers(), [])
    nodes.a.send('b', 'x')
    nodes.b.send('c', 'y')
    mock.timers.tick(5)
    assert.deepEqual(messages(events.b), [])
    assert.deepEqual(messages(events.c), ['b:y'])
    assert.equal(net.stats.sent, 1, 'an unreachable send is not even sent')
    const before = events.a.length
    net.heal()
    assert.deepEqual(events.a.slice(before).map(([e, p]) => `${e} ${p}`).sort(), ['peer-joined b', 'peer-joined c'])
    nodes.a.send('b', 'z')
    mock.timers.tick(5)
    assert.deepEqual(messages(events.b), ['a:z'])
  })

  test('peers in no group share one group', () => {
    const { net } = setup({}, ['a', 'b', 'c', 'd'])
    net.partition([['a']])
    assert.equal(net.reachable('b', 'c'), true)
    assert.equal(net.reachable('a', 'b'), false)
    assert.equal(net.reachable('a', 'a'), false)
  })

  test('a message in flight when the network splits is dropped', () => {
    const { net, nodes, events } = setup({ latency: [10, 10] })
    nodes.a.send('b', 'x')
    net.partition([['a'], ['b']])
    mock.timers.tick(10)
    assert.deepEqual(messages(events.b), [])
    assert.equal(net.stats.delivered, 0)
  })

  test('leave and close: the others see the peer go; a closed peer sends nothing', () => {
    const { net, nodes, events } = setup({ latency: [1, 1] })
    nodes.c.close()
    assert.deepEqual(events.a.filter(([e]) => e === 'peer-left'), [['peer-left', 'c']])
    assert.deepEqual(nodes.c.peers(), [])
    nodes.c.send('a', 'x')
    nodes.c.broadcast('y')
    nodes.a.send('c', 'z')
    mock.timers.tick(5)
    assert.deepEqual(messages(events.a), [])
    assert.deepEqual(messages(events.c), [])
    assert.deepEqual(net.peerIds(), ['a', 'b'])
    net.leave('nobody')
    net.leave('c')
    assert.equal(events.a.filter(([e]) => e === 'peer-left').length, 1)
  })

  test('unsubscribing stops events', () => {
    const net = new SimulatedNetwork({ latency: [1, 1] })
    const a = net.join('a')
    const b = net.join('b')
    const got = []
    const off = b.on('message', (m) => got.push(m.data))
    a.send('b', '1')
    mock.timers.tick(1)
    off()
    a.send('b', '2')
    mock.timers.tick(1)
    assert.deepEqual(got, ['1'])
  })
})

test('settled() resolves once nothing is in flight', async () => {
  const net = new SimulatedNetwork({ latency: [1, 3] })
  const a = net.join('a')
  const b = net.join('b')
  const got = []
  b.on('message', (m) => got.push(m.data))
  for (let i = 0; i < 5; i++) a.send('b', String(i))
  await net.settled()
  assert.equal(got.length, 5)
  assert.equal(net.stats.delivered, 5)
})
