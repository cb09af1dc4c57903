// Peer-to-peer figures on the simulated network (issue 5's benchmark):
//   - keys whose replica set changes when one peer joins or leaves a
//     30-peer ring, against RF/N;
//   - load balance: std-dev / mean of the keys each peer replicates;
//   - bytes sent to catch up a peer that missed 1% of 20,000 keys, against
//     the bytes of the changed entries;
//   - what one replicated write costs (issue 16: the cost of validation,
//     bounded replies, kept-version acks and replica audits): messages and
//     characters all peers send per write, 5 peers at RF 3, 2,000 writes of
//     realistic values, heartbeats subtracted.
import { PagingStorage, SimulatedNetwork } from 'paging-storage'

import { seededRandom } from '../../js/transport/simulated-network.js'
import { peerIdFrom, sleep, until } from '../sim/helpers.js'

const random = seededRandom(5)

function table(rows) {
  for (const [name, value, target, met] of rows) {
    console.log(`${name.padEnd(52)} ${String(value).padStart(12)}   target ${target.padEnd(14)} ${met ? 'MET' : 'NOT MET'}`)
  }
}

/** Replica sets of `keys` on a ring of `ids`, through a store's engine. */
async function replicaSets(ids, keys, rf) {
  const net = new SimulatedNetwork()
  const stores = []
  for (const id of ids) stores.push(new PagingStorage({ transport: net.join(id), replicationFactor: rf }))
  await Promise.all(stores.map((s) => s.ready))
  await until(() => stores[0].getStats().dht.peers === ids.length || 'members', 10000)
  const sets = keys.map((k) => stores[0].replicasFor(k).slice().sort().join(','))
  for (const s of stores) await s.shutdown()
  return sets
}

async function ringFigures() {
  const N = 30
  const RF = 3
  const ids = Array.from({ length: N + 1 }, () => peerIdFrom(random))
  const keys = Array.from({ length: 20000 }, (_, i) => `key:${i}`)
  const base = await replicaSets(ids.slice(0, N), keys, RF)
  const joined = await replicaSets(ids, keys, RF)
  const left = await replicaSets(ids.slice(1, N), keys, RF)
  const moved = (a, b) => a.filter((x, i) => x !== b[i]).length / a.length
  const load = new Map()
  for (const set of base) for (const p of set.split(',')) load.set(p, (load.get(p) ?? 0) + 1)
  const counts = [...load.values()]
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length
  const std = Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length)
  const expectJoin = RF / (N + 1)
  const expectLeave = RF / N
  const mj = moved(base, joined)
  const ml = moved(base, left)
  return [
    [`keys moved, 1 peer joins ${N} (RF/(N+1) = ${expectJoin.toFixed(4)})`, mj.toFixed(4), '1/N ±25%', Math.abs(mj / expectJoin - 1) <= 0.25],
    [`keys moved, 1 of ${N} peers leaves (RF/N = ${expectLeave.toFixed(4)})`, ml.toFixed(4), '1/N ±25%', Math.abs(ml / expectLeave - 1) <= 0.25],
    ['load std-dev / mean (keys replicated per peer)', (std / mean).toFixed(4), '<= 0.10', std / mean <= 0.1]
  ]
}

async function catchUpFigures() {
  const net = new SimulatedNetwork({ seed: 2, latency: [1, 3] })
  const opts = {
    readTimeout: 1000,
    sync: { heartbeatInterval: 100, peerTimeout: 600, retryInterval: 400, antiEntropyInterval: 60000 },
    persistence: { autoSaveInterval: 0, maxDiskPages: 1e6 }
  }
  const [a, b, x] = ['a', 'b', 'x'].map((id) => new PagingStorage({ ...opts, transport: net.join(id) }))
  await Promise.all([a, b, x].map((s) => s.ready))
  await until(() => [a, b, x].every((s) => s.getStats().dht.peers === 3) || 'members', 5000)
  const value = (i, v) => ({ i, v, text: 'x'.repeat(150) })
  const entries = Array.from({ length: 20000 }, (_, i) => [`doc:${i}`, value(i, 0)])
  await a.setMany(entries)
  await a.replicated({ timeout: 30000 })
  await until(async () => (await x.exportData()).totalKeys === 20000 || 'x filling', 30000)
  await sleep(500) // in sync for a while (heartbeats carry each peer's clock) before x drops out

  net.partition([['x'], ['a', 'b']])
  await until(() => a.getStats().dht.peers === 2 || 'x still a member', 5000)
  const changed = []
  for (let n = 0; n < 200; n++) changed.push(Math.floor(random() * 20000))
  const unique = [...new Set(changed)]
  await a.setMany(unique.map((i) => [`doc:${i}`, value(i, 1)]))
  await a.replicated({ timeout: 10000 })
  let changedBytes = 0
  for (const e of (await a.exportData()).data) {
    if (e.value.v === 1) changedBytes += JSON.stringify([e.key, e.hlc, e.origin, 0, JSON.stringify(e.value)]).length
  }
  await sleep(300)
  const sent = () => [a, b, x].reduce((t, s) => t + s.getStats().sync.bytesOut, 0)
  const before = sent()
  const started = Date.now()
  net.heal()
  const why = await until(async () => {
    const got = await Promise.all(unique.map((i) => x.getLocal(`doc:${i}`)))
    return got.every((v) => v?.v === 1) || 'x behind'
  }, 20000)
  const ms = Date.now() - started
  await sleep(500) // let the exchange finish, so all its bytes count
  const bytes = sent() - before
  for (const s of [a, b, x]) await s.shutdown()
  if (why !== true) throw new Error(`catch-up failed: ${why}`)
  return [
    [`catch-up: ${unique.length} of 20,000 keys missed, bytes sent`, bytes, `<= ${2 * changedBytes}`, bytes <= 2 * changedBytes],
    ['catch-up: bytes sent / changed entries bytes', (bytes / changedBytes).toFixed(2), '<= 2', bytes <= 2 * changedBytes],
    ['catch-up: time to converge (ms)', ms, '-', true]
  ]
}

async function perWriteFigures() {
  const net = new SimulatedNetwork({ seed: 3, latency: [1, 3] })
  const opts = {
    sync: { heartbeatInterval: 100, peerTimeout: 600, retryInterval: 400, antiEntropyInterval: 0 },
    persistence: { autoSaveInterval: 0, maxDiskPages: 1e6 }
  }
  const ids = ['a', 'b', 'c', 'd', 'e']
  const stores = ids.map((id) => new PagingStorage({ ...opts, transport: net.join(id) }))
  await Promise.all(stores.map((s) => s.ready))
  await until(() => stores.every((s) => s.getStats().dht.peers === ids.length) || 'members', 5000)
  await sleep(500)
  const totals = () => stores.reduce((t, s) => [t[0] + s.getStats().sync.messagesOut, t[1] + s.getStats().sync.bytesOut], [0, 0])
  // The heartbeats' share, measured over an idle second.
  const idle0 = totals()
  let t0 = Date.now()
  await sleep(1000)
  const idle1 = totals()
  const beatsPerMs = [(idle1[0] - idle0[0]) / (Date.now() - t0), (idle1[1] - idle0[1]) / (Date.now() - t0)]
  const N = 2000
  const before = totals()
  t0 = Date.now()
  for (let i = 0; i < N; i++) await stores[i % ids.length].set(`doc:${i}`, { i, title: `note ${i}`, text: 'x'.repeat(150), tags: ['a', 'b'] })
  for (const s of stores) await s.replicated({ timeout: 30000 })
  const ms = Date.now() - t0
  const after = totals()
  // Audits and proofs (js/sync/audits.js): one of each per acknowledged put here (no rounds: antiEntropyInterval 0).
  const audits = stores.reduce((n, s) => n + s.getStats().sync.audits.sent + s.getStats().sync.audits.answered, 0)
  for (const s of stores) await s.shutdown()
  const messages = (after[0] - before[0] - beatsPerMs[0] * ms) / N
  const chars = (after[1] - before[1] - beatsPerMs[1] * ms) / N
  return [
    ['per replicated write: messages sent (5 peers, RF 3)', messages.toFixed(2), '-', true],
    ['per replicated write: characters sent', chars.toFixed(0), '-', true],
    ['per replicated write: of which audits and proofs', (audits / N).toFixed(2), '-', true]
  ]
}

console.log('# sync bench (simulated network)')
table([...(await ringFigures()), ...(await catchUpFigures()), ...(await perWriteFigures())])
