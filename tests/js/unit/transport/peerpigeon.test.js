import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PeerPigeonTransport } from '../../../../js/transport/peerpigeon.js'

/** A stand-in for a PeerPigeonMesh after init(). */
function fakeMesh(peerId = 'me') {
  const listeners = new Map()
  const mesh = {
    peerId,
    direct: [],
    gossip: [],
    connected: ['p1', 'p2'],
    addEventListener(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event).add(fn)
    },
    removeEventListener(event, fn) {
      listeners.get(event)?.delete(fn)
    },
    async sendDirectMessage(to, content) {
      mesh.direct.push({ to, content })
      return 'msg-id'
    },
    async sendMessage(content) {
      mesh.gossip.push(content)
      return 'msg-id'
    },
    getConnectedPeerIds() {
      return mesh.connected
    },
    emit(event, payload) {
      for (const fn of listeners.get(event) ?? []) fn(payload)
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0)
  }
  return mesh
}

function setup() {
  const mesh = fakeMesh()
  const t = new PeerPigeonTransport(mesh)
  const events = []
  for (const e of ['peer-joined', 'peer-left', 'message']) t.on(e, (p) => events.push([e, p]))
  return { mesh, t, events }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

test('refuses what is not an initialized mesh', () => {
  assert.throws(() => new PeerPigeonTransport(null), TypeError)
  assert.throws(() => new PeerPigeonTransport({}), /PeerPigeonMesh/)
  assert.throws(() => new PeerPigeonTransport({ ...fakeMesh(), sendDirectMessage: undefined }), TypeError)
  assert.throws(() => new PeerPigeonTransport({ ...fakeMesh(), addEventListener: undefined }), TypeError)
  assert.throws(() => new PeerPigeonTransport(fakeMesh('')), /init\(\)/)
  assert.throws(() => new PeerPigeonTransport({ ...fakeMesh(), peerId: undefined }), /init\(\)/)
  assert.equal(new PeerPigeonTransport(fakeMesh('x')).peerId, 'x')
})

test('peer connections become peer-joined / peer-left', () => {
  const { mesh, events } = setup()
  mesh.emit('peerConnected', { peerId: 'p1' })
  mesh.emit('peerDisconnected', { peerId: 'p1' })
  mesh.emit('peerConnected', {})
  mesh.emit('peerConnected', undefined)
  assert.deepEqual(events, [
    ['peer-joined', { peerId: 'p1' }],
    ['peer-left', { peerId: 'p1' }]
  ])
})

test('direct messages of our type and prefixed broadcasts become messages', () => {
  const { mesh, events } = setup()
  mesh.emit('messageReceived', { from: 'p1', content: { type: 'paging-storage', data: '{"v":1}' } })
  mesh.emit('messageReceived', { from: 'p2', content: 'paging-storage:{"v":1,"t":"hb"}' })
  assert.deepEqual(events, [
    ['message', { from: 'p1', data: '{"v":1}' }],
    ['message', { from: 'p2', data: '{"v":1,"t":"hb"}' }]
  ])
})

test("everything else on the mesh is left to the app, and our own broadcasts are dropped", () => {
  const { mesh, events } = setup()
  for (const e of [
    { from: 'me', content: 'paging-storage:{"v":1}' },
    { from: 'me', content: { type: 'paging-storage', data: 'x' } },
    { from: 'p1', content: 'chat: hello' },
    { from: 'p1', content: { type: 'chat', data: 'x' } },
    { from: 'p1', content: { type: 'paging-storage', data: { not: 'text' } } },
    { from: 'p1', content: null },
    { from: 'p1' },
    { from: 42, content: 'paging-storage:x' },
    { content: 'paging-storage:x' },
    null
  ]) {
    mesh.emit('messageReceived', e)
  }
  assert.deepEqual(events, [])
})

test('send is a direct message of our type; broadcast is gossip with the prefix', () => {
  const { mesh, t } = setup()
  t.send('p1', 'data')
  t.broadcast('hb')
  assert.deepEqual(mesh.direct, [{ to: 'p1', content: { type: 'paging-storage', data: 'data' } }])
  assert.deepEqual(mesh.gossip, ['paging-storage:hb'])
})

test('a broadcast round trip through the mesh gives back the data', () => {
  const a = setup()
  const b = setup()
  a.t.broadcast('{"v":1,"t":"hb"}')
  b.mesh.emit('messageReceived', { from: 'a', content: a.mesh.gossip[0] })
  a.t.send('b', 'x')
  b.mesh.emit('messageReceived', { from: 'a', content: a.mesh.direct[0].content })
  assert.deepEqual(b.events.map(([, m]) => m.data), ['{"v":1,"t":"hb"}', 'x'])
})

test('failed sends are swallowed (fire and forget)', async () => {
  const { mesh, t } = setup()
  mesh.sendDirectMessage = async () => {
    throw new Error('no route')
  }
  mesh.sendMessage = () => Promise.reject(new Error('no peers'))
  const unhandled = []
  const onUnhandled = (err) => unhandled.push(err)
  process.on('unhandledRejection', onUnhandled)
  try {
    t.send('p1', 'x')
    t.broadcast('y')
    await flush()
    await flush()
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
  assert.deepEqual(unhandled, [])
})

test('peers() lists connected peers but self, strings only', () => {
  const { mesh, t } = setup()
  mesh.connected = ['p1', 'me', 7, null, 'p2']
  assert.deepEqual(t.peers(), ['p1', 'p2'])
  delete mesh.getConnectedPeerIds
  assert.deepEqual(t.peers(), [])
})

test('close() stops listening; the mesh stays the app\'s', () => {
  const { mesh, t, events } = setup()
  assert.equal(mesh.listenerCount(), 3)
  t.close()
  assert.equal(mesh.listenerCount(), 0)
  mesh.emit('peerConnected', { peerId: 'p1' })
  mesh.emit('messageReceived', { from: 'p1', content: 'paging-storage:x' })
  assert.deepEqual(events, [])
  t.close()
})

test('unsubscribing one listener leaves the others', () => {
  const { mesh, t } = setup()
  const got = []
  const off = t.on('message', (m) => got.push(m.data))
  mesh.emit('messageReceived', { from: 'p1', content: 'paging-storage:1' })
  off()
  mesh.emit('messageReceived', { from: 'p1', content: 'paging-storage:2' })
  assert.deepEqual(got, ['1'])
})
