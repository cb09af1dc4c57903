// The Vue composables in Node: reactivity, NOT_READY, errors, change-driven
// updates and cleanup, inside effect scopes and inside components (mounted
// with a no-op custom renderer, so no DOM is needed).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { PagingStorageError, SimulatedNetwork } from 'paging-storage'
import { useKey, usePagingStorage, usePeerPigeon, useRange } from 'paging-storage/vue'
import { createRenderer, defineComponent, effectScope, h, nextTick, shallowRef } from 'vue'

import { FAST, sleep, until } from '../sim/helpers.js'

const LOCAL = { persistence: { backend: 'memory', autoSaveInterval: 0 } }

/** A renderer whose "DOM" is plain objects: enough to run component lifecycles. */
const { createApp } = createRenderer({
  createElement: (tag) => ({ tag, children: [] }),
  createText: (text) => ({ text }),
  createComment: (text) => ({ text }),
  setText: () => {},
  setElementText: () => {},
  insert: (child, parent) => parent.children?.push(child),
  remove: () => {},
  parentNode: () => null,
  nextSibling: () => null,
  patchProp: () => {}
})

function scoped(fn) {
  const scope = effectScope()
  const value = scope.run(fn)
  return { scope, value }
}

test('usePagingStorage: NOT_READY before initialize, then the seed surface, reactive stats', async () => {
  const { scope, value: storage } = scoped(() => usePagingStorage({ ...LOCAL, statsUpdateInterval: 0 }))
  assert.equal(storage.isReady.value, false)
  await assert.rejects(storage.set('a', 1), (e) => e instanceof PagingStorageError && e.code === 'NOT_READY' && /Storage not ready/.test(e.message))
  assert.throws(() => storage.listPages(), { code: 'NOT_READY' })
  assert.equal(storage.diagnose().ok, false)

  const first = storage.initialize()
  assert.equal(storage.isConnecting.value, true)
  assert.equal(storage.initialize(), first, 'initialize is idempotent')
  await first
  assert.equal(storage.isReady.value, true)
  assert.equal(storage.isInitialized.value, true)
  assert.equal(storage.isConnecting.value, false)

  await storage.set('user:1', { name: 'Alice' })
  assert.deepEqual(await storage.get('user:1'), { name: 'Alice' })
  assert.equal(await storage.has('user:1'), true)
  const results = await storage.setMany([['k1', 'v1'], ['k2', 'v2'], ['', 'bad']])
  assert.deepEqual(results.map((r) => r.success), [true, true, false])
  const got = await storage.getMany(['k1', 'k2', 'nope'])
  assert.ok(got instanceof Map)
  assert.deepEqual([...got], [['k1', 'v1'], ['k2', 'v2'], ['nope', undefined]])
  assert.deepEqual(await storage.range({ prefix: 'k' }), [['k1', 'v1'], ['k2', 'v2']])

  // Stats follow changes without the interval (0 here).
  await until(() => storage.totalKeys.value === 3 || `${storage.totalKeys.value} keys`, 2000)
  assert.equal(await storage.remove('k1'), true)
  assert.equal(await storage.delete('k2'), true)
  assert.equal(await until(() => storage.totalKeys.value === 1 || `${storage.totalKeys.value}`, 2000), true)
  assert.ok(storage.totalPages.value >= 1)
  assert.equal(typeof storage.memoryPressure.value, 'number')
  assert.equal(storage.isLoadBalanced.value, true)
  assert.equal(storage.peerCount.value, 0)
  assert.equal(storage.diagnose().ok, true)
  assert.equal(storage.diagnose().composable.isReady, true)
  assert.equal(storage.getLoadBalanceInfo().distribution.length, 1)

  const backup = await storage.exportData()
  assert.equal(backup.totalKeys, 1)

  const inner = storage.storage.value
  scope.stop() // disposing the scope shuts the store down
  assert.equal(storage.isReady.value, false)
  await assert.rejects(storage.get('user:1'), { code: 'NOT_READY' })
  await assert.rejects(inner.get('user:1'), { code: 'CLOSED' })
})

test('usePagingStorage: a failed initialize sets error, calls onError, and can be retried', async () => {
  const seen = []
  const { scope, value: storage } = scoped(() =>
    usePagingStorage({ ...LOCAL, pageSize: -1, onError: (e) => seen.push(e.code) })
  )
  await assert.rejects(storage.initialize(), { code: 'INVALID_ARGUMENT' })
  assert.equal(storage.error.value.code, 'INVALID_ARGUMENT')
  assert.deepEqual(seen, ['INVALID_ARGUMENT'])
  assert.equal(storage.isReady.value, false)
  assert.equal(storage.isConnecting.value, false)
  await assert.rejects(storage.initialize(), { code: 'INVALID_ARGUMENT' }, 'a retry runs again')
  scope.stop()
})

test('useKey: reads, writes through, follows changes; undefined deletes', async () => {
  const { scope, value } = scoped(() => {
    const storage = usePagingStorage(LOCAL)
    const key = shallowRef('profile:1')
    return { storage, key, profile: useKey(storage, key, { name: 'nobody' }) }
  })
  const { storage, key, profile } = value
  assert.deepEqual(profile.value, { name: 'nobody' })
  await storage.initialize()
  await storage.set('profile:1', { name: 'Alice' })
  await until(() => profile.value.name === 'Alice' || JSON.stringify(profile.value), 2000)

  profile.value = { name: 'Bob' } // writes through
  assert.deepEqual(profile.value, { name: 'Bob' })
  await until(async () => (await storage.get('profile:1'))?.name === 'Bob' || 'not written', 2000)

  await storage.set('profile:2', { name: 'Carol' })
  key.value = 'profile:2' // the key is reactive
  await until(() => profile.value.name === 'Carol' || JSON.stringify(profile.value), 2000)

  profile.value = undefined
  assert.deepEqual(profile.value, { name: 'nobody' })
  await until(async () => (await storage.has('profile:2')) === false || 'still there', 2000)
  scope.stop()
})

test('regression: useKey shows the stored value again after a refused assignment (it kept the refused one)', async () => {
  const { scope, value } = scoped(() => {
    const storage = usePagingStorage(LOCAL)
    return { storage, when: useKey(storage, 'when', 'never') }
  })
  const { storage, when } = value
  await storage.initialize()
  await storage.set('when', 'today')
  await until(() => when.value === 'today' || when.value, 2000)
  when.value = new Date(0) // not a plain value: refused
  assert.equal(await until(() => when.value === 'today' || String(when.value), 2000), true)
  assert.equal(storage.error.value?.code, 'INVALID_VALUE')
  assert.equal(await storage.get('when'), 'today')
  scope.stop()
})

test('useRange: kept current, re-run only by changes inside its bounds, once per burst', async () => {
  const { scope, value } = scoped(() => {
    const storage = usePagingStorage(LOCAL)
    return { storage, docs: useRange(storage, { prefix: 'doc:1:' }), window: useRange(storage, { gte: 'b', lt: 'c' }) }
  })
  const { storage, docs, window } = value
  await storage.initialize()
  let runs = 0
  const range = storage.range
  storage.range = (q) => {
    runs++
    return range(q)
  }
  await storage.set('doc:1:title', 'Shared')
  await until(() => docs.value.length === 1 || `${docs.value.length}`, 2000)
  assert.deepEqual(docs.value, [['doc:1:title', 'Shared']])
  const before = runs
  await storage.set('doc:2:title', 'Other') // outside both queries
  await storage.set('a', 1)
  await storage.set('c', 1) // lt is exclusive
  await sleep(50)
  assert.equal(runs, before, 'changes outside the bounds re-ran a query')

  await storage.setMany(Array.from({ length: 50 }, (_, i) => [`doc:1:line:${String(i).padStart(2, '0')}`, i]))
  await until(() => docs.value.length === 51 || `${docs.value.length}`, 2000)
  assert.equal(runs, before + 1, 'a burst of 50 changes re-ran the query once')
  await storage.set('bb', 2)
  await until(() => window.value.length === 1 || `${window.value.length}`, 2000)
  assert.deepEqual(window.value, [['bb', 2]])
  await storage.delete('doc:1:title')
  await until(() => docs.value.length === 50 || `${docs.value.length}`, 2000)
  scope.stop()
})

test('useKey follows a write made by another peer', async () => {
  const net = new SimulatedNetwork({ seed: 7, latency: [1, 3] })
  const opts = (id) => ({ ...FAST, transport: net.join(id), persistence: { ...FAST.persistence, backend: 'memory' }, statsUpdateInterval: 100 })
  const { scope, value } = scoped(() => {
    const a = usePagingStorage(opts('a'.repeat(40)))
    const b = usePagingStorage(opts('b'.repeat(40)))
    return { a, b, title: useKey(b, 'doc:123:title', '') }
  })
  const { a, b, title } = value
  await Promise.all([a.initialize(), b.initialize()])
  await until(() => (a.peerCount.value === 1 && b.peers.value.length === 1) || `peers ${a.peerCount.value}`, 5000)
  await a.set('doc:123:title', 'Shared Document')
  assert.equal(await until(() => title.value === 'Shared Document' || `title '${title.value}'`, 5000), true)
  assert.equal(b.peers.value[0].peerId, 'a'.repeat(40))
  scope.stop()
})

test('regression: useKey and useRange on a peer that is not a replica follow writes made elsewhere (they showed stale values and partial lists)', async () => {
  const net = new SimulatedNetwork({ seed: 8, latency: [1, 3] })
  const ids = Array.from({ length: 6 }, (_, i) => String(i + 1).repeat(40))
  const opts = (id) => ({ ...FAST, transport: net.join(id), persistence: { ...FAST.persistence, backend: 'memory' }, statsUpdateInterval: 0 })
  const { scope, value: stores } = scoped(() => ids.map((id) => usePagingStorage(opts(id))))
  await Promise.all(stores.map((s) => s.initialize()))
  await until(() => stores.every((s) => s.getPeerDistribution().length === 6) || 'ring', 5000)
  const key = 'doc:123:title'
  const outside = stores.filter((s) => !s.replicasFor(key).includes(s.peerId.value))
  assert.equal(outside.length, 3)
  const [reader, writer] = outside
  const views = scope.run(() => ({ title: useKey(reader, key, ''), docs: useRange(reader, { prefix: 'doc:123:' }) }))
  await sleep(300)
  for (const [i, s] of stores.entries()) await s.set(`doc:123:part:${i}`, i)
  await writer.set(key, 'Shared Document')
  assert.equal(await until(() => views.title.value === 'Shared Document' || `title '${views.title.value}'`, 5000), true)
  assert.equal(await until(() => views.docs.value.length === 7 || `${views.docs.value.length} docs`, 5000), true)
  await writer.set(key, 'Renamed')
  assert.equal(await until(() => views.title.value === 'Renamed' || `title '${views.title.value}'`, 5000), true)
  scope.stop()
  await Promise.all(stores.map((s) => s.shutdown()))
})

test('inside a component: autoConnect opens on mount at once (local-first), attaches the pigeon when it comes, unmount shuts down', async () => {
  // A stand-in mesh: what PeerPigeonTransport needs, with no peers.
  const mesh = {
    peerId: '',
    sendDirectMessage: () => null,
    sendMessage: () => null,
    getConnectedPeerIds: () => [],
    addEventListener: () => {},
    removeEventListener: () => {}
  }
  const pigeon = shallowRef(null)
  let storage
  const App = defineComponent({
    setup() {
      storage = usePagingStorage({ ...LOCAL, pigeon, statsUpdateInterval: 50 })
      return () => h('div')
    }
  })
  const app = createApp(App)
  app.mount({ children: [] })
  await nextTick()
  await until(() => storage.isReady.value || 'not ready', 5000)
  assert.equal(storage.network.value, 'offline')
  await storage.set('x', 1)
  assert.equal(await storage.get('x'), 1, 'works with no network')
  pigeon.value = { ...mesh, peerId: 'f'.repeat(40) }
  await until(() => /peerId: storage.peerId/.test(storage.error.value?.message) || 'no error', 5000)
  assert.equal(storage.network.value, 'offline', 'a mesh under another peer id is refused')
  mesh.peerId = storage.peerId.value
  pigeon.value = mesh
  await until(() => storage.network.value === 'connected' || storage.network.value, 5000)
  assert.equal(storage.storage.value.attached, true)
  assert.equal(storage.storage.value.peerId, mesh.peerId, "the store's id: the mesh's")
  storage.updateStats()
  assert.equal(storage.stats.value.dht.enabled, true)
  assert.equal(await storage.get('x'), 1, 'what was written offline is there')
  pigeon.value = null
  await until(() => storage.network.value === 'offline' || storage.network.value, 5000)
  const inner = storage.storage.value
  app.unmount()
  assert.equal(storage.isReady.value, false)
  await assert.rejects(inner.get('x'), { code: 'CLOSED' })
})

test('usePeerPigeon: connects on mount, tracks peers, disconnects on dispose; a clear error without PeerPigeon', async () => {
  const events = new Map()
  const calls = []
  class FakeMesh {
    constructor(options) {
      calls.push(['new', options])
      this.peerId = null
      this.connected = []
    }
    async init() {
      this.peerId = 'e'.repeat(40)
    }
    async connect(url) {
      calls.push(['connect', url])
    }
    disconnect() {
      calls.push(['disconnect'])
    }
    getConnectedPeerIds() {
      return this.connected
    }
    addEventListener(name, fn) {
      events.set(name, fn)
    }
    removeEventListener(name) {
      events.delete(name)
    }
  }
  let pp
  const App = defineComponent({
    setup() {
      pp = usePeerPigeon({ signalingUrl: 'ws://127.0.0.1:1', PeerPigeonMesh: FakeMesh, maxPeers: 4 })
      return () => h('div')
    }
  })
  const app = createApp(App)
  assert.equal(pp, undefined)
  app.mount({ children: [] })
  await until(() => pp.status.value === 'connected' || pp.status.value, 2000)
  assert.equal(pp.peerId.value, 'e'.repeat(40))
  assert.deepEqual(calls[0], ['new', { enableWebDHT: false, maxPeers: 4 }])
  assert.deepEqual(calls[1], ['connect', 'ws://127.0.0.1:1'])
  assert.equal(await pp.connect(), pp.pigeon.value, 'connect is idempotent')
  pp.pigeon.value.connected = ['d'.repeat(40)]
  events.get('peerConnected')({ peerId: 'd'.repeat(40) })
  assert.deepEqual(pp.peers.value, ['d'.repeat(40)])
  app.unmount()
  assert.deepEqual(calls.at(-1), ['disconnect'])
  assert.equal(pp.status.value, 'disconnected')
  assert.equal(pp.pigeon.value, null)

  const { scope, value: bare } = scoped(() => usePeerPigeon({ autoConnect: false }))
  await assert.rejects(bare.connect('ws://127.0.0.1:1'), /PeerPigeon is not loaded: `npm install peerpigeon --ignore-scripts`/)
  assert.equal(bare.status.value, 'error')
  await assert.rejects(bare.connect(), /no signalingUrl/)
  scope.stop()
})

test('usePeerPigeon linked to usePagingStorage: the store opens with the signaling server down, the mesh is made under its id, status offline -> connecting -> connected', async () => {
  const made = []
  let reachable = false
  class FakeMesh {
    constructor(options) {
      this.options = options
      this.listeners = new Map()
      made.push(this)
    }
    async init() {
      this.peerId = this.options.peerId ?? 'e'.repeat(40)
    }
    async connect() {
      if (!reachable) throw new Error('WebSocket connection failed')
    }
    emit(name, e) {
      for (const fn of this.listeners.get(name) ?? []) fn(e)
    }
    disconnect() {}
    getConnectedPeerIds() {
      return []
    }
    sendDirectMessage() {}
    sendMessage() {}
    addEventListener(name, fn) {
      if (!this.listeners.has(name)) this.listeners.set(name, new Set())
      this.listeners.get(name).add(fn)
    }
    removeEventListener(name, fn) {
      this.listeners.get(name)?.delete(fn)
    }
  }
  const errors = []
  let pp, storage
  const App = defineComponent({
    setup() {
      pp = usePeerPigeon({ signalingUrl: 'ws://127.0.0.1:9', PeerPigeonMesh: FakeMesh, onError: (e) => errors.push(e) })
      storage = usePagingStorage({ ...LOCAL, pigeon: pp.pigeon })
      return () => h('div')
    }
  })
  const app = createApp(App)
  app.mount({ children: [] })
  await until(() => storage.isReady.value || 'not ready', 5000)
  await storage.set('k', 'offline write')
  await until(() => pp.status.value === 'offline' || pp.status.value, 5000)
  assert.equal(made.length, 1, 'one mesh, made by the store once open (not by autoConnect before it)')
  assert.equal(made[0].options.peerId, storage.peerId.value)
  assert.equal(storage.storage.value.peerId, storage.peerId.value)
  assert.match(String(pp.error.value?.message), /Cannot reach the signaling server at ws:\/\/127\.0\.0\.1:9/)
  assert.equal(errors.length, 1)
  assert.equal(storage.storage.value.attached, true, 'the mesh is attached while it reconnects')
  assert.equal(storage.network.value, 'offline')
  made[0].emit('statusChanged', { type: 'reconnecting' })
  assert.equal(pp.status.value, 'offline', 'waiting for the next attempt')
  made[0].emit('statusChanged', { type: 'connecting' })
  assert.equal(pp.status.value, 'connecting')
  assert.equal(storage.network.value, 'connecting')
  reachable = true
  made[0].emit('statusChanged', { type: 'connected' })
  assert.equal(pp.status.value, 'connected')
  assert.equal(storage.network.value, 'connected')
  assert.equal(pp.error.value, null)
  assert.equal(await storage.get('k'), 'offline write')
  app.unmount()
})

test('usePeerPigeon does not ask for the microphone: PeerPigeon\'s localhost media request is switched off unless asked for', async () => {
  globalThis.window = {}
  try {
    class FakeMesh {
      async init() {
        this.peerId = 'e'.repeat(40)
        this.sawFlag = globalThis.window.DISABLE_LOCALHOST_MEDIA_REQUEST
      }
      async connect() {}
      addEventListener() {}
      removeEventListener() {}
    }
    const { scope, value } = scoped(() => usePeerPigeon({ signalingUrl: 'ws://127.0.0.1:9', PeerPigeonMesh: FakeMesh, autoConnect: false }))
    await value.connect()
    assert.equal(value.pigeon.value.sawFlag, true)
    scope.stop()
    globalThis.window = { DISABLE_LOCALHOST_MEDIA_REQUEST: false }
    const again = scoped(() => usePeerPigeon({ signalingUrl: 'ws://127.0.0.1:9', PeerPigeonMesh: FakeMesh, autoConnect: false }))
    await again.value.connect()
    assert.equal(again.value.pigeon.value.sawFlag, false, "the app's own choice stays")
    again.scope.stop()
  } finally {
    delete globalThis.window
  }
})

test('regression: useKey in a follower tab never goes back to an older value while typing (the echoes of its own writes came back after newer keystrokes)', async (t) => {
  const { FakeLockManager } = await import('../support/fake-locks.js')
  const { MemoryBackend } = await import('paging-storage')
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
  Object.defineProperty(globalThis, 'navigator', { value: { locks: new FakeLockManager() }, configurable: true, writable: true })
  try {
    const backend = Object.assign(new MemoryBackend(), { name: 'vue-tabs' })
    const options = { peerId: 'c'.repeat(40), persistence: { backend, autoSaveInterval: 0 } }
    const { scope, value } = scoped(() => {
      const leader = usePagingStorage(options)
      const follower = usePagingStorage(options)
      return { leader, follower, title: useKey(follower, 'doc:title', '') }
    })
    const { leader, follower, title } = value
    t.after(() => scope.stop()) // also when an assertion fails: an open channel keeps the process up
    await leader.initialize()
    await follower.initialize()
    assert.equal(follower.role.value, 'follower')
    const shown = []
    const { watch } = await import('vue')
    watch(title, (v) => shown.push(v), { flush: 'sync' })
    const typed = ['S', 'Sh', 'Sha', 'Shar', 'Share', 'Shared']
    // Keystrokes faster than a round trip to the leader tab: the echoes of the first arrive after the last.
    for (const text of typed) title.value = text
    await until(async () => ((await leader.get('doc:title')) === 'Shared' && title.value === 'Shared') || `${title.value}`, 5000)
    await sleep(50)
    const last = shown.lastIndexOf('Shared')
    assert.deepEqual(shown.slice(0, typed.length), typed, 'each keystroke shows at once')
    assert.deepEqual(shown.slice(last), ['Shared'], `after the last keystroke: ${shown.slice(last)}`)
    for (let i = 1; i < shown.length; i++) assert.ok(shown[i].length >= shown[i - 1].length, `went back: ${shown}`)
    scope.stop()
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had)
    else delete globalThis.navigator
  }
})
