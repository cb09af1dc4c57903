// Chromium on a persistent profile, started by us (so it can be SIGKILLed
// like a browser that crashes), for the crash trials: a kill waits until
// every Chromium process has let the profile go and drops the torn LevelDB
// log tails a kill can leave (see crash.test.js and leveldb-tail.js).
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'

import { chromium } from 'playwright-core'

import { CHROMIUM_ARGS } from '../browser/chromium.js'
import { dropTornLogTails } from './leveldb-tail.js'

/** Waits until no process still has our profile on its command line: the
 *  main process can exit before its children (the storage service among
 *  them) let go of the profile's files. */
async function profileReleased(profile) {
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

/**
 * Starts Chromium on a persistent profile (so IndexedDB outlives a kill).
 * @param {string} profile the user data directory
 * @returns {Promise<{browser: any, context: any, corruption: () => string[], kill: () => Promise<void>, close: () => Promise<void>}>}
 */
export async function launchOnProfile(profile) {
  const child = spawn(
    process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    [
      ...CHROMIUM_ARGS,
      '--enable-logging=stderr',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      'about:blank'
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  // Every line Chromium logs, kept to spot an IndexedDB corruption recovery.
  let log = ''
  child.stderr.on('data', (chunk) => {
    log += chunk
  })
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
    /** Lines where Chromium reported (and recovered from by deleting) a
     *  corrupt IndexedDB backing store during this session. */
    corruption() {
      return log.split('\n').filter((l) => /indexed_db.*(corruption|corrupted)/i.test(l))
    },
    async kill() {
      child.kill('SIGKILL')
      await exited
      await profileReleased(profile)
      // A kill mid-record leaves a torn log tail that Chromium's LevelDB
      // (reuse_logs) turns into a corrupt, deleted database two launches
      // later (google/leveldb#1287): drop it as LevelDB's reader would.
      for (const c of dropTornLogTails(profile)) {
        console.log(`# dropped a torn LevelDB record: ${c.file.slice(profile.length)} ${c.from} -> ${c.to} bytes`)
      }
    },
    // Every session ends with SIGKILL, never a graceful browser.close().
    close() {
      return this.kill()
    }
  }
}
