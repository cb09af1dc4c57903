// 30 peers on a lossy simulated network: 20,000 random writes and deletes
// from random peers (many to the same keys at once), peers leaving and
// joining, and a partition healed later. After quiescence every key's
// replicas hold the winning version, every peer reads it, and no deleted key
// is readable anywhere.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { seededRandom } from '../../js/transport/simulated-network.js'
import { compareVersions } from '../../js/core/versions.js'
import { Cluster, peerIdFrom, sleep } from './helpers.js'

const PEERS = Number(process.env.SIM_PEERS ?? 30)
const OPS = Number(process.env.SIM_OPS ?? 20000)
const ROUNDS = 100
const KEYS = 3000
const RF = 3

/** Tracks every local write's version: the truth to check against. */
function trackWrites(store, truth) {
  store.on('change', (e) => {
    if (e.origin !== store.peerId) return
    const old = truth.get(e.key)
    if (!old || compareVersions(old.hlc, old.origin, e.hlc, e.origin) < 0) truth.set(e.key, e)
  })
}

/** true, or why the cluster is not converged yet. */
async function check(cluster, truth) {
  const stores = cluster.live()
  const members = stores[0].getStats().dht.peers
  if (members !== stores.length) return `peer 0 sees ${members} members of ${stores.length}`
  for (const s of stores) {
    const st = s.getStats()
    if (st.dht.peers !== stores.length) return `${s.peerId.slice(0, 6)} sees ${st.dht.peers} members`
    if (st.sync.pendingReplications > 0) return `${s.peerId.slice(0, 6)} has ${st.sync.pendingReplications} pending`
  }
  const byPeer = new Map()
  for (const s of stores) {
    const m = new Map()
    for (const e of (await s.exportData()).data) m.set(e.key, e)
    byPeer.set(s.peerId, m)
  }
  for (const [key, w] of truth) {
    const replicas = stores[0].replicasFor(key)
    if (replicas.length !== Math.min(RF, stores.length)) return `${key}: ${replicas.length} replicas`
    for (const p of replicas) {
      const e = byPeer.get(p).get(key)
      if (w.deleted) {
        // (Exports list deleted keys too, as tombstones.)
        if (e && !e.deleted) return `${key} deleted but replica ${p.slice(0, 6)} holds it`
      } else if (!e || e.hlc !== w.hlc || e.origin !== w.origin) {
        const holders = [...byPeer].filter(([, m]) => m.get(key)?.hlc === w.hlc).map(([q]) => q.slice(0, 6))
        return (
          `${key}: replica ${p.slice(0, 6)} of [${replicas.map((r) => r.slice(0, 6))}] holds ` +
          `${e ? e.hlc : 'nothing'}, want ${w.hlc} by ${w.origin.slice(0, 6)}, held by [${holders}]`
        )
      }
    }
  }
  return true
}

test(`${PEERS} peers, ${OPS} ops with loss, churn and a partition converge`, { timeout: 240000 }, async () => {
  const random = seededRandom(20261124)
  const cluster = new Cluster({ seed: 99, loss: 0.1 })
  const truth = new Map()
  const add = async () => trackWrites(await cluster.add(peerIdFrom(random)), truth)
  for (let i = 0; i < PEERS; i++) await add()
  await sleep(500)

  const t0 = Date.now()
  let partitioned = false
  let left = 0
  let joined = 0
  for (let round = 0; round < ROUNDS; round++) {
    if (round === 30) {
      const ids = [...cluster.stores.keys()]
      cluster.net.partition([ids.slice(0, 10), ids.slice(10)])
      partitioned = true
    }
    if (round === 55) {
      cluster.net.heal()
      partitioned = false
    }
    if (!partitioned && round % 12 === 5) {
      // A peer leaves once its writes are replicated (a crash before that
      // would lose them: set() promises the local write only).
      const ids = [...cluster.stores.keys()]
      const id = ids[Math.floor(random() * ids.length)]
      await cluster.stores.get(id).replicated({ timeout: 30000 })
      await cluster.remove(id)
      left++
    }
    if (round % 12 === 9) {
      await add()
      joined++
    }
    const stores = cluster.live()
    const ops = []
    for (let i = 0; i < OPS / ROUNDS; i++) {
      const s = stores[Math.floor(random() * stores.length)]
      const key = `key:${Math.floor(random() * KEYS)}`
      if (random() < 0.2) ops.push(s.delete(key))
      else ops.push(s.set(key, { round, i, by: s.peerId.slice(0, 6) }))
    }
    await Promise.all(ops)
    await sleep(15)
  }
  console.log(`# workload done in ${Date.now() - t0} ms`)
  assert.ok(left >= 5 && joined >= 5, `churn: ${left} left, ${joined} joined`)

  const started = Date.now()
  const converged = await cluster.until(() => check(cluster, truth), 60000)
  assert.equal(converged, true, `not converged: ${converged}`)
  const convergedMs = Date.now() - started

  // Every peer reads every key's winning value; deleted keys nowhere.
  const keys = [...truth.keys()]
  let deleted = 0
  const hasChecks = [...truth].filter(([, w]) => w.deleted).slice(0, 10)
  for (const s of cluster.live()) {
    const got = await s.getMany(keys)
    const has = await Promise.all(hasChecks.map(([k]) => s.has(k)))
    assert.deepEqual(has, hasChecks.map(() => false), `has() of deleted keys on ${s.peerId.slice(0, 6)}`)
    for (const [key, w] of truth) {
      if (w.deleted) {
        deleted++
        assert.equal(got.get(key), undefined, `${key} deleted but ${s.peerId.slice(0, 6)} reads it`)
      } else {
        assert.deepEqual(got.get(key), w.value, `${s.peerId.slice(0, 6)} reads ${key}`)
      }
    }
  }
  const why = cluster.live().map((s) => s.getStats().sync.rejectedWhy).filter((w) => Object.keys(w).length > 0)
  assert.deepEqual(why, [], 'honest peers reject nothing')
  console.log(`# every peer read every key in ${Date.now() - started - convergedMs} ms`)
  console.log(
    `# sim: ${cluster.live().length} peers, ${truth.size} keys (${deleted / cluster.live().length} deleted), ` +
      `${left} left, ${joined} joined, converged ${convergedMs} ms after the last op; ` +
      `network: ${cluster.net.stats.sent} messages, ${cluster.net.stats.lost} lost`
  )
  const t1 = Date.now()
  await cluster.close()
  console.log(`# reads checked, closed in ${Date.now() - t1} ms`)
})
