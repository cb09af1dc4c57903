// The packed tarball in a fresh Vite + Vue app (tests/package/vue-app: the
// README's Vue Quick Start component as written, plus useKey/useRange),
// installed with npm (from its cache when it holds the files, the registry
// otherwise: a fresh machine's cache holds no registry metadata), built with
// `vite build` and no paging-storage specific config, then run in headless
// Chromium: set/get through usePagingStorage, then a second tab of the same
// browser, which shares the store (it used to show "Initializing..." for
// ever: LOCKED).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { launchChromium, serveStatic } from '../browser/chromium.js'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')
const version = (name) => JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

test('the tarball installs into a fresh Vite + Vue app, builds, and works in Chromium', async () => {
  const work = mkdtempSync(join(tmpdir(), 'ps-vue-app-'))
  try {
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo))[0]
    const app = join(work, 'app')
    cpSync(join(here, 'vue-app'), app, { recursive: true })
    const readme = readFileSync(join(repo, 'README.md'), 'utf8')
    const quickStart = /```vue\n([\s\S]*?)```/.exec(readme)
    assert.ok(quickStart, 'the README has a Vue block')
    writeFileSync(join(app, 'src', 'QuickStart.vue'), quickStart[1])
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vue-app', private: true, type: 'module' }))
    // The same versions the repo installed (their tarballs are in npm's cache).
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts',
      join(work, packed.filename), `vue@${version('vue')}`, `vite@${version('vite')}`,
      `@vitejs/plugin-vue@${version('@vitejs/plugin-vue')}`], app)
    // An optional peer dependency is not installed: no PeerPigeon, no native WebRTC module.
    const installed = readdirSync(join(app, 'node_modules'))
    assert.ok(installed.includes('paging-storage'))
    assert.ok(!installed.includes('peerpigeon') && !existsSync(join(app, 'node_modules', '@koush')), 'peerpigeon was pulled in')

    run(join(app, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], app)
    const assets = readdirSync(join(app, 'dist', 'assets'))
    assert.ok(assets.some((f) => f.endsWith('.wasm')), `no .wasm asset in ${assets}`)

    const server = await serveStatic(join(app, 'dist'))
    const browser = await launchChromium()
    try {
      // Two tabs of one browser: pages of one context.
      const context = await browser.newContext()
      const errors = []
      const openTab = async () => {
        const tab = await context.newPage()
        tab.on('pageerror', (e) => errors.push(String(e)))
        await tab.goto(server.url)
        return tab
      }
      const page = await openTab()
      // The README component: no PeerPigeon installed, so it runs local-only.
      const button = (name) => page.locator('button', { hasText: name })
      await page.waitForFunction(() => document.body.textContent.includes('Status: Ready'), null, { timeout: 30000 })
      assert.equal(await button('Store').isEnabled(), true)
      await page.fill('input[placeholder="Key"]', 'user:123')
      await page.fill('input[placeholder="Value"]', 'Alice')
      await button('Store').click()
      await page.waitForFunction(() => document.body.textContent.includes('Total Keys: 1'), null, { timeout: 10000 })
      await page.fill('input[placeholder="Value"]', '')
      await button('Get').click()
      await page.waitForFunction(() => document.querySelector('input[placeholder="Value"]').value === '"Alice"')
      await page.waitForFunction(() => document.getElementById('extras-status').textContent === 'extras ready')
      // useKey and useRange follow writes; totalKeys follows the stats.
      await page.evaluate(async () => {
        await window.composable.set('doc:123:title', 'Shared Document')
        await window.composable.set('doc:123:content', 'Document content here...')
      })
      await page.waitForFunction(() => document.getElementById('title').textContent === 'Shared Document')
      await page.waitForFunction(() => document.querySelectorAll('#docs li').length === 2)
      await page.waitForFunction(() => document.getElementById('keys').textContent === 'Total Keys: 2')
      assert.equal(await page.evaluate(() => typeof window.PagingStorageClass), 'function')

      // A second tab: it opens (no LOCKED), shares the data, and its writes reach the first tab.
      const second = await openTab()
      await second.waitForFunction(() => document.body.textContent.includes('Status: Ready'), null, { timeout: 30000 })
      await second.waitForFunction(() => document.body.textContent.includes('Total Keys: 1'), null, { timeout: 10000 })
      await second.fill('input[placeholder="Key"]', 'user:123')
      await second.locator('button', { hasText: 'Get' }).click()
      await second.waitForFunction(() => document.querySelector('input[placeholder="Value"]').value === '"Alice"')
      await second.fill('input[placeholder="Key"]', 'user:456')
      await second.fill('input[placeholder="Value"]', 'Bob')
      await second.locator('button', { hasText: 'Store' }).click()
      await page.waitForFunction(() => document.body.textContent.includes('Total Keys: 2'), null, { timeout: 10000 })
      await second.waitForFunction(() => document.getElementById('title').textContent === 'Shared Document', null, { timeout: 10000 })
      await second.evaluate(() => window.composable.set('doc:123:title', 'Edited in the second tab'))
      await page.waitForFunction(() => document.getElementById('title').textContent === 'Edited in the second tab', null, { timeout: 10000 })
      const roles = await Promise.all([page, second].map((t) => t.evaluate(() => window.composable.role.value)))
      assert.deepEqual(roles, ['leader', 'follower'])
      assert.deepEqual(errors, [])
    } finally {
      await browser.close()
      await server.close()
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})
