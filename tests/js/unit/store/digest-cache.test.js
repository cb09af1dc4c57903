// DigestCache: root digests kept while nothing changes.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { DigestCache } from '../../../../js/store/digest-cache.js'

const answer = (d) => ({ counts: [1], digests: [d] })

test('root queries are kept per ring and rf until a change; answers are copies', () => {
  const c = new DigestCache()
  const ring = {}
  assert.equal(DigestCache.cacheable([{ peer: 1, bits: 0, entries: false }]), true)
  assert.equal(DigestCache.cacheable([{ peer: 1, bits: 4, entries: false }]), false)
  assert.equal(DigestCache.cacheable([{ peer: 1, bits: 0, entries: true }]), false)
  assert.equal(c.get(ring, 3, [1], 0), null)
  c.put(ring, 3, [1, 2], [answer('a'), answer('b')], c.stamp(), 0)
  const got = c.get(ring, 3, [2, 1], 10)
  assert.deepEqual(got, [answer('b'), answer('a')])
  got[0].digests[0] = 'mutated'
  assert.deepEqual(c.get(ring, 3, [2], 10), [answer('b')], 'a copy')
  assert.equal(c.get(ring, 2, [1], 10), null, 'another rf')
  assert.equal(c.get({}, 3, [1], 10), null, 'another ring')
  assert.equal(c.get(ring, 3, [1, 9], 10), null, 'a peer never scanned')
  assert.equal(c.hits, 2)
  c.changed()
  assert.equal(c.get(ring, 3, [1], 10), null, 'a change makes it stale')
})

test('a scan a change overtook is not kept; entries expire after 10 minutes', () => {
  const c = new DigestCache()
  const ring = {}
  const stamp = c.stamp()
  c.changed() // a write queued while the scan ran
  c.put(ring, 3, [1], [answer('a')], stamp, 0)
  assert.equal(c.get(ring, 3, [1], 0), null)
  c.put(ring, 3, [1], [answer('a')], c.stamp(), 0)
  assert.notEqual(c.get(ring, 3, [1], 10 * 60 * 1000), null)
  assert.equal(c.get(ring, 3, [1], 10 * 60 * 1000 + 1), null)
})
