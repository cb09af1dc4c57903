// `npm run bench`, churn: 200,000 keys set and deleted, 5 cycles, new keys
// each cycle, values like {name, age, email}, default options but for the
// grace period (0 here: the default keeps tombstones for 7 days, longer than
// a benchmark). After each cycle: the backend's bytes and pages once filled,
// and once deleted, purged (compact()) and saved.
// Targets (issue 12): each cycle's figures within 1.2x of the first cycle's,
// and the store with 0 live keys in at most 2 pages.
import { MemoryBackend, PagingStorage } from 'paging-storage'

const KEYS = Number(process.env.CHURN_KEYS ?? 200_000)
const CYCLES = 5
const BATCH = 1000

/** A MemoryBackend that counts the bytes it holds (pages, directory records, state). */
class CountingBackend extends MemoryBackend {
  /** @type {Map<number, number>} */
  #sizes = new Map()
  #state = 0

  /** @param {{pages: Array<{id: number, bytes: Uint8Array, record: Uint8Array}>, deleted: number[], state: Uint8Array}} batch */
  async writeBatch(batch) {
    await super.writeBatch(batch)
    for (const p of batch.pages) this.#sizes.set(p.id, p.bytes.length + p.record.length)
    for (const id of batch.deleted) this.#sizes.delete(id)
    this.#state = batch.state.length
  }

  get bytes() {
    let n = this.#state
    for (const s of this.#sizes.values()) n += s
    return n
  }
}

const backend = new CountingBackend()
const store = new PagingStorage({ tombstoneGracePeriod: 0, persistence: { backend } })
await store.ready
const rows = []
const t0 = performance.now()
for (let cycle = 1; cycle <= CYCLES; cycle++) {
  const keys = Array.from({ length: KEYS }, (_, i) => `c${cycle}:user:${((i * 7919) % KEYS).toString(36)}`)
  for (let i = 0; i < KEYS; i += BATCH) {
    await store.setMany(keys.slice(i, i + BATCH).map((k, j) => [k, { name: `user ${i + j}`, age: (i + j) % 90, email: `${k}@example.com` }]))
  }
  await store.flush()
  const filled = { bytes: backend.bytes, pages: backend.pageCount }
  for (let i = 0; i < KEYS; i += BATCH) await Promise.all(keys.slice(i, i + BATCH).map((k) => store.delete(k)))
  const { purged } = await store.compact()
  await store.flush()
  const st = store.getStats()
  rows.push({ cycle, filled, purged, emptied: { bytes: backend.bytes, pages: backend.pageCount }, live: st.totalKeys, tombstones: st.tombstones })
}
const seconds = (performance.now() - t0) / 1000
await store.shutdown()

const first = rows[0].filled
console.log(`\nchurn: ${KEYS.toLocaleString('en')} keys set and deleted per cycle, ${CYCLES} cycles, new keys each cycle (${seconds.toFixed(1)} s)`)
console.log('| cycle | filled: bytes | pages | deleted + compact(): purged | bytes | pages | live keys | tombstones |')
console.log('|---|---|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(
    `| ${r.cycle} | ${r.filled.bytes.toLocaleString('en')} | ${r.filled.pages} | ${r.purged.toLocaleString('en')} | ${r.emptied.bytes.toLocaleString('en')} | ${r.emptied.pages} | ${r.live} | ${r.tombstones} |`
  )
}
const worst = Math.max(...rows.map((r) => Math.max(r.filled.bytes / first.bytes, r.filled.pages / first.pages)))
const maxEmpty = Math.max(...rows.map((r) => r.emptied.pages))
console.log(`filled figures vs cycle 1: at most ${worst.toFixed(2)}x (target <= 1.2x) — ${worst <= 1.2 ? 'met' : 'NOT met'}`)
console.log(`pages with 0 live keys: at most ${maxEmpty} (target <= 2) — ${maxEmpty <= 2 ? 'met' : 'NOT met'}`)
