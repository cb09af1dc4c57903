// NOT part of `npm test` (run it with `npm run test:crash`): it exposes an
// open problem (issue 4). In about 1 run of 5, a browser launch after a
// killed session finds the store's IndexedDB database gone as a whole: the
// store reopens holding only what later trials wrote, although every
// acknowledged key had been verified present just before. Seen at trials
// 3, 5 and 13, each time after an abrupt tab close. Until it is understood
// (Chromium dropping its backing store after a kill, or something in how we
// use it), this flaky test would block every other change from landing.
//
// Crash safety: 24 trials of ending a page abruptly while a writer loops,
// flushing periodically. Even trials SIGKILL the whole browser (launched by
// us with a persistent profile); odd trials close the tab without unload
// handlers. After each, a fresh page reopens the store: it must load, pass
// its invariant check, and hold every key whose write was acknowledged by a
// flush() that completed before the end.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

import { chromium } from 'playwright-core'

import { CHROMIUM_ARGS } from '../browser/chromium.js'
import { openHarness, startHarness } from '../browser/harness.js'

const TRIALS = 24
const profile = mkdtempSync(join(tmpdir(), 'ps-crash-profile-'))
let harness

before(async () => {
  harness = await startHarness()
})

after(async () => {
  await harness?.close()
  rmSync(profile, { recursive: true, force: true })
})

/** Waits until no process still has our profile on its command line: the
 *  main process can exit before its children (the storage service among
 *  them) let go of the profile's files. */
async function profileReleased() {
  for (let i = 0; i < 200; i++) {
    const holders = readdirSync('/proc').filter((pid) => {
      if (!/^\d+$/.test(pid)) return false
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile)
      } catch {
        return false
      }
    })
    if (holders.length === 0) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('chromium processes kept the profile for 10 s')
}

/** Starts Chromium on our profile; returns { browser, kill }. */
async function launch() {
  const child = spawn(
    process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  const ws = await new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`no DevTools endpoint:\n${text}`)), 20000)
    child.stderr.on('data', (chunk) => {
      text += chunk
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(text)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('exit', () => reject(new Error(`chromium exited:\n${text}`)))
  })
  const browser = await chromium.connectOverCDP(ws)
  const exited = new Promise((resolve) => child.on('exit', resolve))
  return {
    browser,
    context: browser.contexts()[0],
    async kill() {
      child.kill('SIGKILL')
      await exited
      await profileReleased()
    },
    // Every session ends with SIGKILL, never a graceful browser.close():
    // a graceful shutdown cut short by the kill twice left a profile whose
    // IndexedDB was gone at the next launch (whole database, not pages),
    // while 60+ plain kills never lost anything.
    close() {
      return this.kill()
    }
  }
}

const OPTIONS = { persistence: { persistenceKey: 'crash', maxMemoryPages: 8, maxDiskPages: 1e6, autoSaveInterval: 0 } }

/** Starts the writer for `trial` in a page; acknowledged counts go to `acked`. */
async function startWriter(context, trial, acked) {
  const page = await openHarness(context, harness.url)
  await page.exposeBinding('reportAck', (_source, t, n) => {
    acked[t] = Math.max(acked[t] ?? 0, n)
  })
  await page.evaluate(
    ({ trial, options }) => {
      // Not awaited: it runs until the page dies.
      ;(async () => {
        const s = new window.PS.PagingStorage(options)
        await s.ready
        for (let n = 0; ; ) {
          const batch = []
          for (let j = 0; j < 40; j++, n++) batch.push([`t${trial}:${n}`, { trial, n, pad: 'p'.repeat(n % 90) }])
          await s.setMany(batch)
          if (n % 200 === 0) {
            await s.flush()
            await window.reportAck(trial, n) // keys 0..n-1 are acknowledged
          }
        }
      })()
    },
    { trial, options: OPTIONS }
  )
  return page
}

/** Opens the store in a fresh page and checks every acknowledged key. */
async function verify(context, acked) {
  const page = await openHarness(context, harness.url)
  const r = await page.evaluate(
    async ({ acked, options }) => {
      const s = new window.PS.PagingStorage(options)
      await s.ready
      const restored = s.getStats().totalKeys
      const missing = []
      for (const [trial, n] of Object.entries(acked)) {
        for (let i = 0; i < n; i += 500) {
          const keys = []
          for (let j = i; j < Math.min(n, i + 500); j++) keys.push(`t${trial}:${j}`)
          const got = await s.getMany(keys)
          for (const [k, v] of got) {
            const j = Number(k.split(':')[1])
            if (!v || v.n !== j || v.pad.length !== j % 90) missing.push(k)
          }
        }
      }
      const diagnosis = s.diagnose()
      const totalKeys = s.getStats().totalKeys
      await s.shutdown()
      return { missing: missing.slice(0, 10), missingCount: missing.length, ok: diagnosis.ok, issues: diagnosis.issues, totalKeys, restored }
    },
    { acked, options: OPTIONS }
  )
  await page.close()
  return r
}

test(`${TRIALS} abrupt ends while writing lose no acknowledged write`, async () => {
  const acked = {}
  let ackedTotal = 0
  for (let trial = 0; trial < TRIALS; trial++) {
    const killBrowser = trial % 2 === 0
    const run = await launch()
    try {
      const page = await startWriter(run.context, trial, acked)
      await new Promise((r) => setTimeout(r, 150 + ((trial * 97) % 500)))
      if (!killBrowser) {
        await page.close({ runBeforeUnload: false })
        await new Promise((r) => setTimeout(r, 300))
      }
    } finally {
      await run.kill()
    }
    const check = await launch()
    try {
      const r = await verify(check.context, acked)
      ackedTotal = Object.values(acked).reduce((a, b) => a + b, 0)
      assert.equal(r.ok, true, `trial ${trial}: ${r.issues.join('; ')}`)
      assert.equal(
        r.missingCount,
        0,
        `trial ${trial}: lost ${r.missingCount} acknowledged keys (store opened with ${r.restored}), e.g. ${r.missing}`
      )
      assert.ok(r.totalKeys >= ackedTotal)
    } finally {
      await check.close()
    }
  }
  // The trials must have written for real.
  assert.ok(ackedTotal > TRIALS * 200, `acknowledged ${ackedTotal}`)
  console.log(`# crash trials: ${TRIALS}, acknowledged keys checked: ${ackedTotal}, lost: 0`)
})
