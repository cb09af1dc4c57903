// `npm run bench`, JavaScript part: set/get of 100k keys with values like
// { name: 'user' + i, age: i }, side by side in one run:
//   native engine   tests/bench/json_workload.cc built natively
//   wasm engine     the same program built with Emscripten, run by Node
//                   (engine vs engine: no boundary crossing in either)
//   raw wasm calls  the module's batch calls from JS, 1,000 ops a call,
//                   pre-encoded (engine + embind boundary)
//   public API      PagingStorage: awaited one by one, and 1,000 at a time
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { PagingStorage } from 'paging-storage'

import createModule from '../../dist/wasm/paging_storage.mjs'
import { decodeValues } from '../../js/engine/codec.js'
import { Writer } from '../../js/engine/wire.js'

const N = 100_000
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const keys = Array.from({ length: N }, (_, i) => 'user:' + i)
const values = Array.from({ length: N }, (_, i) => ({ name: 'user' + i, age: i }))

function rate(ops, ms) {
  return Math.round((ops / ms) * 1000)
}

async function time(fn) {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

/** Best of 3 runs of a workload program printing {"set":..,"get":..}. */
function workloadRates(cmd, args) {
  const best = { set: 0, get: 0 }
  for (let i = 0; i < 3; i++) {
    const r = JSON.parse(execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n').pop())
    best.set = Math.max(best.set, Math.round(r.set))
    best.get = Math.max(best.get, Math.round(r.get))
  }
  return best
}

async function wasmRates() {
  const wasmBinary = await readFile(join(repo, 'dist/wasm/paging_storage.wasm'))
  const module = await createModule({ wasmBinary })
  const json = values.map((v) => JSON.stringify(v))
  const setBatches = []
  const getBatches = []
  for (let i = 0; i < N; i += 1000) {
    const w = new Writer(64 * 1024)
    const g = new Writer(16 * 1024)
    g.varint(Math.min(1000, N - i))
    for (let j = i; j < Math.min(N, i + 1000); j++) {
      w.byte(0)
      w.string(keys[j])
      w.string(json[j])
      g.string(keys[j])
    }
    setBatches.push(w.finish().slice())
    getBatches.push(g.finish().slice())
  }
  const best = { set: 0, get: 0 }
  for (let round = 0; round < 3; round++) {
    const handle = new module.EngineHandle()
    handle._create(JSON.stringify({ peerId: 'bench', maxMemoryPages: 1e6 }))
    const now = Date.now()
    // Input bytes go through the handle's staging buffer, as in js/engine:
    // length:fixed32, then the bytes (wasm/engine_handle.h, Stage).
    const stage = (b) => {
      const at = handle._stage(b.length)
      const heap = module.HEAPU8
      new DataView(heap.buffer).setUint32(at, b.length, true)
      heap.set(b, at + 4)
    }
    // A reply (length:fixed32, then the bytes), copied out.
    const reply = (at) => {
      const heap = module.HEAPU8
      return heap.slice(at + 4, at + 4 + new DataView(heap.buffer).getUint32(at, true))
    }
    const setMs = await time(() => {
      for (const b of setBatches) {
        stage(b)
        handle._applyBatch(now, false)
      }
    })
    const getMs = await time(() => {
      for (const b of getBatches) {
        stage(b)
        handle._getMany()
      }
    })
    // The calls did the work: every key of the last batch reads back.
    stage(getBatches[getBatches.length - 1])
    const { answers } = decodeValues(reply(handle._getMany()))
    if (answers.length !== Math.min(1000, N) || answers.some((a) => a.code !== 0)) {
      throw new Error('raw wasm calls: the keys written do not read back')
    }
    best.set = Math.max(best.set, rate(N, setMs))
    best.get = Math.max(best.get, rate(N, getMs))
    handle.delete()
  }
  return best
}

async function apiRates(options, label) {
  const best = { setAwaited: 0, setTogether: 0, getAwaited: 0, getTogether: 0 }
  for (let round = 0; round < 2; round++) {
    let s = new PagingStorage(options)
    await s.ready
    best.setAwaited = Math.max(best.setAwaited, rate(N, await time(async () => {
      for (let i = 0; i < N; i++) await s.set(keys[i], values[i])
    })))
    best.getAwaited = Math.max(best.getAwaited, rate(N, await time(async () => {
      for (let i = 0; i < N; i++) await s.get(keys[i])
    })))
    await s.shutdown()
    s = new PagingStorage(options)
    await s.ready
    best.setTogether = Math.max(best.setTogether, rate(N, await time(async () => {
      for (let i = 0; i < N; i += 1000) {
        const chunk = []
        for (let j = i; j < i + 1000; j++) chunk.push(s.set(keys[j], values[j]))
        await Promise.all(chunk)
      }
    })))
    best.getTogether = Math.max(best.getTogether, rate(N, await time(async () => {
      for (let i = 0; i < N; i += 1000) {
        const chunk = []
        for (let j = i; j < i + 1000; j++) chunk.push(s.get(keys[j]))
        await Promise.all(chunk)
      }
    })))
    if ((await s.get(keys[N - 1])).age !== N - 1) throw new Error(`${label}: wrong value read back`)
    await s.shutdown()
  }
  return best
}

const fmt = (n) => n.toLocaleString('en-US').padStart(12)
const native = workloadRates(join(repo, 'build/bench/tests/bench/json_workload'), [])
const wasmEngine = workloadRates('node', [join(repo, 'build/wasm/wasm/json_workload_wasm.cjs')])
const wasm = await wasmRates()
// Disk budget raised: 100k keys need ~2,500 pages, past the default 500.
const resident = await apiRates({ peerId: 'bench', persistence: { maxMemoryPages: 1e6, maxDiskPages: 1e6, autoSaveInterval: 0 } }, 'resident')
const paged = await apiRates({ peerId: 'bench', persistence: { maxDiskPages: 1e6, autoSaveInterval: 0 } }, 'default')

console.log(`\nJavaScript benchmark: ${N.toLocaleString('en-US')} keys, values like { name: 'user' + i, age: i } (ops/s)`)
console.log(`${'path'.padEnd(52)}${'set'.padStart(12)}${'get'.padStart(12)}`)
const row = (label, set, get) => console.log(`${label.padEnd(52)}${fmt(set)}${fmt(get)}`)
row('native engine (C++, -O3 -flto)', native.set, native.get)
row('wasm engine (same program, Emscripten -O3 -flto)', wasmEngine.set, wasmEngine.get)
row('raw wasm calls from JS (batches of 1,000)', wasm.set, wasm.get)
row('public API, awaited one by one (all resident)', resident.setAwaited, resident.getAwaited)
row('public API, 1,000 calls at a time (all resident)', resident.setTogether, resident.getTogether)
row('public API, awaited one by one (50 resident pages)', paged.setAwaited, paged.getAwaited)
row('public API, 1,000 calls at a time (50 resident pages)', paged.setTogether, paged.getTogether)

const verdict = (ok) => (ok ? 'MET' : 'MISSED')
const pct = (a, b) => `${((a / b) * 100).toFixed(0)}%`
console.log('\nTargets')
console.log(`  wasm engine >= 50% of native: set ${pct(wasmEngine.set, native.set)} ${verdict(wasmEngine.set >= native.set / 2)}, get ${pct(wasmEngine.get, native.get)} ${verdict(wasmEngine.get >= native.get / 2)}`)
console.log(`    (with the JS boundary, raw wasm calls: set ${pct(wasm.set, native.set)}, get ${pct(wasm.get, native.get)})`)
console.log(`  public API set >= 300,000 ops/s: awaited one by one ${verdict(resident.setAwaited >= 3e5)}, 1,000 at a time (internal batching) ${verdict(resident.setTogether >= 3e5)}`)
console.log(`  public API get >= 500,000 ops/s: awaited one by one ${verdict(resident.getAwaited >= 5e5)}, 1,000 at a time (internal batching) ${verdict(resident.getTogether >= 5e5)}`)
