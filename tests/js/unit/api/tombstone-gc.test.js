// TombstoneCollector: when and with which horizon the store is compacted.
import assert from 'node:assert/strict'
import { afterEach, describe, mock, test } from 'node:test'

import { TombstoneCollector } from '../../../../js/api/tombstone-gc.js'
import { hlcAtWallMs } from '../../../../js/core/versions.js'

const NOW = 1_800_000_000_000

function fakeStore(tombstones = 5) {
  const calls = []
  let release = () => {}
  return {
    calls,
    tombstones,
    hold: false,
    engineStats() {
      return { tombstones: this.tombstones }
    },
    compact(horizon) {
      calls.push(horizon)
      if (!this.hold) return Promise.resolve(7)
      return new Promise((resolve) => {
        release = () => resolve(7)
      })
    },
    release: () => release()
  }
}

afterEach(() => mock.timers.reset())

describe('TombstoneCollector', () => {
  test('collect purges what is older than the grace period', async () => {
    mock.timers.enable({ apis: ['Date'], now: NOW })
    const store = fakeStore()
    const gc = new TombstoneCollector(/** @type {any} */ (store), { grace: 3_600_000 })
    assert.deepEqual(await gc.collect(), { purged: 7 })
    assert.deepEqual(store.calls, [hlcAtWallMs(NOW - 3_600_000)])
  })

  test('a collect during a collection joins it', async () => {
    const store = fakeStore()
    store.hold = true
    const gc = new TombstoneCollector(/** @type {any} */ (store), { grace: 0 })
    const a = gc.collect()
    const b = gc.collect()
    assert.equal(a, b)
    store.release()
    assert.deepEqual(await a, { purged: 7 })
    assert.equal(store.calls.length, 1)
    store.hold = false
    await gc.collect()
    assert.equal(store.calls.length, 2, 'a later collect runs again')
  })

  test('the timer runs every quarter of the grace period, clamped to 1 minute .. 1 hour, only when tombstones exist', async () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: NOW })
    for (const [grace, every] of [[0, 60_000], [400_000, 100_000], [7 * 86_400_000, 3_600_000]]) {
      const store = fakeStore(0)
      const gc = new TombstoneCollector(/** @type {any} */ (store), { grace })
      gc.start(() => {})
      mock.timers.tick(every)
      assert.equal(store.calls.length, 0, 'no tombstones: nothing to do')
      store.tombstones = 3
      mock.timers.tick(every - 1)
      assert.equal(store.calls.length, 0)
      mock.timers.tick(1)
      await Promise.resolve()
      assert.equal(store.calls.length, 1, `grace ${grace}: every ${every} ms`)
      gc.stop()
      mock.timers.tick(10 * every)
      assert.equal(store.calls.length, 1, 'stopped')
    }
  })

  test('a failing timed collection is reported', async () => {
    mock.timers.enable({ apis: ['setInterval'] })
    const store = fakeStore()
    const boom = new Error('disk')
    store.compact = () => Promise.reject(boom)
    const errors = []
    const gc = new TombstoneCollector(/** @type {any} */ (store), { grace: 0 })
    gc.start((e) => errors.push(e))
    mock.timers.tick(60_000)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(errors, [boom])
    gc.stop()
  })
})
