// Browser pages with a PagingStorage on a real PeerPigeon mesh: a signaling
// server on 127.0.0.1, the harness app plus PeerPigeon's browser bundle, and
// Chromium set up for loopback WebRTC (see TOOLCHAIN.md: microphone
// permission, --allow-loopback-in-peer-connection, no STUN servers).
import assert from 'node:assert/strict'

import { launchChromium } from './chromium.js'
import { openHarness, startHarness } from './harness.js'
import { peerPigeonBundle, startSignaling } from '../../scripts/lib/signaling.js'

// PeerPigeon's signaling server logs every connection with console.log. In
// a scenario run by `node --test`, stdout is the test runner's channel, and
// Node 20's runner now and then fails on text written into it between its
// messages ("Unable to deserialize cloned data due to invalid or
// unsupported version"; seen with offline-scenario.js, which starts a
// server while peers connect): the scenarios send that chatter to stderr.
console.log = (...args) => console.error(...args)

/** Timings shrunk for tests: a departed peer is noticed in 2.5 s. */
export const FAST_SYNC = {
  readTimeout: 2000,
  sync: { heartbeatInterval: 400, peerTimeout: 2500, retryInterval: 800, antiEntropyInterval: 2000 }
}

/** Chromium and a context set up for WebRTC between its pages over
 *  loopback only. @returns {{browser, context}} */
export async function launchPeerBrowser() {
  const browser = await launchChromium(['--allow-loopback-in-peer-connection'])
  return { browser, context: await peerProfile(browser) }
}

/** A context (a browser profile: its own storage, so its own peer) set up
 *  for loopback WebRTC, in a browser from launchPeerBrowser(). */
export async function peerProfile(browser) {
  const context = await browser.newContext({ permissions: ['microphone'] })
  await context.addInitScript(() => {
    window.DISABLE_LOCALHOST_MEDIA_REQUEST = true
    const Native = window.RTCPeerConnection
    window.RTCPeerConnection = function (config = {}, ...rest) {
      return new Native({ ...config, iceServers: [] }, ...rest)
    }
    window.RTCPeerConnection.prototype = Native.prototype
  })
  return context
}

export async function startPeerPages() {
  const signaling = await startSignaling()
  const harness = await startHarness({ 'peerpigeon-browser.js': peerPigeonBundle() })
  const { browser, context } = await launchPeerBrowser()
  return {
    /** A page whose window.store syncs over window.mesh. peerId: 40 hex. */
    async openPeer(peerId, persistenceKey, options = FAST_SYNC) {
      const page = await openHarness(context, harness.url)
      await page.addScriptTag({ url: `${harness.url}peerpigeon-browser.js` })
      await page.evaluate(
        async ({ url, peerId, persistenceKey, options }) => {
          const mesh = new window.PeerPigeon.PeerPigeonMesh({ enableCrypto: false, enableWebDHT: false, maxPeers: 5, peerId })
          await mesh.init()
          await mesh.connect(url)
          const store = new window.PS.PagingStorage({ ...options, pigeon: mesh, persistence: { persistenceKey, autoSaveInterval: 0, maxDiskPages: 100000 } })
          await store.ready
          window.mesh = mesh
          window.store = store
        },
        { url: signaling.url, peerId, persistenceKey, options }
      )
      return page
    },
    async close() {
      await browser.close()
      await harness.close()
      await signaling.close()
    }
  }
}

/** Polls fn in the page until it returns true; fails with its last answer.
 *  The default limit is generous: replication on a loaded CI machine is 3-5x slower. */
export async function until(page, fn, arg, ms = 60000) {
  const end = Date.now() + ms
  let why
  while (Date.now() < end) {
    why = await page.evaluate(fn, arg)
    if (why === true) return
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`timed out: ${why}`)
}

/** Calls read() until done(value) holds or ms pass; returns the last value (the caller asserts on it). */
export async function poll(read, done, ms = 60000) {
  const end = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() >= end) return value
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** [fn, n] for until(): the store sees n members. */
export const members = (n) => [(n) => window.store.getStats().dht.peers === n || `${window.store.getStats().dht.peers} members`, n]
