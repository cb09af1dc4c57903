// What `npm start` starts (scripts/demo-server.mjs over the built demo), and
// two tabs of the demo in Chromium with real WebRTC between them: a value
// stored in one is read in the other, the other's feed shows it, the shared
// document syncs both ways, and both rings show two peers. Screenshots of
// both tabs go to build/demo-screenshots/. Run through demo.test.js.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { launchPeerBrowser } from './peer-pages.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const shots = join(repo, 'build', 'demo-screenshots')

/** Starts the demo server on free ports; resolves with its URL. */
function startDemo() {
  const child = spawn('node', [join(repo, 'scripts', 'demo-server.mjs')], {
    env: { ...process.env, DEMO_PORT: '0', SIGNALING_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  const url = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      const m = /paging-storage demo: (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('exit', (code) => reject(new Error(`demo server exited (${code}):\n${out}`)))
  })
  return { child, url }
}

test('two demo tabs share data in real time', async () => {
  const demo = startDemo()
  const { browser, context } = await launchPeerBrowser()
  try {
    const url = await demo.url
    const errors = []
    const open = async () => {
      const page = await context.newPage()
      await page.setViewportSize({ width: 1280, height: 900 })
      page.on('pageerror', (e) => errors.push(String(e)))
      await page.goto(url)
      return page
    }
    const A = await open()
    const B = await open()
    for (const page of [A, B]) {
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Ready', null, { timeout: 30000 })
      await page.waitForFunction(() => document.getElementById('peer-count')?.textContent === '1', null, { timeout: 30000 })
    }
    const idA = await A.textContent('#peer-id')
    assert.notEqual(idA, await B.textContent('#peer-id'), 'the two tabs are distinct peers')

    // The seed's store/get panel: store in A, get in B.
    await A.fill('#key', 'greeting')
    await A.fill('#value', '{"text":"hello from A"}')
    await A.click('#store')
    await A.waitForFunction(() => document.getElementById('result').textContent === 'Stored greeting')
    await B.fill('#key', 'greeting')
    await B.click('#retrieve')
    await B.waitForFunction(() => document.getElementById('result').textContent.includes('hello from A'), null, { timeout: 10000 })
    await B.waitForFunction((id) => document.getElementById('feed')?.textContent.includes(`${id} set greeting`), idA, { timeout: 10000 })

    // The shared document, typed in A and in B.
    await A.fill('#doc-title', 'Shared Document')
    await B.waitForFunction(() => document.getElementById('doc-title').value === 'Shared Document', null, { timeout: 10000 })
    await B.fill('#doc-content', 'Edited in tab B')
    await A.waitForFunction(() => document.getElementById('doc-content').value === 'Edited in tab B', null, { timeout: 10000 })
    await A.waitForFunction(() => document.getElementById('doc-meta').textContent.includes('last edit by'))

    // Both rings show two peers; the pages picture and stats are filled.
    for (const page of [A, B]) {
      await page.waitForFunction(() => document.querySelectorAll('#ring-peers li').length === 2, null, { timeout: 10000 })
      await page.waitForFunction(() => document.querySelectorAll('#pages .page').length >= 1)
      await page.waitForFunction(() => Number(document.getElementById('stat-keys').textContent) >= 5, null, { timeout: 10000 })
    }
    mkdirSync(shots, { recursive: true })
    await A.screenshot({ path: join(shots, 'tab-a.png'), fullPage: true })
    await B.screenshot({ path: join(shots, 'tab-b.png'), fullPage: true })
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    demo.child.kill('SIGTERM')
  }
})
