// CombinedTransport: several transports, one set of peers.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PagingStorageError } from '../../../../js/core/errors.js'
import { Emitter } from '../../../../js/core/emitter.js'
import { CombinedTransport } from '../../../../js/transport/combined.js'
import { recordEvents as record } from '../../../support/transport-events.js'

/** A transport whose peers the test moves by hand; it records what it sends. */
class FakeTransport {
  events = new Emitter()
  /** @type {Set<string>} */
  reach = new Set()
  sent = []
  closed = false
  constructor(peerId, peers = []) {
    this.peerId = peerId
    for (const p of peers) this.reach.add(p)
  }
  peers() {
    return [...this.reach]
  }
  send(peer, data) {
    this.sent.push(`${peer}:${data}`)
  }
  broadcast(data) {
    this.sent.push(`*:${data}`)
  }
  on(e, fn) {
    return this.events.on(e, fn)
  }
  close() {
    this.closed = true
  }
  join(p) {
    this.reach.add(p)
    this.events.emit('peer-joined', { peerId: p })
  }
  leave(p) {
    this.reach.delete(p)
    this.events.emit('peer-left', { peerId: p })
  }
}


test('a peer reached by two transports joins once and leaves when neither reaches it', () => {
  const pigeon = new FakeTransport('me', ['b'])
  const ws = new FakeTransport('me', ['b', 'server'])
  const t = new CombinedTransport([pigeon, ws])
  const seen = record(t)
  assert.deepEqual(t.peers().sort(), ['b', 'server'])
  pigeon.join('c')
  ws.join('c')
  pigeon.leave('b')
  assert.deepEqual(t.peers().sort(), ['b', 'c', 'server'])
  ws.leave('b')
  ws.leave('server')
  assert.deepEqual(seen, ['+c', '-b', '-server'])
  // A peer-left from a transport that never reached the peer changes nothing.
  pigeon.leave('c')
  pigeon.leave('zzz')
  assert.deepEqual(t.peers(), ['c'])
  assert.deepEqual(seen, ['+c', '-b', '-server'])
})

test('sends go through the first transport that reaches the peer; broadcasts through all', () => {
  const pigeon = new FakeTransport('me', ['b'])
  const ws = new FakeTransport('me', ['b', 'server'])
  const t = new CombinedTransport([pigeon, ws])
  t.send('b', 'one')
  t.send('server', 'two')
  t.send('nobody', 'three')
  t.broadcast('hb')
  assert.deepEqual(pigeon.sent, ['b:one', '*:hb'])
  assert.deepEqual(ws.sent, ['server:two', '*:hb'])
  // Once the direct transport loses the peer, the other carries it.
  pigeon.leave('b')
  t.send('b', 'four')
  assert.deepEqual(ws.sent.at(-1), 'b:four')
})

test('messages from every transport arrive; close closes only the transports it owns', () => {
  const app = new FakeTransport('me')
  const mine = new FakeTransport('me')
  const t = new CombinedTransport([app, mine], { owned: [mine] })
  const seen = record(t)
  app.events.emit('message', { from: 'x', data: '1' })
  mine.events.emit('message', { from: 'y', data: '2' })
  t.close()
  app.events.emit('message', { from: 'x', data: 'after close' })
  assert.deepEqual(seen, ['x:1', 'y:2'])
  assert.equal(app.closed, false)
  assert.equal(mine.closed, true)
})

test('transports with other peer ids, or none, are refused', () => {
  assert.throws(() => new CombinedTransport([]), (e) => e instanceof PagingStorageError && e.code === 'INVALID_ARGUMENT')
  assert.throws(
    () => new CombinedTransport([new FakeTransport('a'), new FakeTransport('b')]),
    (e) => e instanceof PagingStorageError && e.code === 'INVALID_ARGUMENT'
  )
})
