// Part of `npm test` (alone: `npm run test:crash`); it kills a real
// browser 24 times and takes about 75 s.
//
// Issue 4 (whole IndexedDB database gone at a relaunch, about 1 run in 3,
// always reported at an odd trial) was not the tab close and not the
// library: an even trial's SIGKILL can land between the write() of a LevelDB
// log record's header and its payload. The next launch (our verify) drops
// that torn tail but, with Chromium's reuse_logs, appends after it; the
// launch after that (the odd trial's writer) reads a checksum mismatch and
// Chromium deletes the whole backing store ("IndexedDB recovering from a
// corrupted (and deleted) database"). Upstream: google/leveldb#1287. After
// every kill we drop such torn tails (what LevelDB itself does with them),
// see leveldb-tail.js, and fail loudly if Chromium still reports a
// corruption recovery.
//
// Crash safety: 24 trials of ending a page abruptly while a writer loops,
// flushing periodically. Even trials SIGKILL the whole browser (launched by
// us with a persistent profile); odd trials close the tab without unload
// handlers. After each, a fresh page reopens the store: it must load, pass
// its invariant check, and hold every key whose write was acknowledged by a
// flush() that completed before the end. Trials 0 and 1 of every 4 write
// keys in ascending order at a budget of 8 pages (paging at every step);
// trials 2 and 3 write keys in random order at a budget of 64, where the
// write path buffers them (buffered writes, log runs and runs on disk when
// the page dies; at 8 pages the write path is off, cpp/src/WRITE_PATH.md).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

import { openHarness, startHarness } from '../browser/harness.js'
import { launchOnProfile } from './profile-browser.js'

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

/** Starts Chromium on our profile; returns { browser, context, corruption, kill, close }. */
const launch = () => launchOnProfile(profile)

// CRASH_WRITE_BUFFER: pages of the write path's buffer (cpp/src/WRITE_PATH.md;
// unset: the default, half the budget; 0: off).
const buffer = process.env.CRASH_WRITE_BUFFER
const OPTIONS = {
  persistence: {
    persistenceKey: 'crash',
    maxMemoryPages: 8,
    maxDiskPages: 1e6,
    autoSaveInterval: 0,
    ...(buffer === undefined ? {} : { writeBufferPages: Number(buffer) })
  }
}

/** The writer's options in `trial` (the budget is not stored: any opens the store). */
function optionsFor(trial) {
  if (trial % 4 < 2) return OPTIONS
  return { persistence: { ...OPTIONS.persistence, maxMemoryPages: 64 } }
}

// Acknowledgements made while the write path held writes (buffer or runs).
let writePathAcks = 0

/** Starts the writer for `trial` in a page; acknowledged counts go to `acked`. */
async function startWriter(context, trial, acked) {
  const page = await openHarness(context, harness.url)
  await page.exposeBinding('reportAck', (_source, t, n, buffered) => {
    acked[t] = Math.max(acked[t] ?? 0, n)
    if (buffered) writePathAcks++
  })
  await page.evaluate(
    ({ trial, options }) => {
      // Not awaited: it runs until the page dies.
      ;(async () => {
        const s = new window.PS.PagingStorage(options)
        await s.ready
        for (let n = 0; ; ) {
          const batch = []
          for (let j = 0; j < 40; j++, n++) {
            // Random order: a scrambled prefix (Knuth's multiplicative hash).
            const key = trial % 4 < 2 ? `t${trial}:${n}` : `t${trial}:${((n * 2654435761) >>> 0).toString(36)}:${n}`
            batch.push([key, { trial, n, pad: 'p'.repeat(n % 90) }])
          }
          await s.setMany(batch)
          if (n % 200 === 0) {
            await s.flush()
            // keys 0..n-1 are acknowledged; with writes in the buffer or runs
            const { bufferedWrites, runPages } = s.getStats().cache
            await window.reportAck(trial, n, bufferedWrites + runPages > 0)
          }
        }
      })()
    },
    { trial, options: optionsFor(trial) }
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
          for (let j = i; j < Math.min(n, i + 500); j++) {
            keys.push(Number(trial) % 4 < 2 ? `t${trial}:${j}` : `t${trial}:${((j * 2654435761) >>> 0).toString(36)}:${j}`)
          }
          const got = await s.getMany(keys)
          for (const [k, v] of got) {
            const j = Number(k.split(':').pop())
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
      // The end comes at a varied point after the trial's first acknowledged
      // flush, not after a fixed time from the start: on a loaded machine a
      // fixed time may end a trial before it acknowledged anything.
      for (const end = Date.now() + 60000; acked[trial] === undefined; ) {
        assert.ok(Date.now() < end, `trial ${trial}: no flush acknowledged in 60 s`)
        await new Promise((r) => setTimeout(r, 50))
      }
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
      // Not the library: Chromium found the backing store corrupt and
      // deleted it (see the header); say so rather than "lost N keys".
      assert.deepEqual(
        [...run.corruption(), ...check.corruption()],
        [],
        `trial ${trial}: Chromium reported IndexedDB corruption`
      )
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
  if (buffer !== '0') assert.ok(writePathAcks > 0, 'the write path never held writes at a flush')
  console.log(`# crash trials: ${TRIALS}, acknowledged keys checked: ${ackedTotal}, lost: 0; flushes with writes in the write path: ${writePathAcks}`)
})
