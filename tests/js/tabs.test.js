// Tabs sharing one store (js/tabs/), played in one Node realm: each
// PagingStorage is a "tab", Node's BroadcastChannel connects them as it
// connects tabs of a browser, a FakeLockManager stands for navigator.locks,
// and the tabs share one named backend (as tabs share IndexedDB). The
// browser test (tests/browser/tabs-scenario.js) runs the same in Chromium,
// with crashes.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'

import { MemoryBackend, PagingStorage, PagingStorageError, SimulatedNetwork } from '../../js/index.js'
import { FakeLockManager } from '../support/fake-locks.js'

/** A memory backend every tab reaches by one name (IndexedDB's role in a browser). */
class NamedBackend extends MemoryBackend {
  constructor(name) {
    super()
    this.name = name
  }
}

let had
/** Every store a test made: shut down after it, passed or failed (an open channel keeps the process up). */
let made = []
beforeEach(() => {
  had = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
  Object.defineProperty(globalThis, 'navigator', { value: { locks: new FakeLockManager() }, configurable: true, writable: true })
})
afterEach(async () => {
  // Bounded: a store that cannot close (the fault a test found) must not hang the suite.
  await Promise.race([Promise.allSettled(made.map((s) => s.shutdown())), sleep(3000)])
  made = []
  if (had) Object.defineProperty(globalThis, 'navigator', had)
  else delete globalThis.navigator
})

let names = 0
function tabsOf(extra = {}) {
  const backend = new NamedBackend(`test-tabs-${++names}`)
  return () => {
    const s = new PagingStorage({ peerId: 'f'.repeat(40), ...extra, persistence: { backend, autoSaveInterval: 0, ...extra.persistence } })
    made.push(s)
    return s
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function until(fn, ms = 5000) {
  const end = Date.now() + ms
  let why
  while (Date.now() < end) {
    why = await fn()
    if (why === true) return
    await sleep(10)
  }
  assert.fail(`timed out: ${why}`)
}

test('three tabs on one persistenceKey all open (no LOCKED): one leads, each writes, every tab reads and watches every write', async () => {
  const open = tabsOf()
  const tabs = [open(), open(), open()]
  await Promise.all(tabs.map((t) => t.ready))
  assert.deepEqual(
    tabs.map((t) => t.role),
    ['leader', 'follower', 'follower']
  )
  const seen = tabs.map(() => /** @type {string[]} */ ([]))
  tabs.forEach((t, i) => t.watch('k:', (e) => seen[i].push(`${e.key}=${e.value}`)))
  for (const [i, t] of tabs.entries()) await t.set(`k:${i}`, i)
  await t2setMany(tabs[2])
  for (const [i, t] of tabs.entries()) {
    assert.deepEqual(await t.getMany(['k:0', 'k:1', 'k:2']), new Map([['k:0', 0], ['k:1', 1], ['k:2', 2]]), `tab ${i} reads`)
    assert.equal(await t.has('k:1'), true)
    assert.deepEqual(await t.keys('k:'), ['k:0', 'k:1', 'k:2', 'k:3', 'k:4'])
  }
  await until(() => seen.every((s) => s.length === 5) || seen.map((s) => s.length).join(','))
  for (const s of seen) assert.deepEqual(s, ['k:0=0', 'k:1=1', 'k:2=2', 'k:3=3', 'k:4=4'])
  assert.equal(tabs[1].peerId, tabs[0].peerId, 'one peer identity across tabs')
  await until(() => tabs[2].getStats().totalKeys === 5 || `stats ${tabs[2].getStats().totalKeys}`)
  assert.equal(await tabs[1].delete('k:4'), true)
  assert.equal(await tabs[0].get('k:4'), undefined)
  const exported = await tabs[2].exportData()
  assert.equal(exported.totalKeys, 4)
  for (const t of tabs.reverse()) await t.shutdown()
})

/** @param {PagingStorage} t */
async function t2setMany(t) {
  const results = await t.setMany([
    ['k:3', 3],
    ['k:4', 4]
  ])
  assert.deepEqual(
    results.map((r) => r.success),
    [true, true]
  )
}

test('errors of a follower call come back as PagingStorageError with their code; bad input is refused in the follower', async () => {
  const open = tabsOf({ persistence: { maxDiskPages: 1 } })
  const leader = open()
  await leader.ready
  const follower = open()
  await follower.ready
  assert.equal(follower.role, 'follower')
  await assert.rejects(follower.set('', 1), { code: 'INVALID_KEY' })
  await assert.rejects(follower.set('x', () => 1), { code: 'INVALID_VALUE' })
  const big = Array.from({ length: 2000 }, (_, i) => [`key:${i}`, 'x'.repeat(100)])
  const results = await follower.setMany(big)
  const refused = results.find((r) => !r.success)
  assert.ok(refused, 'the disk budget refuses some')
  assert.ok(refused.error instanceof PagingStorageError)
  assert.equal(refused.error.code, 'QUOTA_EXCEEDED')
  await follower.shutdown()
  await leader.shutdown()
})

test('the leader shuts down: the next tab takes over from the backend, and calls made meanwhile wait and then run (none fails)', async () => {
  const open = tabsOf()
  const a = open()
  await a.ready
  const b = open()
  const c = open()
  await Promise.all([b.ready, c.ready])
  await b.setMany(Array.from({ length: 100 }, (_, i) => [`item:${i}`, i]))
  await b.flush()
  const roles = []
  b.on('role', (r) => roles.push(r))
  const closing = a.shutdown()
  // Calls made while no tab leads.
  const during = [b.set('during:b', 1), c.set('during:c', 2), c.get('item:42'), b.getMany(['item:7'])]
  await closing
  const results = await Promise.all(during)
  assert.equal(results[2], 42)
  assert.equal(results[3].get('item:7'), 7)
  await until(() => b.role === 'leader' || `b is ${b.role}`)
  assert.deepEqual(roles, ['leader'])
  assert.equal(c.role, 'follower')
  assert.equal(await c.get('during:b'), 1)
  assert.equal(await b.get('during:c'), 2)
  assert.equal((await c.keys('item:')).length, 100)
  await c.shutdown()
  await b.shutdown()
})

test('a follower tab shuts down after its calls are answered; its later calls reject with CLOSED', async () => {
  const open = tabsOf()
  const a = open()
  await a.ready
  const b = open()
  await b.ready
  const write = b.set('last', 'word')
  await b.shutdown()
  await write
  await assert.rejects(b.get('last'), { code: 'CLOSED' })
  assert.equal(await a.get('last'), 'word')
  await a.shutdown()
})

test('a follower sees the ring of the leader: replicasFor, getPeerDistribution and connectedPeers', async () => {
  const net = new SimulatedNetwork({ seed: 5, latency: [1, 2] })
  const open = tabsOf({ peerId: 'a'.repeat(40) })
  const leader = open()
  await leader.ready
  leader.attach(net.join('a'.repeat(40)))
  const other = new PagingStorage({ peerId: 'b'.repeat(40), transport: net.join('b'.repeat(40)), persistence: { autoSaveInterval: 0 } })
  made.push(other)
  const follower = open()
  await Promise.all([other.ready, follower.ready])
  await until(() => (follower.getPeerDistribution().length === 2 && follower.getStats().connectedPeers === 1) || JSON.stringify(follower.getPeerDistribution()), 8000)
  assert.equal(follower.attached, true, "the leader's network")
  await until(() => JSON.stringify(follower.replicasFor('some-key')) === JSON.stringify(leader.replicasFor('some-key')) || 'ring differs')
  await follower.shutdown()
  await leader.shutdown()
  await other.shutdown()
})

test("a follower tab's watch of a key held by other peers hears their writes, also after it takes the lead", async () => {
  const net = new SimulatedNetwork({ seed: 6, latency: [1, 2] })
  const fast = { sync: { heartbeatInterval: 100, peerTimeout: 700, retryInterval: 300, antiEntropyInterval: 1000 }, readTimeout: 800, replicationFactor: 1 }
  const open = tabsOf({ peerId: 'a'.repeat(40), ...fast })
  const leader = open()
  await leader.ready
  leader.attach(net.join('a'.repeat(40)))
  const others = ['b', 'c', 'd'].map((c) => {
    const s = new PagingStorage({ peerId: c.repeat(40), ...fast, transport: net.join(c.repeat(40)), persistence: { autoSaveInterval: 0 } })
    made.push(s)
    return s
  })
  const follower = open()
  await Promise.all([follower.ready, ...others.map((s) => s.ready)])
  await until(() => others.every((s) => s.getPeerDistribution().length === 4) || 'ring', 8000)
  const key = Array.from({ length: 50 }, (_, i) => `doc:${i}`).find((k) => others[0].replicasFor(k)[0] !== 'a'.repeat(40))
  const writer = others.find((s) => s.replicasFor(key)[0] !== s.peerId) ?? others[0]
  const seen = []
  follower.watch({ key }, (e) => seen.push(e.value))
  await sleep(300)
  await writer.set(key, 'one')
  await until(() => seen.at(-1) === 'one' || `follower saw ${JSON.stringify(seen)}`)
  assert.equal(await leader.getLocal(key), undefined, 'the tabs hold no copy: the change was pushed to the subscription')
  await leader.shutdown()
  net.leave('a'.repeat(40)) // the closed tab's connection goes with it
  await until(() => follower.role === 'leader' || follower.role)
  follower.attach(net.join('a'.repeat(40)))
  await until(() => follower.getStats().sync.subscriptions.watching >= 1 || 'no subscription', 8000)
  await writer.set(key, 'two')
  await until(() => seen.at(-1) === 'two' || `new leader saw ${JSON.stringify(seen)}`, 8000)
})

test('shareTabs: false keeps one store per persistenceKey: a second gets LOCKED', async () => {
  const open = tabsOf({ persistence: { shareTabs: false } })
  const a = open()
  await a.ready
  const b = open()
  await assert.rejects(b.ready, { code: 'LOCKED' })
  assert.equal(a.role, 'local')
  await a.shutdown()
})

test('regression: the last tab shutting down while its leader had crashed with its calls waited for ever; now it runs them on its own store, then closes', { timeout: 10000 }, async () => {
  const { channelName } = await import('../../js/tabs/tab-protocol.js')
  const backend = new NamedBackend(`test-tabs-${++names}`)
  // A leader that crashes: it holds the lock, announces itself, never answers.
  /** @type {() => void} */
  let crash = () => {}
  globalThis.navigator.locks.request(backend.name, () => new Promise((r) => (crash = () => r(undefined))))
  const ghost = new BroadcastChannel(channelName(backend.name))
  ghost.onmessage = (e) => {
    if (e.data?.t !== 'hello') return
    ghost.postMessage({ t: 'leader', from: 'ghost', peerId: 'f'.repeat(40) })
    ghost.postMessage({ t: 'snapshot', from: 'ghost', snap: { stats: {}, distribution: [], attached: false, at: 0 } })
  }
  try {
    const b = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
    made.push(b)
    await b.ready
    assert.equal(b.role, 'follower')
    const write = b.set('k', 'v')
    const closing = b.shutdown()
    await sleep(50)
    crash()
    await closing
    await write
    const again = new PagingStorage({ persistence: { backend, autoSaveInterval: 0 } })
    made.push(again)
    assert.equal(await again.get('k'), 'v', 'the call ran and was saved')
  } finally {
    ghost.close()
  }
})
