// Chromium figure of issue 5: the time for a new peer to receive the 10,000
// keys it is responsible for, over a real PeerPigeon mesh. Two pages hold
// the keys; a third joins (RF 3: it replicates every key). Timed from the
// moment its store is open until it holds all of them locally.
// Run by scripts/bench.sh inside a loopback-only namespace when root.
import { members, startPeerPages, until } from '../browser/peer-pages.js'

const KEYS = 10000
const pages = await startPeerPages()
try {
  const A = await pages.openPeer('a'.repeat(40), 'bench-a')
  await pages.openPeer('b'.repeat(40), 'bench-b')
  await until(A, ...members(2))
  await A.evaluate(async (n) => {
    const entries = Array.from({ length: n }, (_, i) => [`doc:${i}`, { i, title: `document ${i}`, body: 'x'.repeat(100) }])
    await window.store.setMany(entries)
    await window.store.replicated({ timeout: 60000 })
  }, KEYS)
  const C = await pages.openPeer('c'.repeat(40), 'bench-c')
  const ms = await C.evaluate(async (n) => {
    const started = performance.now()
    const keys = Array.from({ length: n }, (_, i) => `doc:${i}`)
    for (;;) {
      if (window.store.getStats().totalKeys >= n) {
        const got = await Promise.all(keys.filter((_, i) => i % 100 === 0).map((k) => window.store.getLocal(k)))
        if (got.every((v) => v !== undefined)) return performance.now() - started
      }
      if (performance.now() - started > 60000) throw new Error(`only ${window.store.getStats().totalKeys} keys after 60 s`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }, KEYS)
  const stats = await C.evaluate(() => window.store.getStats())
  console.log('# peer bench (Chromium, PeerPigeon over loopback WebRTC)')
  console.log(
    `new peer receives ${KEYS} keys`.padEnd(52) +
      `${ms.toFixed(0).padStart(9)} ms   target <= 2000 ms     ${ms <= 2000 ? 'MET' : 'NOT MET'}` +
      `   (${stats.sync.messagesIn} messages, ${(stats.sync.bytesIn / 1e6).toFixed(1)} MB in)`
  )
} finally {
  await pages.close()
}
