// What `npm start` starts (scripts/demo-server.mjs over the built demo, with
// its server peer), in Chromium with real WebRTC. Two browser profiles are
// two peers: a value stored in one is read in the other, the other's feed
// shows it, the shared document syncs both ways, and both rings show the
// two browsers and the server peer. Then five tabs
// (three in one profile, two in the other): each profile's tabs share its
// store (one leads), every tab shows the document. Then a third peer with
// a disk budget of a few pages: adding sample keys says why they are
// refused. Screenshots go to build/demo-screenshots/. Run through
// demo.test.js.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { startDemo } from './demo-server.js'
import { launchPeerBrowser, peerProfile, until } from './peer-pages.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const shots = join(repo, 'build', 'demo-screenshots')

test('the demo: two peers, then five tabs, then a full disk budget', async () => {
  const demo = startDemo()
  const { browser } = await launchPeerBrowser()
  try {
    const url = await demo.url
    const errors = []
    const profile = () => peerProfile(browser)
    const open = async (context, query = '') => {
      const page = await context.newPage()
      await page.setViewportSize({ width: 1280, height: 900 })
      page.on('pageerror', (e) => errors.push(String(e)))
      await page.goto(url + query)
      await page.waitForFunction(() => document.getElementById('status')?.textContent.startsWith('Ready'), null, { timeout: 60000 })
      return page
    }
    const one = await profile()
    const two = await profile()
    // What an earlier version left in profile one: a database per tab. The demo deletes them.
    const before = await one.newPage()
    await before.goto(url + 'script-tag.html')
    await before.evaluate(
      () =>
        new Promise((resolve) => {
          const req = indexedDB.open('paging-storage:demo_0123abcd')
          req.onsuccess = () => {
            req.result.close()
            resolve(undefined)
          }
        })
    )
    await before.close()
    const A = await open(one)
    const names = await A.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))
    assert.ok(!names.includes('paging-storage:demo_0123abcd'), `an old per-tab database is left: ${names}`)
    assert.ok(names.includes('paging-storage:paging_storage_demo'), `${names}`)
    const B = await open(two)
    for (const page of [A, B]) {
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Ready', null, { timeout: 60000 })
      // The other profile, and the server peer `npm start` runs.
      await page.waitForFunction(() => document.getElementById('peer-count')?.textContent === '2', null, { timeout: 60000 })
    }
    const idA = await A.textContent('#peer-id')
    assert.notEqual(idA, await B.textContent('#peer-id'), 'two profiles are two peers')

    // The seed's store/get panel: store in A, get in B.
    await A.fill('#key', 'greeting')
    await A.fill('#value', '{"text":"hello from A"}')
    await A.click('#store')
    await A.waitForFunction(() => document.getElementById('result').textContent === 'Stored greeting')
    // B replicates every key (2 peers on the circle, 3 replicas): once it holds the key, its get answers
    // at once, not after a read of A that a loaded machine may let time out ('not found').
    await until(B, async () => (await window.storage.getLocal('greeting'))?.text === 'hello from A' || 'B does not hold greeting yet')
    await B.fill('#key', 'greeting')
    await B.click('#retrieve')
    await B.waitForFunction(() => document.getElementById('result').textContent.includes('hello from A'), null, { timeout: 60000 })
    await B.waitForFunction((id) => document.getElementById('feed')?.textContent.includes(`${id} set greeting`), idA, { timeout: 60000 })

    // The shared document, typed in A and in B: one feed entry per field, not one per key per keystroke.
    await A.type('#doc-title', 'Shared Document')
    await B.waitForFunction(() => document.getElementById('doc-title').value === 'Shared Document', null, { timeout: 60000 })
    await B.fill('#doc-content', 'Edited in tab B')
    await A.waitForFunction(() => document.getElementById('doc-content').value === 'Edited in tab B', null, { timeout: 60000 })
    await A.waitForFunction(() => document.getElementById('doc-meta').textContent.includes('last edit by'))
    const titleEntries = await B.evaluate(() => [...document.querySelectorAll('#feed li')].filter((li) => li.textContent.includes('doc:123:title')).length)
    assert.ok(titleEntries <= 2, `typing 15 characters made ${titleEntries} feed entries`)

    // Both rings show two browsers, each replicating all of the key space (2 peers on the circle,
    // 3 replicas per key), and the server peer, which holds every key.
    for (const page of [A, B]) {
      await page.waitForFunction(() => document.querySelectorAll('#ring-peers li').length === 3, null, { timeout: 60000 })
      await page.waitForFunction(() => document.getElementById('ring-peers').textContent.includes('(server peer: every key, on disk)'), null, { timeout: 60000 })
      assert.equal((await page.textContent('#ring-peers')).match(/replicates 100\.0%/g)?.length, 3)
      assert.match(await page.textContent('#server-url'), /^ws:\/\/127\.0\.0\.1:\d+$/)
      await page.waitForFunction(() => document.querySelectorAll('#pages .page').length >= 1)
      await page.waitForFunction(() => Number(document.getElementById('stat-keys').textContent) >= 4, null, { timeout: 60000 })
    }
    mkdirSync(shots, { recursive: true })
    await A.screenshot({ path: join(shots, 'two-tabs-a.png'), fullPage: true })
    await B.screenshot({ path: join(shots, 'two-tabs-b.png'), fullPage: true })

    // Five tabs: three of profile one, two of profile two. Each profile is one peer with one store.
    const more = [await open(one), await open(one), await open(two)]
    const tabs = [A, more[0], more[1], B, more[2]]
    for (const page of tabs) {
      await page.waitForFunction(() => document.getElementById('doc-title').value === 'Shared Document', null, { timeout: 60000 })
      await page.waitForFunction(() => document.getElementById('peer-count')?.textContent === '2', null, { timeout: 60000 })
    }
    const roles = await Promise.all(tabs.map((p) => p.textContent('#tab-role')))
    assert.deepEqual(roles, ['this tab leads', 'this tab follows', 'this tab follows', 'this tab leads', 'this tab follows'])
    const ids = await Promise.all(tabs.map((p) => p.textContent('#peer-id')))
    assert.deepEqual(new Set(ids.slice(0, 3)).size, 1, 'the tabs of a profile are one peer')
    await more[1].fill('#doc-content', 'Typed in the third tab')
    for (const page of tabs) {
      await page.waitForFunction(() => document.getElementById('doc-content').value === 'Typed in the third tab', null, { timeout: 60000 })
    }
    for (const [i, page] of tabs.entries()) await page.screenshot({ path: join(shots, `five-tabs-${i + 1}.png`), fullPage: true })

    // A third peer with a disk budget of 12 pages: sample keys are refused, and the page says why.
    const C = await open(await profile(), '?maxDiskPages=12')
    let message = ''
    for (let i = 0; i < 10 && !/QUOTA_EXCEEDED/.test(message); i++) {
      await C.click('#fill')
      await C.waitForFunction(() => document.getElementById('fill-result').textContent !== '' && !document.getElementById('fill').disabled)
      message = await C.textContent('#fill-result')
      await C.evaluate(() => (document.getElementById('fill-result').textContent = ''))
    }
    assert.match(message, /QUOTA_EXCEEDED: \d+ of 200 keys refused/)
    assert.match(await C.textContent('#stat-disk'), /of 12 pages|full/)
    await C.screenshot({ path: join(shots, 'disk-full.png'), fullPage: true })
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    demo.child.kill('SIGTERM')
  }
})
