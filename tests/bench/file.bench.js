// `npm run bench`, the file backend (issue 17): the same workload, side by
// side in one run, against
//   memory backend   PagingStorage with the default (memory) backend
//   file backend     PagingStorage with { backend: 'file' } (LevelDB, synced saves)
//   raw LevelDB      the same writes straight to classic-level: the
//                    key/value pairs in the same batches of 1,000, then one
//                    synced batch (what a flush promises), and reads in
//                    batches of 1,000 (getMany)
// Workload: 100,000 keys 'user:<i>' written in a random order in calls of
// 1,000 (setMany), flushed, the store closed and opened again, then read in
// another random order in calls of 1,000 (getMany): default options
// (maxMemoryPages 50: most reads load pages from the backend, and saves
// made to free memory are synced), then 'relaxed' durability, then a
// server-sized page budget (4,096 pages of 4 KB).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { ClassicLevel } from 'classic-level'
import { PagingStorage } from 'paging-storage'

import { READ_SEED, WRITE_SEED, shuffled, userValue } from './workload.js'

const N = 100_000
const CALL = 1000
const writes = shuffled(N, WRITE_SEED)
const reads = shuffled(N, READ_SEED)
const rate = (ms) => Math.round((N / ms) * 1000)

async function store(persistence) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-file-'))
  const opts = { persistence: { ...persistence, dir: persistence.backend === 'file' ? dir : undefined } }
  let s = new PagingStorage(opts)
  let t0 = performance.now()
  for (let i = 0; i < N; i += CALL) await s.setMany(writes.slice(i, i + CALL).map((k) => [`user:${k}`, userValue(k)]))
  await s.flush()
  const set = rate(performance.now() - t0)
  const backend = persistence.backend === 'file' ? null : s
  if (backend === null) {
    await s.shutdown() // the next store opens the directory from disk
    s = new PagingStorage(opts)
  } else await s.clearCache() // memory: drop the resident pages instead
  t0 = performance.now()
  let found = 0
  for (let i = 0; i < N; i += CALL) for (const v of (await s.getMany(reads.slice(i, i + CALL).map((k) => `user:${k}`))).values()) if (v) found++
  const get = rate(performance.now() - t0)
  await s.shutdown()
  rmSync(dir, { recursive: true, force: true })
  if (found !== N) throw new Error(`read ${found} of ${N}`)
  return { set, get }
}

async function rawLevel() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-level-'))
  let db = new ClassicLevel(dir, { valueEncoding: 'utf8' })
  let t0 = performance.now()
  for (let i = 0; i < N; i += CALL) {
    await db.batch(writes.slice(i, i + CALL).map((k) => ({ type: 'put', key: `user:${k}`, value: JSON.stringify(userValue(k)) })))
  }
  await db.batch([{ type: 'put', key: 'flushed', value: '1' }], { sync: true })
  const set = rate(performance.now() - t0)
  await db.close()
  db = new ClassicLevel(dir, { valueEncoding: 'utf8' })
  t0 = performance.now()
  let found = 0
  for (let i = 0; i < N; i += CALL) for (const v of await db.getMany(reads.slice(i, i + CALL).map((k) => `user:${k}`))) if (v) JSON.parse(v) && found++
  const get = rate(performance.now() - t0)
  await db.close()
  rmSync(dir, { recursive: true, force: true })
  if (found !== N) throw new Error(`read ${found} of ${N}`)
  return { set, get }
}

const memory = await store({ backend: 'memory' })
const file = await store({ backend: 'file' })
const relaxed = await store({ backend: 'file', durability: 'relaxed' })
const roomy = await store({ backend: 'file', maxMemoryPages: 4096 })
const raw = await rawLevel()
const vs = (a, b) => `${(a.set / b.set).toFixed(2)}x / ${(a.get / b.get).toFixed(2)}x`
console.log('# file backend bench (100,000 random keys, calls of 1,000; ops/s, set / get)')
console.log(`memory backend, default options         ${memory.set} / ${memory.get}`)
console.log(`file backend, default options           ${file.set} / ${file.get}   (${vs(file, memory)} the memory backend, ${vs(file, raw)} raw LevelDB)`)
console.log(`file backend, durability 'relaxed'      ${relaxed.set} / ${relaxed.get}   (${vs(relaxed, memory)} the memory backend)`)
console.log(`file backend, maxMemoryPages 4096       ${roomy.set} / ${roomy.get}   (${vs(roomy, raw)} raw LevelDB)`)
console.log(`raw LevelDB (classic-level)             ${raw.set} / ${raw.get}`)
