import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { Emitter } from '../../../../js/core/emitter.js'

describe('Emitter', () => {
  test('emit calls every listener of the event with the payload, in order', () => {
    const e = new Emitter()
    const calls = []
    e.on('x', (p) => calls.push(['a', p]))
    e.on('x', (p) => calls.push(['b', p]))
    e.on('y', (p) => calls.push(['y', p]))
    e.emit('x', 1)
    assert.deepEqual(calls, [
      ['a', 1],
      ['b', 1]
    ])
  })

  test('emit without listeners does nothing', () => {
    assert.doesNotThrow(() => new Emitter().emit('nobody', {}))
  })

  test('has() tells whether anyone listens', () => {
    const e = new Emitter()
    assert.equal(e.has('x'), false)
    const fn = () => {}
    const off = e.on('x', fn)
    assert.equal(e.has('x'), true)
    assert.equal(e.has('y'), false)
    off()
    assert.equal(e.has('x'), false)
  })

  test('on returns an unsubscribe; off removes one listener', () => {
    const e = new Emitter()
    const calls = []
    const a = () => calls.push('a')
    const b = () => calls.push('b')
    const offA = e.on('x', a)
    e.on('x', b)
    offA()
    e.emit('x')
    e.off('x', b)
    e.emit('x')
    assert.deepEqual(calls, ['b'])
  })

  test('off of an unknown listener or event is harmless', () => {
    const e = new Emitter()
    assert.doesNotThrow(() => e.off('none', () => {}))
    e.on('x', () => {})
    assert.doesNotThrow(() => e.off('x', () => {}))
    assert.equal(e.has('x'), true)
  })

  test('the same function added twice is called once', () => {
    const e = new Emitter()
    let n = 0
    const fn = () => n++
    e.on('x', fn)
    e.on('x', fn)
    e.emit('x')
    assert.equal(n, 1)
  })

  test('a throwing listener does not stop the others nor the caller', () => {
    const e = new Emitter()
    const calls = []
    e.on('x', () => {
      throw new Error('app bug')
    })
    e.on('x', (p) => calls.push(p))
    assert.doesNotThrow(() => e.emit('x', 'p'))
    assert.deepEqual(calls, ['p'])
  })

  test('listeners added or removed during an emit do not change that emit', () => {
    const e = new Emitter()
    const calls = []
    const late = () => calls.push('late')
    const second = () => calls.push('second')
    e.on('x', () => {
      calls.push('first')
      e.on('x', late)
      e.off('x', second)
    })
    e.on('x', second)
    e.emit('x')
    assert.deepEqual(calls, ['first', 'second'])
    calls.length = 0
    e.emit('x')
    assert.deepEqual(calls, ['first', 'late'])
  })
})
