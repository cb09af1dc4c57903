// AttachableTransport: a store's transport over a network that comes and goes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AttachableTransport } from '../../../../js/transport/attachable.js'
import { SimulatedNetwork } from '../../../../js/transport/simulated-network.js'
import { recordEvents as record } from '../../../support/transport-events.js'


test('detached: no peers, sends are dropped, nothing is heard', async () => {
  const t = new AttachableTransport('a')
  const seen = record(t)
  assert.equal(t.attached, false)
  assert.deepEqual(t.peers(), [])
  t.send('b', 'x')
  t.broadcast('y')
  assert.deepEqual(seen, [])
})

test("attaching reports the network's peers joined, and relays its messages both ways", async () => {
  const net = new SimulatedNetwork({ seed: 1, latency: [0, 0] })
  const b = net.join('b')
  const t = new AttachableTransport('a')
  const seen = record(t)
  const heard = []
  b.on('message', (e) => heard.push(`${e.from}:${e.data}`))
  t.attach(net.join('a'))
  assert.deepEqual(seen, ['+b'])
  assert.deepEqual(t.peers(), ['b'])
  t.send('b', 'hello')
  b.send('a', 'back')
  await new Promise((r) => setTimeout(r, 20))
  assert.deepEqual(heard, ['a:hello'])
  assert.deepEqual(seen, ['+b', 'b:back'])
})

test('detaching reports every joined peer left, and no message of the old network arrives after', async () => {
  const net = new SimulatedNetwork({ seed: 1, latency: [5, 5] })
  const b = net.join('b')
  net.join('c')
  const t = new AttachableTransport('a')
  const seen = record(t)
  t.attach(net.join('a'))
  b.send('a', 'late')
  t.detach()
  assert.deepEqual(seen.sort(), ['+b', '+c', '-b', '-c'])
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(seen.length, 4)
  assert.equal(t.attached, false)
})

test('a network under another peer id is refused (INVALID_ARGUMENT), and an owned one is closed', () => {
  const net = new SimulatedNetwork({ seed: 1 })
  const t = new AttachableTransport('a')
  const other = net.join('z')
  let closed = false
  const close = other.close.bind(other)
  other.close = () => {
    closed = true
    close()
  }
  assert.throws(() => t.attach(other, { owned: true }), { code: 'INVALID_ARGUMENT', message: /peerId: storage.peerId/ })
  assert.equal(closed, true)
  assert.equal(t.attached, false)
})

test('attaching a second network replaces the first: its peers leave, an owned one is closed', () => {
  const net1 = new SimulatedNetwork({ seed: 1 })
  const net2 = new SimulatedNetwork({ seed: 2 })
  net1.join('b')
  net2.join('c')
  const t = new AttachableTransport('a')
  const seen = record(t)
  const first = net1.join('a')
  let closed = 0
  first.close = () => closed++
  t.attach(first, { owned: true })
  t.attach(net2.join('a'))
  assert.deepEqual(seen, ['+b', '-b', '+c'])
  assert.equal(closed, 1)
  assert.deepEqual(t.peers(), ['c'])
})
