import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { StorageEvents } from '../../../../js/api/storage-events.js'
import { Emitter } from '../../../../js/core/emitter.js'

/** A backing that counts its listeners. */
function fakeBacking() {
  const emitter = new Emitter()
  return {
    emitter,
    watched: [],
    on(event, fn) {
      return emitter.on(event, fn)
    },
    watch(targets) {
      this.watched.push(targets)
    }
  }
}

describe('StorageEvents', () => {
  test("the backing's progress is passed on only while the app listens", () => {
    const backing = fakeBacking()
    const events = new StorageEvents()
    events.bind(/** @type {any} */ (backing))
    assert.equal(backing.emitter.has('progress'), false)
    const seen = []
    const off = events.on('progress', (p) => seen.push(p))
    assert.equal(backing.emitter.has('progress'), true)
    backing.emitter.emit('progress', { task: 'range', done: 1, total: 2 })
    events.emit('progress', { task: 'import', done: 5, total: 5 })
    assert.deepEqual(seen.map((p) => p.task), ['range', 'import'])
    off()
    assert.equal(backing.emitter.has('progress'), false)
  })

  test('error and role before the backing is bound; change and watch through it; bad events and listeners refused', () => {
    const events = new StorageEvents()
    const errors = []
    events.on('error', (e) => errors.push(e))
    events.emit('error', 'boom')
    assert.deepEqual(errors, ['boom'])
    const backing = fakeBacking()
    events.bind(/** @type {any} */ (backing))
    const changes = []
    events.watch({ key: 'k' }, (e) => changes.push(e.key))
    assert.deepEqual(backing.watched, [[{ key: 'k' }]])
    backing.emitter.emit('applied', [{ record: { key: 'k', hlc: '0000000000010000', origin: 'p', deleted: true, json: null }, replicate: false, existed: false }])
    assert.deepEqual(changes, ['k'])
    assert.throws(() => events.on(/** @type {any} */ ('nope'), () => {}), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => events.on('change', /** @type {any} */ (1)), { code: 'INVALID_ARGUMENT' })
  })
})
