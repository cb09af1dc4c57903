// Randomized model test through the public API: 40,000 operations on a store
// with 512-byte pages and a budget of 2, 8 or 16 resident pages (so scans
// fetch 1 to 4 pages ahead, forward and reverse), against a JS Map.
// Operations are issued in bursts without awaiting each other, so the queue's
// ordering and coalescing are exercised; every answer is checked against the
// model state at the moment the call was made.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { MemoryBackend, PagingStorage } from 'paging-storage'

import { seededRandom } from '../../js/transport/simulated-network.js'

function cmpCodePoints(a, b) {
  // Code point order = UTF-8 byte order (what the store promises).
  const x = [...a].map((c) => c.codePointAt(0))
  const y = [...b].map((c) => c.codePointAt(0))
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}

// The last two run with the write path (cpp/src/WRITE_PATH.md): half the
// budget for its buffer.
for (const [seed, budget, writeBufferPages] of [[1, 2, 0], [2, 8, 0], [3, 16, 0], [4, 8, 4], [5, 16, 8]]) {
  test(`public API matches a Map (seed ${seed}, ${budget} resident pages, write buffer ${writeBufferPages})`, async () => {
    const random = seededRandom(seed)
    const pick = (n) => Math.floor(random() * n)
    const backend = new MemoryBackend()
    const open = () =>
      new PagingStorage({
        peerId: 'model',
        pageSize: 512,
        persistence: { maxMemoryPages: budget, maxDiskPages: 1e6, autoSaveInterval: 0, backend, writeBufferPages }
      })
    let store = open()
    const model = new Map()
    const keyOf = () => {
      const i = pick(1500)
      return (i % 11 === 0 ? 'ü' : i % 13 === 0 ? '\u{1F600}' : 'k') + (i % 7) + '/' + i
    }
    const valueOf = () => {
      switch (pick(5)) {
        case 0:
          return pick(1e6)
        case 1:
          return 'v'.repeat(pick(300))
        case 2:
          return { n: pick(100), tags: ['a', 'b'].slice(0, pick(3)), nested: { ok: random() < 0.5 } }
        case 3:
          return [pick(10), null, 'x']
        default:
          return random() < 0.5 ? null : true
      }
    }
    let ops = 0
    const OPS = 8000
    while (ops < OPS) {
      const burst = []
      const burstSize = 1 + pick(40)
      for (let b = 0; b < burstSize && ops < OPS; b++, ops++) {
        const r = pick(100)
        const k = keyOf()
        if (r < 35) {
          const v = valueOf()
          model.set(k, v)
          burst.push(store.set(k, v))
        } else if (r < 50) {
          const existed = model.delete(k)
          burst.push(store.delete(k).then((d) => assert.equal(d, existed, `delete ${k}`)))
        } else if (r < 75) {
          const want = model.get(k)
          burst.push(store.get(k).then((v) => assert.deepEqual(v, want, `get ${k}`)))
        } else if (r < 82) {
          const want = model.has(k)
          burst.push(store.has(k).then((h) => assert.equal(h, want, `has ${k}`)))
        } else if (r < 88) {
          const entries = Array.from({ length: 1 + pick(30) }, () => [keyOf(), valueOf()])
          for (const [ek, ev] of entries) model.set(ek, ev)
          burst.push(store.setMany(entries).then((res) => assert.ok(res.every((x) => x.success))))
        } else if (r < 92) {
          const ks = Array.from({ length: 1 + pick(20) }, keyOf)
          const want = new Map(ks.map((x) => [x, model.get(x)]))
          burst.push(store.getMany(ks).then((m) => assert.deepEqual(m, want)))
        } else if (r < 96) {
          const prefix = ['k', 'ü', '\u{1F600}'][pick(3)] + pick(7) + '/' + (pick(3) === 0 ? pick(10) : '')
          const reverse = random() < 0.5
          const limit = random() < 0.3 ? 1 + pick(20) : 0
          let want = [...model].filter(([x]) => x.startsWith(prefix)).sort(([a], [b]) => cmpCodePoints(a, b))
          if (reverse) want.reverse()
          if (limit) want = want.slice(0, limit)
          burst.push(store.range({ prefix, reverse, limit: limit || undefined }).then((got) => assert.deepEqual(got, want, `range ${prefix}`)))
        } else if (r < 98) {
          burst.push(store.clearCache())
        } else {
          // Reopen from the backend; the next burst starts on a fresh store.
          await Promise.all(burst)
          burst.length = 0
          await store.shutdown()
          store = open()
        }
      }
      await Promise.all(burst)
      const stats = store.getStats()
      assert.ok(stats.cache.residentPages <= budget, `resident ${stats.cache.residentPages}`)
    }
    // Final comparison of everything, in order.
    const all = await store.range()
    const want = [...model].sort(([a], [b]) => cmpCodePoints(a, b))
    assert.deepEqual(all, want)
    assert.equal(store.getStats().totalKeys, model.size)
    const report = store.diagnose()
    assert.equal(report.ok, true, report.issues.join('; '))
    assert.ok(store.getStats().cache.pageLoads > 100, 'the test must page')
    await store.shutdown()
  })
}
