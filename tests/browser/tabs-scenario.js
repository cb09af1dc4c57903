// The README's "Shorter" Vue snippet in two tabs of one browser profile,
// with a third tab in another profile (another peer), over a real PeerPigeon
// mesh: the tabs of one profile share one store and one peer id; only the
// leader tab connects a mesh; useKey and useRange follow every write in
// every tab; when the leader tab closes, the other takes the lead, connects
// under the same peer id, and sync goes on. Run by tabs.test.js, isolated to
// loopback.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { FAST_SYNC, launchPeerBrowser, peerProfile, until } from './peer-pages.js'
import { openHarness, startHarness } from './harness.js'
import { peerPigeonBundle, startSignaling } from '../../scripts/lib/signaling.js'

let harness, browser, signaling

before(async () => {
  signaling = await startSignaling()
  harness = await startHarness({ 'peerpigeon-browser.js': peerPigeonBundle() })
  ;({ browser } = await launchPeerBrowser())
})

after(async () => {
  await browser?.close()
  await harness?.close()
  await signaling?.close()
})

const profile = () => peerProfile(browser)

/** A tab running the Shorter snippet: window.app = { pigeon, status, storage, title, lines }. */
async function openTab(context) {
  const page = await openHarness(context, harness.url)
  await page.addScriptTag({ url: `${harness.url}peerpigeon-browser.js` })
  await page.evaluate(
    ({ signalingUrl, fast }) => {
      const { usePeerPigeon, usePagingStorage, useKey, useRange } = window.PSVue
      window.app = window.Vue.effectScope().run(() => {
        const { pigeon, status } = usePeerPigeon({ signalingUrl, maxPeers: 5, enableCrypto: false })
        const storage = usePagingStorage({ ...fast, pigeon, persistence: { persistenceKey: 'shorter' }, statsUpdateInterval: 300 })
        const title = useKey(storage, 'doc:123:title', '')
        const lines = useRange(storage, { prefix: 'doc:123:' })
        return { pigeon, status, storage, title, lines }
      })
    },
    { signalingUrl: signaling.url, fast: FAST_SYNC }
  )
  await until(page, () => window.app.storage.isReady.value || 'not open')
  return page
}

const state = (page) =>
  page.evaluate(() => ({
    role: window.app.storage.role.value,
    peerId: window.app.storage.peerId.value,
    mesh: window.app.pigeon.value?.peerId ?? null,
    status: window.app.status.value,
    network: window.app.storage.network.value
  }))

test("the Shorter snippet in two tabs of one profile and a tab of another: one store and one mesh per profile, useKey/useRange in every tab, the lead passes on", async () => {
  const home = await profile()
  const T1 = await openTab(home)
  const T2 = await openTab(home)
  const T3 = await openTab(await profile())
  await until(T1, () => window.app.status.value === 'connected' || window.app.status.value)
  await until(T3, () => window.app.storage.peerCount.value === 1 || `${window.app.storage.peerCount.value} peers`)
  const [s1, s2, s3] = await Promise.all([T1, T2, T3].map(state))
  assert.equal(s1.role, 'leader')
  assert.equal(s2.role, 'follower')
  assert.equal(s3.role, 'leader', 'alone in its profile, it leads its own tabs')
  assert.equal(s2.peerId, s1.peerId, 'one peer id per profile')
  assert.notEqual(s3.peerId, s1.peerId)
  assert.equal(s1.mesh, s1.peerId, "the leader's mesh runs under the store's id")
  assert.equal(s2.mesh, null, 'the follower tab connects no mesh')
  await until(T2, () => window.app.storage.network.value === 'connected' || window.app.storage.network.value)

  // A write in the follower tab reaches the leader tab and the other peer; one from the other peer reaches both tabs.
  await T2.evaluate(() => (window.app.title.value = 'Shared Document'))
  for (const page of [T1, T3]) await until(page, () => window.app.title.value === 'Shared Document' || `title '${window.app.title.value}'`)
  await T3.evaluate(() => window.app.storage.set('doc:123:line:1', 'from the other peer'))
  for (const page of [T1, T2]) {
    await until(page, () => window.app.lines.value.some(([k, v]) => k === 'doc:123:line:1' && v === 'from the other peer') || JSON.stringify(window.app.lines.value))
  }

  // The leader tab closes: the follower takes the lead, connects under the same id, and sync goes on.
  await T1.close()
  await until(T2, () => (window.app.storage.role.value === 'leader' && window.app.status.value === 'connected') || `${window.app.storage.role.value} ${window.app.status.value}`, undefined, 30000)
  const after = await state(T2)
  assert.equal(after.peerId, s1.peerId)
  assert.equal(after.mesh, s1.peerId)
  await until(T3, () => window.app.storage.peerCount.value === 1 || `${window.app.storage.peerCount.value} peers`, undefined, 30000)
  await T3.evaluate(() => (window.app.title.value = 'After the handover'))
  await until(T2, () => window.app.title.value === 'After the handover' || `title '${window.app.title.value}'`, undefined, 30000)
  // Polled: the new leader may not hold the line yet, and its read of the other peer may time out (readTimeout).
  await until(
    T2,
    async () => {
      const v = await window.app.storage.get('doc:123:line:1')
      return v === 'from the other peer' || `read ${JSON.stringify(v)}`
    },
    undefined,
    30000
  )
})
