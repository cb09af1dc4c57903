// Offline first in Chromium, through the Vue composables: two pages open
// their stores and write while the signaling server is down (usePeerPigeon
// says offline, with the reason), then the server starts on the port they
// were given: PeerPigeon reconnects, the status goes connecting ->
// connected, and each page reads what the other wrote offline. A reload
// keeps the page's peer id. Run by offline.test.js, isolated to loopback.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { FAST_SYNC, launchPeerBrowser, poll, until } from './peer-pages.js'
import { openHarness, startHarness } from './harness.js'
import { freePort, peerPigeonBundle, startSignaling } from '../../scripts/lib/signaling.js'

let harness, browser, context, signaling

before(async () => {
  harness = await startHarness({ 'peerpigeon-browser.js': peerPigeonBundle() })
  ;({ browser, context } = await launchPeerBrowser())
})

after(async () => {
  await browser?.close()
  await harness?.close()
  await signaling?.close()
})

/** A page whose window.app = { pp, storage } (usePeerPigeon linked to usePagingStorage). */
async function openApp(url, persistenceKey, options = {}) {
  const page = await openHarness(context, harness.url)
  await page.addScriptTag({ url: `${harness.url}peerpigeon-browser.js` })
  await page.evaluate(
    ({ url, persistenceKey, fast, options }) => {
      const { usePeerPigeon, usePagingStorage } = window.PSVue
      window.app = window.Vue.effectScope().run(() => {
        const pp = usePeerPigeon({ signalingUrl: url, maxPeers: 5, enableCrypto: false })
        const storage = usePagingStorage({ ...fast, ...options, pigeon: pp.pigeon, persistence: { persistenceKey, autoSaveInterval: 500 } })
        return { pp, storage }
      })
      window.statuses = []
      window.Vue.watch(
        () => window.app.pp.status.value,
        (s) => window.statuses.at(-1) !== s && window.statuses.push(s),
        { immediate: true }
      )
    },
    { url, persistenceKey, fast: FAST_SYNC, options }
  )
  return page
}

test('the store opens and works with the signaling server down, and syncs once it starts', async () => {
  const port = await freePort()
  const url = `ws://127.0.0.1:${port}`
  const A = await openApp(url, 'offline-a')
  const B = await openApp(url, 'offline-b')
  for (const [page, name] of [
    [A, 'a'],
    [B, 'b']
  ]) {
    await until(page, () => window.app.storage.isReady.value || 'not open')
    await page.evaluate(async (name) => {
      await window.app.storage.setMany(Array.from({ length: 50 }, (_, i) => [`${name}:${i}`, { by: name, i }]))
      await window.app.storage.flush()
    }, name)
    await until(page, () => window.app.pp.status.value === 'offline' || window.app.pp.status.value)
    const seen = await page.evaluate(() => ({
      error: String(window.app.pp.error.value?.message),
      network: window.app.storage.network.value
    }))
    assert.match(seen.error, new RegExp(`Cannot reach the signaling server at ${url}`))
    assert.equal(seen.network, 'offline')
  }
  const idA = await A.evaluate(() => window.app.storage.peerId.value)
  assert.match(idA, /^[0-9a-f]{40}$/)
  assert.equal(await A.evaluate(() => window.app.pp.peerId.value), idA, "the mesh is made under the store's id")

  signaling = await startSignaling(port)
  for (const page of [A, B]) {
    await until(page, () => window.app.pp.status.value === 'connected' || window.statuses.join(' > '), undefined, 60000)
    await until(page, () => window.app.storage.peerCount.value === 1 || `${window.app.storage.peerCount.value} peers`, undefined, 30000)
  }
  // offline, later connecting, later connected, and connected at the end (a reconnect flap between them is no failure).
  const statuses = await A.evaluate(() => window.statuses)
  let at = -1
  const inOrder = ['offline', 'connecting', 'connected'].every((s) => (at = statuses.indexOf(s, at + 1)) >= 0)
  assert.ok(inOrder && statuses.at(-1) === 'connected', statuses.join(' > '))
  // Each reads what the other wrote offline (routed reads; anti-entropy copies it to replicas).
  await until(A, async () => {
    const got = await window.app.storage.getMany(Array.from({ length: 50 }, (_, i) => `b:${i}`))
    const n = [...got.values()].filter((v) => v?.by === 'b').length
    return n === 50 || `A reads ${n} of B's 50`
  })
  await until(B, async () => {
    const got = await window.app.storage.getMany(Array.from({ length: 50 }, (_, i) => `a:${i}`))
    const n = [...got.values()].filter((v) => v?.by === 'a').length
    return n === 50 || `B reads ${n} of A's 50`
  })
  assert.equal(await A.evaluate(() => window.app.storage.network.value), 'connected')

  // A reload is the same peer (the id kept for its persistenceKey), with its data.
  await A.close()
  const A2 = await openApp(url, 'offline-a')
  await until(A2, () => window.app.storage.isReady.value || 'not open')
  assert.equal(await A2.evaluate(() => window.app.storage.peerId.value), idA)
  assert.deepEqual(await A2.evaluate(() => window.app.storage.getLocal('a:7')), { by: 'a', i: 7 })
})

test('a value read from a peer is there offline after a reload (the remote cache, persisted beside the store)', async () => {
  const port = await freePort()
  const url = `ws://127.0.0.1:${port}`
  const server = await startSignaling(port)
  const rf1 = { replicationFactor: 1 }
  const C = await openApp(url, 'cache-c', rf1)
  const D = await openApp(url, 'cache-d', rf1)
  for (const page of [C, D]) {
    await until(page, () => window.app.pp.status.value === 'connected' || window.app.pp.status.value, undefined, 60000)
    await until(page, () => window.app.storage.peerCount.value === 1 || `${window.app.storage.peerCount.value} peers`, undefined, 30000)
  }
  await D.evaluate(async () => {
    await window.app.storage.setMany(Array.from({ length: 100 }, (_, i) => [`far:${i}`, { i, from: 'D' }]))
    await window.app.storage.replicated({ timeout: 20000 })
  })
  // Keys C does not replicate (RF 1: D holds them), read through D and remembered.
  // Polled: on a loaded machine D may not answer within the readTimeout.
  const far = await poll(
    () =>
      C.evaluate(async () => {
        const s = window.app.storage
        const keys = Array.from({ length: 100 }, (_, i) => `far:${i}`).filter((k) => s.replicasFor(k)[0] !== s.peerId.value)
        const got = await s.getMany(keys)
        await s.flush()
        return keys.filter((k) => got.get(k)?.from === 'D')
      }),
    (keys) => keys.length >= 20
  )
  assert.ok(far.length >= 20, `${far.length} keys read from D`)
  await until(C, () => window.app.storage.storage.value.getStats().cache.remotePages >= 1 || JSON.stringify(window.app.storage.storage.value.getStats().cache))
  assert.equal(await C.evaluate((k) => window.app.storage.getLocal(k), far[0]), undefined, 'C holds no copy of its own')
  // The network goes; C reloads and opens offline.
  await C.close()
  await D.close()
  await server.close()
  const C2 = await openApp(url, 'cache-c', rf1)
  await until(C2, () => window.app.storage.isReady.value || 'not open')
  await until(C2, () => window.app.pp.status.value === 'offline' || window.app.pp.status.value, undefined, 30000)
  const offline = await C2.evaluate(async (keys) => {
    const got = await window.app.storage.getMany(keys)
    return keys.filter((k) => got.get(k)?.from === 'D').length
  }, far)
  assert.equal(offline, far.length, 'every value read before the reload')
})
