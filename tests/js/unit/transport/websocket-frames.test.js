// The hub's frame grammar: what parses, and everything that must not.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { broadcastFrame, controlFrame, dataFrame, isFramePeerId, parseFrame } from '../../../../js/transport/websocket-frames.js'

test('data, broadcast and control frames round-trip', () => {
  assert.deepEqual(parseFrame(dataFrame('>', 'peer-a', '{"t":"hb"}')), { kind: 'to', peer: 'peer-a', payload: '{"t":"hb"}' })
  assert.deepEqual(parseFrame(dataFrame('<', 'peer-b', 'x\ny')), { kind: 'from', peer: 'peer-b', payload: 'x\ny' })
  assert.deepEqual(parseFrame(dataFrame('>', 'p', '')), { kind: 'to', peer: 'p', payload: '' })
  assert.deepEqual(parseFrame(broadcastFrame('hi\n')), { kind: 'broadcast', payload: 'hi\n' })
  assert.deepEqual(parseFrame(controlFrame({ hello: 'a', v: 1 })), { kind: 'control', control: { hello: 'a', v: 1 } })
})

test('malformed frames parse to null', () => {
  for (const bad of [
    '',
    undefined,
    42,
    new Uint8Array(3),
    '>peer-without-newline',
    '>\npayload', // empty id
    `>${'x'.repeat(256)}\npayload`, // id over 255 bytes
    '>\ud800\npayload', // not well-formed UTF-16
    '*x\npayload', // a broadcast names no one
    '?a\nb',
    '{not json',
    '[1,2]',
    'null'
  ]) {
    assert.equal(parseFrame(bad), null, `${JSON.stringify(String(bad)).slice(0, 40)}`)
  }
})

test('peer ids frames carry: 1..255 UTF-8 bytes, no newline', () => {
  assert.equal(isFramePeerId('a'.repeat(255)), true)
  assert.equal(isFramePeerId('é'.repeat(128)), false)
  assert.equal(isFramePeerId('a\nb'), false)
  assert.equal(isFramePeerId(''), false)
  assert.equal(isFramePeerId(7), false)
})
