// startServer: a store on disk behind a WebSocket hub, with /health and
// /metrics; Node clients that list it in `servers` meet each other on its
// ring; a restart keeps the peer id and the data; a second server on the
// same dir gets LOCKED, a taken port IO_ERROR.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { PagingStorage } from '../../../../js/index.js'
import { startServer } from '../../../../js/server/serve.js'
import { until } from '../../../support/hub-server.js'

const FAST = { heartbeatInterval: 100, peerTimeout: 1000, retryInterval: 100 }

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'ps-serve-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('two clients and the server form one ring; the server keeps what they write across a restart', async (t) => {
  const dir = tempDir(t)
  let server = await startServer({ dir, port: 0, storage: { sync: FAST } })
  const firstId = server.peerId
  const a = new PagingStorage({ servers: [server.url], sync: FAST })
  const b = new PagingStorage({ servers: server.url, sync: FAST })
  t.after(() => Promise.all([a.shutdown(), b.shutdown()]))
  await until(() => a.getPeerDistribution().length === 3 && b.getPeerDistribution().length === 3, 10000, 'one ring of three')
  for (let i = 0; i < 300; i++) await a.set(`key:${i}`, { i })
  await a.replicated({ timeout: 20000, copies: 3 })
  assert.deepEqual(await b.get('key:123'), { i: 123 })
  assert.equal(server.storage.getStats().totalKeys, 300)

  const health = await (await fetch(`${server.httpUrl}/health`)).json()
  assert.equal(health.status, 'ok')
  assert.equal(health.keys, 300)
  assert.equal(health.peers, 2)
  const res = await fetch(`${server.httpUrl}/metrics`)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  const metrics = await res.text()
  assert.match(metrics, /^paging_storage_keys 300$/m)
  assert.match(metrics, /^paging_storage_peers 2$/m)
  assert.match(metrics, /^paging_storage_disk_bytes [1-9]\d*$/m)
  assert.match(metrics, /^# TYPE paging_storage_messages_in_total counter$/m)
  assert.equal((await fetch(`${server.httpUrl}/nothing`)).status, 404)
  assert.equal((await fetch(`${server.httpUrl}/health`, { method: 'POST' })).status, 405)

  await server.close()
  // a and b met through the hub only: both are alone now.
  await until(() => a.getStats().connectedPeers === 0, 10000, 'the server to leave the ring')
  server = await startServer({ dir, port: 0, storage: { sync: FAST } })
  t.after(() => server.close())
  assert.equal(server.peerId, firstId, 'the same peer after a restart')
  assert.equal(server.storage.getStats().totalKeys, 300)
  assert.deepEqual(await server.storage.getLocal('key:299'), { i: 299 })
})

test('a second server on the same dir gets LOCKED; a taken port IO_ERROR; no dir INVALID_ARGUMENT', async (t) => {
  const dir = tempDir(t)
  const server = await startServer({ dir, port: 0 })
  t.after(() => server.close())
  await assert.rejects(startServer({ dir, port: 0 }), (e) => e.code === 'LOCKED')
  const port = Number(new URL(server.httpUrl).port)
  await assert.rejects(startServer({ dir: tempDir(t), port }), (e) => e.code === 'IO_ERROR' && /cannot listen/.test(e.message))
  await assert.rejects(startServer(/** @type {any} */ ({})), (e) => e.code === 'INVALID_ARGUMENT')
})

test('a server joined to another: clients of either meet on one ring', async (t) => {
  const one = await startServer({ dir: tempDir(t), port: 0, storage: { sync: FAST } })
  t.after(() => one.close())
  const two = await startServer({ dir: tempDir(t), port: 0, join: [one.url], storage: { sync: FAST } })
  t.after(() => two.close())
  const a = new PagingStorage({ servers: [one.url, two.url], sync: FAST })
  t.after(() => a.shutdown())
  await until(() => a.getPeerDistribution().length === 3 && one.storage.getPeerDistribution().length === 3, 10000, 'one ring')
  await a.set('shared', 'value')
  await a.replicated({ timeout: 10000, copies: 3 })
  assert.equal(await one.storage.getLocal('shared'), 'value')
  assert.equal(await two.storage.getLocal('shared'), 'value')
})

test('the in-process signaling server listens beside the hub', async (t) => {
  const server = await startServer({ dir: tempDir(t), port: 0, signaling: true })
  t.after(() => server.close())
  assert.match(server.signalingUrl ?? '', /^ws:\/\/127\.0\.0\.1:\d+$/)
  assert.notEqual(server.signalingUrl, server.url)
})

test("a WebSocket client's messages get the store's validation: a forged-future put is rejected and counted, not stored", async (t) => {
  const { default: WebSocket } = await import('ws')
  const server = await startServer({ dir: tempDir(t), port: 0, storage: { sync: FAST } })
  t.after(() => server.close())
  const ws = new WebSocket(server.url)
  t.after(() => ws.close())
  await new Promise((resolve) => ws.on('open', resolve))
  ws.send(JSON.stringify({ hello: 'mallory', v: 1 }))
  await until(() => server.storage.getStats().connectedPeers === 1, 5000, 'the hello')
  const put = (id, hlc) => ws.send(`>${server.peerId}\n${JSON.stringify({ v: 1, t: 'put', id, r: [['forged', hlc, 'mallory', 0, '"x"']] })}`)
  put(1, 'ffffffffffffffff')
  ws.send(`>${server.peerId}\nnot json`)
  await until(() => server.storage.getStats().sync.rejected >= 2, 5000, 'the rejections')
  assert.equal(await server.storage.getLocal('forged'), undefined)
  assert.ok(server.storage.getStats().sync.rejectedWhy['version from the future'] >= 1, JSON.stringify(server.storage.getStats().sync.rejectedWhy))
  const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text()
  assert.match(metrics, /^paging_storage_rejected_messages_total\{reason="version from the future"\} [1-9]/m)
})
