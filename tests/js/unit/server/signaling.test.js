// The PeerPigeon signaling server as the package runs it: a peer id that
// reconnects before its old socket has finished closing (a tab taking over
// the lead) keeps its new connection when the old one ends.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { WebSocket } from 'ws'

import { freePort, startSignaling } from '../../../../js/server/signaling.js'
import { until } from '../../../support/hub-server.js'

const ID = 'ab'.repeat(20)

/** A client socket under peerId, once the server confirmed it. @returns {Promise<WebSocket>} */
function connect(url, peerId) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}?peerId=${peerId}`)
    ws.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connected') resolve(ws)
    })
    ws.on('error', reject)
  })
}

test('regression: the close of a replaced socket does not remove the new connection of its peer id (PeerPigeon 1.1.3 removed it)', async (t) => {
  // Console chatter of PeerPigeon's server goes to stderr, not the test runner's stdout.
  t.mock.method(console, 'log', () => {})
  const signaling = await startSignaling()
  /** @type {WebSocket[]} */
  const sockets = []
  // Sockets first: the server's stop() waits for those it no longer tracks.
  t.after(() => {
    for (const ws of sockets) ws.terminate()
    return signaling.close()
  })
  const server = signaling.server
  const old = await connect(signaling.url, ID)
  sockets.push(old)
  // The old socket starts closing, and its client is slow to answer (a tab
  // being torn down): the server sees it CLOSING, not yet closed.
  old.pause()
  server.connections.get(ID).close()
  const fresh = await connect(signaling.url, ID)
  sockets.push(fresh)
  const current = server.connections.get(ID)
  assert.equal(current.readyState, current.OPEN, 'the new socket replaced the stale one')
  const closed = new Promise((resolve) => old.on('close', resolve))
  old.resume()
  await closed
  // Time for the server to handle the old socket's end (without the fix it
  // removes the new connection then; a late check can only pass wrongly).
  await new Promise((r) => setTimeout(r, 200))
  assert.equal(server.connections.get(ID), current, 'the new connection is kept')
  assert.equal(fresh.readyState, WebSocket.OPEN)
})

test('a socket that closes on its own still leaves the server', async (t) => {
  t.mock.method(console, 'log', () => {})
  const signaling = await startSignaling()
  t.after(() => signaling.close())
  const ws = await connect(signaling.url, ID)
  assert.equal(signaling.server.connections.has(ID), true)
  ws.close()
  await until(() => !signaling.server.connections.has(ID), 5000, 'the peer left')
})

test('freePort: a port nothing listens on', async () => {
  const port = await freePort()
  assert.ok(Number.isInteger(port) && port > 0)
})
