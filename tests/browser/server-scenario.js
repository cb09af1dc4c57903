// Issue 17 in Chromium, through the demo as `npm start` serves it (with its
// server peer): three browser profiles write 600 keys and wait for
// replicated({ durable: true }); every page closes; a new profile, with an
// empty IndexedDB, opens the demo and reads every key: only the server peer
// holds them now. Run through server.test.js.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { startDemo } from './demo-server.js'
import { launchPeerBrowser, peerProfile, poll } from './peer-pages.js'

const PAGES = 3
const KEYS_PER_PAGE = 200

test('three pages and the server peer; all pages close; a new page with an empty store reads every key through the server', async () => {
  const demo = startDemo()
  const { browser } = await launchPeerBrowser()
  try {
    const url = await demo.url
    const errors = []
    /** Opens the demo in a new profile; `before(page)` runs on the demo's origin before the demo (and its store) loads. */
    const open = async (before = async (/** @type {import('playwright-core').Page} */ _page) => {}) => {
      const context = await peerProfile(browser)
      const page = await context.newPage()
      page.on('pageerror', (e) => errors.push(String(e)))
      await page.goto(new URL('demo-config.json', url).href)
      await before(page)
      await page.goto(url)
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Ready', null, { timeout: 60000 })
      return { context, page }
    }
    const opened = []
    for (let i = 0; i < PAGES; i++) opened.push(await open())
    for (const { page } of opened) {
      // The two other browsers and the server, which holds every key.
      await page.waitForFunction((n) => window.storage.getPeerDistribution().length === n, PAGES + 1, { timeout: 60000 })
      await page.waitForFunction(() => window.storage.getPeerDistribution().some((d) => d.weight === 0 && d.durable), null, { timeout: 60000 })
    }
    await Promise.all(
      opened.map(({ page }, p) =>
        page.evaluate(
          async ({ p, n }) => {
            await window.storage.setMany(Array.from({ length: n }, (_, i) => [`server-test:${p}:${i}`, { p, i }]))
            await window.storage.replicated({ durable: true, timeout: 120000 })
          },
          { p, n: KEYS_PER_PAGE }
        )
      )
    )
    for (const { context } of opened) await context.close()

    // Checked before the store opens: once open, it may catch up from the server
    // (it is a replica of every key) before the reads below.
    const { page: fresh } = await open(async (page) => {
      const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))
      assert.deepEqual(databases, [], 'a new profile: nothing in its IndexedDB')
    })
    await fresh.waitForFunction(() => window.storage.getPeerDistribution().length === 2, null, { timeout: 30000 })
    // Polled: keys the page has not caught up yet are asked of the server, and on a
    // loaded machine such a read may time out (readTimeout) before the next try.
    const found = await poll(
      () =>
        fresh.evaluate(
          async ({ pages, n }) => {
            const keys = []
            for (let p = 0; p < pages; p++) for (let i = 0; i < n; i++) keys.push(`server-test:${p}:${i}`)
            const got = await window.storage.getMany(keys)
            return [...got].filter(([k, v]) => v && `server-test:${v.p}:${v.i}` === k).length
          },
          { pages: PAGES, n: KEYS_PER_PAGE }
        ),
      (n) => n === PAGES * KEYS_PER_PAGE,
      90000
    )
    assert.equal(found, PAGES * KEYS_PER_PAGE)
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    demo.child.kill('SIGTERM')
  }
})
