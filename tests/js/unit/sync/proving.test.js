// proving.js: acknowledged entries wait for their replica's proof, one audit in flight per replica.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Proving } from '../../../../js/sync/proving.js'
import { flush, hlc, rec } from './fakes.js'

function setup() {
  const audits = []
  const log = []
  const current = new Set()
  const p = new Proving({
    audit: (peer, records) => new Promise((answer) => audits.push({ peer, keys: records.map((r) => r.key).sort(), answer })),
    current: (peer, e) => current.has(e),
    held: (peer, entries) => log.push(['held', peer, entries.map((e) => e.rec.key)]),
    again: (peer, entries) => log.push(['again', peer, entries.map((e) => e.rec.key)]),
    notHeld: (peer, entries) => log.push(['notHeld', peer, entries.map((e) => e.rec.key)]),
    after: (peer) => log.push(['after', peer])
  })
  const entry = (key, deleted = false) => {
    const e = { rec: deleted ? rec(key, hlc(1), 'P', null) : rec(key, hlc(1)) }
    current.add(e)
    return e
  }
  return { p, audits, log, current, entry }
}

test('one audit per replica at a time, of everything it acknowledged since the last one', async () => {
  const { p, audits, log, entry } = setup()
  p.add('B', [entry('a')])
  p.add('B', [entry('b'), entry('c')])
  p.add('C', [entry('d')])
  assert.deepEqual(audits.map((a) => [a.peer, a.keys]), [['B', ['a']], ['C', ['d']]])
  audits[0].answer('proven')
  await flush()
  assert.deepEqual(log.slice(0, 2), [['held', 'B', ['a']], ['after', 'B']])
  assert.deepEqual(audits[2], { ...audits[2], peer: 'B', keys: ['b', 'c'] })
})

test("lacking: the entries still current are sent again; failed or gone: they are not held", async () => {
  for (const [verdict, what] of [
    ['lacking', 'again'],
    ['failed', 'notHeld'],
    ['gone', 'notHeld']
  ]) {
    const { p, audits, log, entry, current } = setup()
    const gone = entry('gone')
    p.add('B', [entry('a'), gone])
    current.delete(gone) // superseded meanwhile
    audits[0].answer(verdict)
    await flush()
    assert.deepEqual(log, [[what, 'B', ['a']], ['after', 'B']], verdict)
  }
})

test('tombstones only: held at once, no audit; entries no longer current are left out', () => {
  const { p, audits, log, entry, current } = setup()
  const old = entry('old')
  current.delete(old)
  p.add('B', [entry('t', true), old])
  assert.equal(audits.length, 0)
  assert.deepEqual(log, [['held', 'B', ['t']]])
})

test('clear() forgets what waits; close() ignores the verdicts in flight', async () => {
  const { p, audits, log, entry } = setup()
  p.add('B', [entry('a')])
  p.add('B', [entry('b')])
  p.clear()
  audits[0].answer('proven')
  await flush()
  assert.deepEqual(log, [['held', 'B', ['a']], ['after', 'B']], 'b was forgotten: no second audit')
  assert.equal(audits.length, 1)
  p.add('C', [entry('c')])
  p.close()
  audits[1].answer('proven')
  await flush()
  assert.equal(log.length, 2)
})
