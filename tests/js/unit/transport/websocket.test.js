// WebSocketTransport against a real hub: welcome, peers through the hub,
// relayed messages, reconnecting with backoff when the hub comes back, and a
// hub that breaks the frame grammar.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocketServer } from 'ws'
import { PagingStorageError } from '../../../../js/core/errors.js'
import { WebSocketTransport } from '../../../../js/transport/websocket.js'
import { startHub, until } from '../../../support/hub-server.js'
import { recordEvents as record } from '../../../support/transport-events.js'


test('clients of one hub see the hub and each other, and talk through it', async (t) => {
  const server = await startHub()
  t.after(() => server.close())
  const a = new WebSocketTransport(server.url, { peerId: 'a' })
  const b = new WebSocketTransport(server.url, { peerId: 'b' })
  t.after(() => (a.close(), b.close()))
  const seenA = record(a)
  const seenB = record(b)
  await until(() => a.peers().length === 2 && b.peers().length === 2, 5000, 'both clients to see two peers')
  assert.deepEqual(a.peers().sort(), ['b', 'hub'])
  assert.equal(a.hubId, 'hub')
  const atHub = []
  server.hub.on('message', (e) => atHub.push(`${e.from}:${e.data}`))
  a.send('b', 'to b')
  a.send('hub', 'to the hub')
  a.send('nobody', 'dropped here')
  b.broadcast('hb from b')
  server.hub.send('a', 'from the hub')
  await until(() => seenB.includes('a:to b') && seenA.includes('b:hb from b') && seenA.includes('hub:from the hub'), 5000, 'messages')
  await until(() => atHub.length === 2)
  assert.deepEqual(atHub.sort(), ['a:to the hub', 'b:hb from b'])
  // b leaves: a hears it from the hub.
  b.close()
  await until(() => seenA.includes('-b'), 5000, 'a to hear b left')
  assert.deepEqual(a.peers(), ['hub'])
})

test('the hub going away reports every peer left; the client reconnects when it is back', async (t) => {
  let server = await startHub()
  const port = server.port
  const a = new WebSocketTransport(server.url, { peerId: 'a', minBackoff: 50, maxBackoff: 200 })
  t.after(() => a.close())
  const states = []
  a.on('connection', (e) => states.push(e.connected))
  const seen = record(a)
  await until(() => a.connected)
  await server.close()
  await until(() => !a.connected, 5000, 'the drop')
  assert.deepEqual(a.peers(), [])
  assert.deepEqual(seen, ['+hub', '-hub'])
  a.send('hub', 'offline: dropped')
  server = await startHub({}, port)
  t.after(() => server.close())
  await until(() => a.connected, 5000, 'the reconnect')
  assert.deepEqual(states, [true, false, true])
  assert.equal(a.connections, 2)
  assert.deepEqual(seen, ['+hub', '-hub', '+hub'])
})

test('a hub that breaks the frame grammar is dropped; nothing it sent reaches the store', async (t) => {
  // A fake hub: welcomes, then sends a frame from a peer it never announced, then garbage.
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => wss.on('listening', resolve))
  t.after(() => wss.close())
  let sockets = 0
  wss.on('connection', (ws) => {
    sockets++
    ws.on('message', () => {
      ws.send(JSON.stringify({ welcome: 'evil', v: 1, peers: ['x', 'bad\nid', 5] }))
      ws.send('<stranger\nforged')
      ws.send('<x\nfine')
      ws.send('garbage')
    })
  })
  const a = new WebSocketTransport(`ws://127.0.0.1:${wss.address().port}`, { peerId: 'a', minBackoff: 2000 })
  t.after(() => a.close())
  const seen = record(a)
  await until(() => seen.includes('-x'), 5000, 'the drop')
  assert.deepEqual(seen, ['+evil', '+x', 'x:fine', '-evil', '-x'])
  assert.equal(sockets, 1)
})

test('a silent hub is dropped after idleTimeout', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => wss.on('listening', resolve))
  t.after(() => wss.close())
  wss.on('connection', (ws) => ws.on('message', () => ws.send(JSON.stringify({ welcome: 'quiet', v: 1, peers: [] }))))
  const a = new WebSocketTransport(`ws://127.0.0.1:${wss.address().port}`, { peerId: 'a', idleTimeout: 200, minBackoff: 5000 })
  t.after(() => a.close())
  await until(() => a.connected)
  const at = Date.now()
  await until(() => !a.connected, 3000, 'the idle drop')
  assert.ok(Date.now() - at >= 150)
})

test('bad addresses and peer ids are refused', () => {
  const bad = (fn) => assert.throws(fn, (e) => e instanceof PagingStorageError && e.code === 'INVALID_ARGUMENT')
  bad(() => new WebSocketTransport('http://x', { peerId: 'a' }))
  bad(() => new WebSocketTransport('ws://x', { peerId: '' }))
  bad(() => new WebSocketTransport('ws://x', /** @type {any} */ ({})))
})
