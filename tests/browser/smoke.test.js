// Builds a minimal Vite page that imports the package, opens it in headless
// Chromium, and checks set/get/range/delete ran there.
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { launchChromium } from './chromium.js'
import { buildAndServe } from './harness.js'

const here = dirname(fileURLToPath(import.meta.url))

test('a Vite page runs set/get/range/delete in Chromium', async () => {
  const server = await buildAndServe(join(here, 'smoke-app'))
  const browser = await launchChromium()
  try {
    const page = await browser.newPage()
    const logs = []
    page.on('console', (m) => logs.push(m.text()))
    page.on('pageerror', (e) => logs.push(String(e)))
    await page.goto(server.url)
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 })
    const result = await page.evaluate(() => window.__result)
    assert.equal(result.error, undefined, `${result.error}\n${logs.join('\n')}`)
    assert.deepEqual(result.user, { name: 'Alice', email: 'alice@example.com' })
    assert.deepEqual(result.firstThree, [['item:000', 0], ['item:001', 1], ['item:002', 2]])
    assert.deepEqual(result.lastTwo, [['item:499', 499], ['item:498', 498]])
    assert.equal(result.deleted, true)
    assert.equal(result.afterDelete, undefined)
    assert.equal(result.totalKeys, 500)
    assert.ok(result.residentPages <= 2)
    assert.ok(result.totalPages > 10)
  } finally {
    await browser.close()
    await server.close()
  }
})
