// Out of space on a copy-on-write backend (localStorage keeps the old copy of
// every page until the new manifest is written): deleting saved values must
// let saving resume, and the deletes must survive a reopen.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { LocalStorageBackend, PagingStorage, SimulatedNetwork } from 'paging-storage'

import { MemoryStorage } from './helpers.js'

const big = 'x'.repeat(20_000)
const name = (i) => 'blob:' + String(i).padStart(3, '0')

/** @param {MemoryStorage} storage */
function open(storage, extra = {}) {
  return new PagingStorage({
    persistence: { backend: new LocalStorageBackend('quota', storage), autoSaveInterval: 0 },
    ...extra
  })
}

/** Saves values until the quota refuses one; @returns {Promise<number>} how many were saved */
async function fill(s) {
  for (let i = 0; i < 1000; i++) {
    await s.set(name(i), big)
    try {
      await s.flush()
    } catch (err) {
      assert.equal(err.code, 'QUOTA_EXCEEDED')
      return i
    }
  }
  throw new Error('the quota never filled')
}

test('localstorage quota: deleting other saved values lets flush() resume, and a reopen keeps the deletes', async () => {
  const storage = new MemoryStorage(1_000_000)
  const s = open(storage)
  const saved = await fill(s)
  assert.ok(saved > 10, `saved ${saved}`)
  // The value whose save failed (name(saved)) stays; others make room.
  for (let i = 0; i < saved / 2; i++) await s.delete(name(i))
  await s.flush()
  assert.equal(s.getStats().cache.quotaBlocked, false)
  await s.set('after', 'room again')
  await s.flush()
  await s.shutdown()

  const again = open(storage)
  const deletedBack = []
  for (let i = 0; i < saved / 2; i++) if ((await again.get(name(i))) !== undefined) deletedBack.push(name(i))
  assert.deepEqual(deletedBack, [], 'deleted keys came back after a reopen')
  assert.equal((await again.get(name(saved)))?.length, big.length, 'the value whose save failed was saved')
  assert.equal((await again.get(name(saved - 1)))?.length, big.length)
  assert.equal(await again.get('after'), 'room again')
  await again.shutdown()
})

test('localstorage quota: after deletes, set() is taken again without an explicit flush (with peers too)', async () => {
  for (const network of [false, true]) {
    const storage = new MemoryStorage(1_000_000)
    // On a network (alone on it here) the store never purges tombstones
    // without asking its peers; the deletes must make room by themselves.
    const extra = network ? { transport: new SimulatedNetwork({ seed: 1 }).join('a') } : {}
    const s = open(storage, extra)
    const saved = await fill(s)
    await assert.rejects(s.set('more', 1), { code: 'QUOTA_EXCEEDED' })
    for (let i = 0; i < saved / 2; i++) await s.delete(name(i))
    await s.set('after', 'room again')
    assert.equal(await s.get('after'), 'room again')
    await s.shutdown()
  }
})
