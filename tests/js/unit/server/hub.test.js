// WebSocketHub against clients that break its rules: no hello, a taken id,
// binary and oversized frames, floods past the rate limit, long broadcasts,
// more sockets than allowed, dead sockets.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import WebSocket from 'ws'
import { MAX_BROADCAST_CHARS } from '../../../../js/server/hub.js'
import { CLOSE_BAD_FRAME, CLOSE_FULL, CLOSE_ID_TAKEN, CLOSE_NO_HELLO } from '../../../../js/transport/websocket-frames.js'
import { startHub, until } from '../../../support/hub-server.js'

/** A raw client: its socket, the frames it got, and its close code once closed. */
async function raw(url, hello) {
  const ws = new WebSocket(url)
  const got = []
  const state = { ws, got, code: /** @type {number | null} */ (null) }
  ws.on('message', (d) => got.push(d.toString()))
  ws.on('close', (code) => (state.code = code))
  ws.on('error', () => {})
  await new Promise((resolve) => ws.on('open', resolve))
  if (hello) ws.send(JSON.stringify({ hello, v: 1 }))
  return state
}

test('a socket that never says hello is closed after helloTimeout', async (t) => {
  const server = await startHub({ helloTimeout: 100 })
  t.after(() => server.close())
  const c = await raw(server.url)
  await until(() => c.code !== null, 3000, 'the close')
  assert.equal(c.code, CLOSE_NO_HELLO)
  assert.equal(server.hub.clients, 0)
})

test('a peer id in use (or the hub\'s own) is refused; the first holder keeps it', async (t) => {
  const server = await startHub()
  t.after(() => server.close())
  const first = await raw(server.url, 'alice')
  await until(() => first.got.length === 1)
  const second = await raw(server.url, 'alice')
  const hubs = await raw(server.url, 'hub')
  await until(() => second.code !== null && hubs.code !== null, 3000, 'the refusals')
  assert.equal(second.code, CLOSE_ID_TAKEN)
  assert.equal(hubs.code, CLOSE_ID_TAKEN)
  assert.deepEqual(server.hub.peers(), ['alice'])
  assert.equal(first.code, null)
  first.ws.close()
})

test('binary frames, bad frames and control frames after hello close the socket', async (t) => {
  const server = await startHub()
  t.after(() => server.close())
  for (const send of [(ws) => ws.send(Buffer.from([1, 2, 3])), (ws) => ws.send('garbage'), (ws) => ws.send('{"hello":"again","v":1}')]) {
    const c = await raw(server.url, 'mallory')
    await until(() => c.got.length === 1)
    send(c.ws)
    await until(() => c.code !== null, 3000, 'the close')
    assert.equal(c.code, CLOSE_BAD_FRAME)
    await until(() => server.hub.peers().length === 0)
  }
  // A hello that is not one: also closed.
  const c = await raw(server.url)
  c.ws.send(JSON.stringify({ hello: 'x\ny', v: 1 }))
  await until(() => c.code !== null)
  assert.equal(c.code, CLOSE_BAD_FRAME)
})

test('frames over maxPayload close the socket (ws: 1009)', async (t) => {
  const server = await startHub({ maxPayload: 1024 })
  t.after(() => server.close())
  const c = await raw(server.url, 'big')
  await until(() => c.got.length === 1)
  c.ws.send(`>hub\n${'x'.repeat(2000)}`)
  await until(() => c.code !== null)
  assert.equal(c.code, 1009)
})

test('a client flooding past its rate limit has the excess dropped, not relayed', async (t) => {
  const server = await startHub({ rateLimit: { messages: 50, bytes: 1 << 20 } })
  t.after(() => server.close())
  const flood = await raw(server.url, 'flood')
  const victim = await raw(server.url, 'victim')
  await until(() => flood.got.length === 2 && victim.got.length === 1, 3000, 'welcomes')
  for (let i = 0; i < 1000; i++) flood.ws.send(`>victim\nmsg ${i}`)
  await until(() => server.hub.stats.framesIn >= 1002, 5000, 'the flood to arrive')
  await new Promise((r) => setTimeout(r, 100))
  const relayed = victim.got.filter((f) => f.startsWith('<flood\n')).length
  // Burst of twice the rate, plus what refilled while the flood arrived.
  assert.ok(relayed >= 100 && relayed < 200, `relayed ${relayed} of 1000`)
  assert.ok(server.hub.stats.dropped >= 800)
})

test('broadcasts longer than MAX_BROADCAST_CHARS are dropped; others reach every other client', async (t) => {
  const server = await startHub()
  t.after(() => server.close())
  const heard = []
  server.hub.on('message', (e) => heard.push(e.data))
  const a = await raw(server.url, 'a')
  const b = await raw(server.url, 'b')
  await until(() => a.got.length === 2 && b.got.length === 1)
  a.ws.send(`*\n${'x'.repeat(MAX_BROADCAST_CHARS + 1)}`)
  a.ws.send('*\nshort')
  await until(() => heard.length === 1 && b.got.length === 2)
  assert.deepEqual(heard, ['short'])
  assert.equal(b.got[1], '<a\nshort')
  assert.equal(a.got.length, 2, 'a broadcast does not come back to its sender')
})

test('no more than maxClients sockets', async (t) => {
  const server = await startHub({ maxClients: 2 })
  t.after(() => server.close())
  const a = await raw(server.url, 'a')
  const b = await raw(server.url, 'b')
  const c = await raw(server.url, 'c')
  await until(() => c.code !== null)
  assert.equal(c.code, CLOSE_FULL)
  assert.equal(server.hub.clients, 2)
  a.ws.close()
  b.ws.close()
})

test('a socket that answers no ping is terminated, and its peer reported left', async (t) => {
  const server = await startHub({ pingInterval: 50 })
  t.after(() => server.close())
  const left = []
  server.hub.on('peer-left', (e) => left.push(e.peerId))
  const c = await raw(server.url, 'zombie')
  await until(() => c.got.length === 1)
  // A socket whose side stops reading: pings go unanswered.
  c.ws._socket.pause()
  await until(() => left.length === 1, 3000, 'the termination')
  assert.deepEqual(left, ['zombie'])
})
