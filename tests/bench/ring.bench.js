// `npm run bench`, ring-wide part (issue 15), on 10 simulated peers (RF 3,
// latency 5-20 ms, default timings): 10,000 keys 'item:<i>' written in random
// order from every peer, values { name, age, email }; then, from a peer,
//   - a ring-wide prefix range: time to the first page of 100 results, and
//     to all 10,000 (with the messages and bytes each costs), against the
//     same range with scope 'local' (what one peer holds, ~30%);
//   - a subscription: messages and bytes the whole ring sends per change
//     of a watched key (a non-replica watches, another non-replica writes),
//     and the time until the watcher hears it.
import { PagingStorage, SimulatedNetwork } from 'paging-storage'

import { seededRandom } from '../../js/transport/simulated-network.js'
import { peerIdFrom, sleep, until } from '../sim/helpers.js'
import { WRITE_SEED, shuffled, userValue } from './workload.js'

const PEERS = 10
const KEYS = Number(process.env.BENCH_RING_KEYS ?? 10000)
const CHANGES = 50

const net = new SimulatedNetwork({ seed: 15, latency: [5, 20] })
const random = seededRandom(15)
const stores = []
for (let i = 0; i < PEERS; i++) stores.push(new PagingStorage({ transport: net.join(peerIdFrom(random)) }))
await Promise.all(stores.map((s) => s.ready))
await until(() => stores.every((s) => s.getStats().dht.peers === PEERS) || 'members', 30000)
const order = shuffled(KEYS, WRITE_SEED)
for (let c = 0; c < KEYS; c += 500) {
  await stores[(c / 500) % PEERS].setMany(order.slice(c, c + 500).map((i) => [`item:${String(i).padStart(6, '0')}`, userValue(i)]))
}
for (const s of stores) await s.replicated({ timeout: 120000 })
await sleep(500)

/** Messages and bytes (frame characters) the whole ring has sent so far. */
function traffic() {
  let messages = 0
  let bytes = 0
  for (const s of stores) {
    const st = s.getStats().sync
    messages += st.messagesOut
    bytes += st.bytesOut
  }
  return { messages, bytes }
}

async function measure(fn) {
  const before = traffic()
  const t0 = performance.now()
  const result = await fn()
  const ms = performance.now() - t0
  const after = traffic()
  return { result, ms, messages: after.messages - before.messages, bytes: after.bytes - before.bytes }
}

const reader = stores[3]
const rows = []
for (const [name, query] of [
  ['range, first page of 100 (ring)', { prefix: 'item:', limit: 100 }],
  ['range, all (ring)', { prefix: 'item:' }],
  ['range, all (scope local)', { prefix: 'item:', scope: 'local' }],
  ['range, first page of 100, reverse (ring)', { prefix: 'item:', limit: 100, reverse: true }]
]) {
  const runs = []
  for (let r = 0; r < 3; r++) runs.push(await measure(() => reader.range(query)))
  runs.sort((a, b) => a.ms - b.ms)
  const m = runs[1]
  rows.push([name, m.result.length, m.ms.toFixed(1), m.messages, m.bytes])
}
console.log(`\nring-wide range on ${PEERS} simulated peers (RF 3, latency 5-20 ms), ${KEYS} keys; median of 3`)
console.log('what'.padEnd(44), 'results'.padStart(8), 'ms'.padStart(9), 'messages'.padStart(9), 'bytes'.padStart(11))
for (const [name, n, ms, messages, bytes] of rows) {
  console.log(name.padEnd(44), String(n).padStart(8), ms.padStart(9), String(messages).padStart(9), String(bytes).padStart(11))
}

// A subscription: a non-replica watches, another non-replica writes.
const key = 'doc:bench:title'
const outside = stores.filter((s) => !s.replicasFor(key).includes(s.peerId))
const [watcher, writer] = outside
let heard = null
watcher.watch({ key }, (e) => heard?.(e.value))
await sleep(2000) // the subscription reaches the replicas; heartbeats settle
const latencies = []
const quiet = await measure(() => sleep(2000)) // the ring's background traffic (heartbeats) in 2 s
let changeTraffic = { messages: 0, bytes: 0 }
for (let i = 0; i < CHANGES; i++) {
  const m = await measure(async () => {
    const got = new Promise((resolve) => {
      heard = (v) => v === `title ${i}` && resolve(undefined)
    })
    const t0 = performance.now()
    await writer.set(key, `title ${i}`)
    await got
    latencies.push(performance.now() - t0)
    await writer.replicated()
  })
  changeTraffic = { messages: changeTraffic.messages + m.messages, bytes: changeTraffic.bytes + m.bytes }
}
latencies.sort((a, b) => a - b)
const perChange = { messages: changeTraffic.messages / CHANGES, bytes: changeTraffic.bytes / CHANGES }
console.log(`\nsubscription: ${CHANGES} changes of a watched key, writer and watcher not replicas`)
console.log(`  heard after (ms): median ${latencies[CHANGES >> 1].toFixed(1)}, p90 ${latencies[Math.floor(CHANGES * 0.9)].toFixed(1)}, max ${latencies.at(-1).toFixed(1)}`)
console.log(`  per change, whole ring: ${perChange.messages.toFixed(1)} messages, ${Math.round(perChange.bytes)} bytes (put + ack to 3 replicas, pub + ack from each, and heartbeats: ${quiet.messages} messages in a quiet 2 s)`)
console.log(`  subscriptions held: ${JSON.stringify(watcher.getStats().sync.subscriptions)}`)
for (const s of stores) await s.shutdown()
