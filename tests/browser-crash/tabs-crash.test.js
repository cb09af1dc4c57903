// Three tabs of one app on one persistenceKey, in Chromium on a persistent
// profile (issue 14): all open (no LOCKED) under one peer id; every tab's
// watch sees every write (the delays are logged); then, while every tab writes and
// flushes, the leader tab's renderer crashes mid-write (CDP Page.crash: no
// unload, no save), another tab takes the lead, the writes go on, and the
// whole browser is SIGKILLed. After a relaunch, every write acknowledged by
// a flush() in any tab is there, and the store has the same peer id.
// Without the followers' replay of acknowledged, unsaved writes to the next
// leader (js/tabs/tab-follower.js, invariant 3) it lost 60 keys in 4 runs
// of 4; without the peer id kept in the store's data, the relaunch was a new
// peer (localStorage had not reached the disk).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

import { openHarness, startHarness } from '../browser/harness.js'
import { launchOnProfile } from './profile-browser.js'

const profile = mkdtempSync(join(tmpdir(), 'ps-tabs-profile-'))
const OPTIONS = { persistence: { persistenceKey: 'tabs', autoSaveInterval: 0, maxDiskPages: 1e6 } }
let harness

before(async () => {
  harness = await startHarness()
})

after(async () => {
  await harness?.close()
  rmSync(profile, { recursive: true, force: true })
})

/** Polls check() until it returns true; fails with its last answer after ms. */
async function until(check, ms) {
  const end = Date.now() + ms
  for (;;) {
    const why = await check()
    if (why === true) return
    if (Date.now() > end) assert.fail(`timed out: ${why}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** A tab with window.store open on OPTIONS. */
async function openTab(context) {
  const page = await openHarness(context, harness.url)
  await page.evaluate(async (options) => {
    window.store = new window.PS.PagingStorage(options)
    await window.store.ready
  }, OPTIONS)
  return page
}

/** Starts a writer loop in the tab: 3 batches of 20 keys `${name}:${n}`,
 *  then a pause of 100 ms (a crash of the leader then often lands between
 *  writes it acknowledged and the flush that follows them) and, with
 *  `flushes`, a flush; window.acked is the count a flush covered. The load
 *  stays light, so the leader saves only when asked (a save of its own
 *  would hold the writes and hide a loss). */
function startWriting(page, name, flushes) {
  return page.evaluate(
    ({ name, flushes }) => {
      window.acked = 0
      ;(async () => {
        for (let n = 0; ; ) {
          for (let b = 0; b < 3; b++) {
            const batch = []
            for (let j = 0; j < 20; j++, n++) batch.push([`${name}:${n}`, { name, n }])
            await window.store.setMany(batch)
          }
          const upTo = n
          await new Promise((r) => setTimeout(r, 100))
          if (!flushes) continue
          await window.store.flush()
          window.acked = upTo
        }
      })().catch((err) => {
        window.writerError = String(err)
      })
    },
    { name, flushes }
  )
}

test('three tabs share one store; the leader crashes mid-write, then the browser is killed: no write a flush acknowledged is lost', async () => {
  const run = await launchOnProfile(profile)
  const acked = {}
  let peerId
  try {
    const tabs = [await openTab(run.context), await openTab(run.context), await openTab(run.context)]
    const roles = await Promise.all(tabs.map((t) => t.evaluate(() => window.store.role)))
    assert.deepEqual(roles, ['leader', 'follower', 'follower'])
    const ids = await Promise.all(tabs.map((t) => t.evaluate(() => window.store.peerId)))
    peerId = ids[0]
    assert.match(peerId, /^[0-9a-f]{40}$/)
    assert.deepEqual(ids, [peerId, peerId, peerId], 'one peer id across tabs')

    // Every tab's watch sees every tab's write. The delays are logged, not
    // limited (speed targets belong in benchmarks, not in timed tests): the
    // loose bound below only catches a watch that is stuck.
    for (const t of tabs) {
      await t.evaluate(() => {
        window.seen = {}
        window.store.watch('w:', (e) => (window.seen[e.key] = Date.now()))
      })
    }
    const written = {}
    for (const [i, t] of tabs.entries()) {
      written[`w:${i}`] = await t.evaluate(async (i) => {
        const at = Date.now()
        await window.store.set(`w:${i}`, i)
        return at
      }, i)
    }
    const delays = []
    for (const t of tabs) {
      await until(async () => {
        const seen = await t.evaluate(() => window.seen)
        const missing = Object.keys(written).filter((key) => seen[key] === undefined)
        return missing.length === 0 || `a tab has not seen ${missing}`
      }, 30000)
      const seen = await t.evaluate(() => window.seen)
      for (const [key, at] of Object.entries(written)) delays.push(seen[key] - at)
    }
    delays.sort((a, b) => a - b)
    const median = delays[Math.floor(delays.length / 2)]
    console.log(`# watch delays across tabs: median ${median} ms, max ${delays.at(-1)} ms over ${delays.length} (tab, write) pairs`)
    assert.ok(median < 5000, `a sanity bound, not a speed target: delays ${delays}`)

    // Every tab writes; only b flushes (a flush saves every tab's writes,
    // which would hide a loss): the leader's own writes are unsaved and die
    // with it, as with one tab, and its renderer crashes mid-write, often
    // after writes of b it acknowledged and did not save (b's flush then
    // goes to the next leader).
    const names = ['a', 'b', 'c']
    for (const [i, t] of tabs.entries()) await startWriting(t, names[i], i === 1)
    await new Promise((r) => setTimeout(r, 800 + Math.floor(Math.random() * 100)))
    const cdp = await run.context.newCDPSession(tabs[0])
    const ackedBefore = await tabs[1].evaluate(() => window.acked)
    // The answer never comes: the session dies with the renderer.
    cdp.send('Page.crash').catch(() => {})
    console.log('# crashed')
    // Polled (a loaded machine is slow to pass the lead on): until a survivor
    // leads and b has flushed past what it had acknowledged before the crash.
    let after
    await until(async () => {
      after = await Promise.all(
        tabs.slice(1).map((t) => t.evaluate(() => ({ role: window.store.role, acked: window.acked, error: window.writerError })))
      )
      if (after.some((a) => a.error !== undefined)) return true // reported by the assertion below
      const led = after.some((a) => a.role === 'leader')
      return (led && after[0].acked > ackedBefore) || `roles ${after.map((a) => a.role)}, b acked ${after[0].acked} (${ackedBefore} before the crash)`
    }, 30000)
    assert.deepEqual(
      after.map((a) => a.error),
      [undefined, undefined],
      'the followers wrote on through the change of leader'
    )
    assert.deepEqual(after.map((a) => a.role).sort(), ['follower', 'leader'])
    acked.b = after[0].acked
    const survivor = after[0].role === 'leader' ? tabs[1] : tabs[2]
    const replays = await survivor.evaluate(() => window.store.getStats().totalKeys)
    console.log(`# the new leader holds ${replays} keys`)
    // Later acks (after we read them) are not counted: the check stays conservative.
  } finally {
    await run.kill()
  }
  console.log(`# acknowledged by flush: b ${acked.b}`)
  assert.ok(acked.b > 0, 'b flushed after the crash')

  const check = await launchOnProfile(profile)
  try {
    const page = await openTab(check.context)
    const r = await page.evaluate(async (acked) => {
      const missing = []
      for (const [name, n] of Object.entries(acked)) {
        const got = await window.store.getMany(Array.from({ length: n }, (_, i) => `${name}:${i}`))
        for (const [k, v] of got) if (v?.n !== Number(k.split(':')[1])) missing.push(k)
      }
      return { missing: missing.slice(0, 10), count: missing.length, peerId: window.store.peerId, ok: window.store.diagnose().ok }
    }, acked)
    assert.deepEqual(check.corruption(), [])
    assert.equal(r.ok, true)
    assert.equal(r.count, 0, `lost ${r.count} acknowledged keys, e.g. ${r.missing}`)
    assert.equal(r.peerId, peerId, 'the same peer id after the relaunch')
  } finally {
    await check.close()
  }
})
