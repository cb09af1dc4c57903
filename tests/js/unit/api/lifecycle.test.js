// Lifecycle with fake browser globals (navigator.locks, document,
// addEventListener), put on globalThis for one test and restored after.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, mock, test } from 'node:test'

import { Lifecycle } from '../../../../js/api/lifecycle.js'

const NAMES = ['navigator', 'document', 'addEventListener', 'removeEventListener']
/** @type {Map<string, PropertyDescriptor | undefined>} */
const saved = new Map()

beforeEach(() => {
  for (const name of NAMES) saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name))
})
afterEach(() => {
  for (const name of NAMES) {
    const d = saved.get(name)
    if (d) Object.defineProperty(globalThis, name, d)
    else delete (/** @type {any} */ (globalThis))[name]
  }
  mock.timers.reset()
})

function setGlobal(name, value) {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true })
}

/** A fake Web Locks API: `held` names are taken by someone else. */
function fakeLocks(held = new Set()) {
  const locks = {
    requests: [],
    released: [],
    request(name, options, callback) {
      locks.requests.push({ name, options })
      if (held.has(name)) return Promise.resolve(callback(null))
      held.add(name)
      const lock = { name }
      return Promise.resolve(callback(lock)).then((r) => {
        held.delete(name)
        locks.released.push(name)
        return r
      })
    }
  }
  return locks
}

/** A fake event target with add/remove/dispatch. */
function fakeTarget() {
  const listeners = new Map()
  return {
    listeners,
    addEventListener(type, fn) {
      if (!listeners.has(type)) listeners.set(type, new Set())
      listeners.get(type).add(fn)
    },
    removeEventListener(type, fn) {
      listeners.get(type)?.delete(fn)
    },
    dispatch(type) {
      for (const fn of listeners.get(type) ?? []) fn({ type })
    },
    count() {
      return [...listeners.values()].reduce((n, set) => n + set.size, 0)
    }
  }
}

describe('Lifecycle.acquireLock', () => {
  const named = (name) => ({ name })

  test('regression: without Web Locks (Node) a name is held in this realm: a second store is LOCKED until the first releases (both used to open and lose data)', async () => {
    for (const nav of [undefined, {}]) {
      setGlobal('navigator', nav)
      const first = new Lifecycle()
      await first.acquireLock(named('paging-storage:x'), 'x')
      await assert.rejects(new Lifecycle().acquireLock(named('paging-storage:x'), 'x'), {
        code: 'LOCKED',
        message: /persistenceKey 'x' is open in another tab or instance/
      })
      first.releaseLock()
      const again = new Lifecycle()
      await again.acquireLock(named('paging-storage:x'), 'x')
      again.releaseLock()
    }
  })

  test('regression: one backend object serves one store at a time, named or not', async () => {
    const locks = fakeLocks()
    setGlobal('navigator', { locks })
    const shared = {}
    const first = new Lifecycle()
    await first.acquireLock(shared, 'x')
    assert.deepEqual(locks.requests, [], 'no name, no Web Lock')
    await assert.rejects(new Lifecycle().acquireLock(shared, 'x'), { code: 'LOCKED', message: /backend object is in use by another PagingStorage/ })
    first.releaseLock()
    const second = new Lifecycle()
    await second.acquireLock(shared, 'x')
    second.releaseLock()
  })

  test('takes the Web Lock named after the backend, if available; holds it until releaseLock', async () => {
    const locks = fakeLocks()
    setGlobal('navigator', { locks })
    const life = new Lifecycle()
    await life.acquireLock(named('paging-storage:app'), 'app')
    assert.deepEqual(locks.requests, [{ name: 'paging-storage:app', options: { ifAvailable: true } }])
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(locks.released, [], 'still held')
    life.releaseLock()
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(locks.released, ['paging-storage:app'])
    assert.doesNotThrow(() => life.releaseLock(), 'a second release is harmless')
  })

  test('LOCKED when another instance holds the Web Lock; the backend object is free again', async () => {
    const locks = fakeLocks(new Set(['paging-storage:app']))
    setGlobal('navigator', { locks })
    const backend = named('paging-storage:app')
    await assert.rejects(new Lifecycle().acquireLock(backend, 'app'), {
      name: 'PagingStorageError',
      code: 'LOCKED',
      message: /persistenceKey 'app' is open in another tab or instance/
    })
    locks.held?.delete?.('paging-storage:app')
  })

  test('a second Lifecycle on the same name is LOCKED until the first releases', async () => {
    const locks = fakeLocks()
    setGlobal('navigator', { locks })
    const first = new Lifecycle()
    await first.acquireLock(named('n'), 'k')
    await assert.rejects(new Lifecycle().acquireLock(named('n'), 'k'), { code: 'LOCKED' })
    first.releaseLock()
    await new Promise((r) => setImmediate(r))
    const again = new Lifecycle()
    await again.acquireLock(named('n'), 'k')
    again.releaseLock()
  })

  test('a request that fails rejects with its error and holds nothing', async () => {
    const boom = new Error('SecurityError')
    setGlobal('navigator', { locks: { request: () => Promise.reject(boom) } })
    const backend = named('n')
    await assert.rejects(new Lifecycle().acquireLock(backend, 'k'), (err) => err === boom)
    setGlobal('navigator', undefined)
    const life = new Lifecycle()
    await life.acquireLock(backend, 'k') // the object and the name were let go
    life.releaseLock()
  })
})

describe('Lifecycle.watch', () => {
  test('saves on a timer every `every` ms until stopWatching', () => {
    mock.timers.enable({ apis: ['setInterval'] })
    const life = new Lifecycle()
    let soon = 0
    let now = 0
    life.watch({ every: 1000, saveSoon: () => soon++, saveNow: () => now++ })
    mock.timers.tick(999)
    assert.equal(soon, 0)
    mock.timers.tick(1)
    assert.equal(soon, 1)
    mock.timers.tick(3000)
    assert.equal(soon, 4)
    life.stopWatching()
    mock.timers.tick(10000)
    assert.equal(soon, 4)
    assert.equal(now, 0)
  })

  test('every 0: no timer', () => {
    mock.timers.enable({ apis: ['setInterval'] })
    const life = new Lifecycle()
    let soon = 0
    life.watch({ every: 0, saveSoon: () => soon++, saveNow: () => {} })
    mock.timers.tick(1e7)
    assert.equal(soon, 0)
    life.stopWatching()
  })

  test('pagehide saves now; visibilitychange to hidden saves soon; stopWatching removes both', () => {
    const win = fakeTarget()
    const doc = Object.assign(fakeTarget(), { visibilityState: 'visible' })
    setGlobal('addEventListener', win.addEventListener)
    setGlobal('removeEventListener', win.removeEventListener)
    setGlobal('document', doc)
    const life = new Lifecycle()
    const calls = []
    life.watch({ every: 0, saveSoon: () => calls.push('soon'), saveNow: () => calls.push('now') })
    assert.equal(win.count(), 1)
    assert.equal(doc.count(), 1)
    win.dispatch('pagehide')
    assert.deepEqual(calls, ['now'])
    doc.dispatch('visibilitychange')
    assert.deepEqual(calls, ['now'], 'visible: no save')
    doc.visibilityState = 'hidden'
    doc.dispatch('visibilitychange')
    assert.deepEqual(calls, ['now', 'soon'])
    life.stopWatching()
    assert.equal(win.count(), 0)
    assert.equal(doc.count(), 0)
    win.dispatch('pagehide')
    doc.dispatch('visibilitychange')
    assert.deepEqual(calls, ['now', 'soon'])
    assert.doesNotThrow(() => life.stopWatching())
  })

  test('without a document (Node): only the timer', () => {
    setGlobal('document', undefined)
    const win = fakeTarget()
    setGlobal('addEventListener', win.addEventListener)
    const life = new Lifecycle()
    life.watch({ every: 0, saveSoon: () => {}, saveNow: () => {} })
    assert.equal(win.count(), 0)
    life.stopWatching()
  })

  test('stopWatching before watch is harmless', () => {
    assert.doesNotThrow(() => new Lifecycle().stopWatching())
  })
})
