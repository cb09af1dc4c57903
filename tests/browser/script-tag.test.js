// demo/script-tag.html with dist/paging-storage.global.js beside it: a plain
// page with one <script src>, no bundler. Store and get through its buttons,
// then reload and read the value back from IndexedDB; a second tab of the
// same browser shares the store (it got LOCKED).
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { launchChromium, serveStatic } from './chromium.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

test('the <script> build works from a plain HTML page (demo/script-tag.html)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ps-script-tag-'))
  copyFileSync(join(repo, 'dist', 'paging-storage.global.js'), join(root, 'paging-storage.global.js'))
  copyFileSync(join(repo, 'demo', 'script-tag.html'), join(root, 'index.html'))
  const server = await serveStatic(root)
  const browser = await launchChromium()
  try {
    const context = await browser.newContext()
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(server.url)
    await page.waitForSelector('#store:not([disabled])', { timeout: 30000 })
    // Only PagingStorage reaches the global scope.
    const globals = await page.evaluate(() => ({
      type: typeof window.PagingStorage,
      error: typeof window.PagingStorage.PagingStorageError,
      module: typeof window.createPagingStorageModule
    }))
    assert.deepEqual(globals, { type: 'function', error: 'function', module: 'undefined' })

    await page.fill('#key', 'profile:user123')
    await page.fill('#value', '{"name":"John Doe","preferences":{"theme":"dark"}}')
    await page.click('#store')
    await page.waitForFunction(() => document.getElementById('out').textContent === 'Stored profile:user123')
    await page.reload()
    await page.waitForSelector('#store:not([disabled])', { timeout: 30000 })
    assert.match(await page.textContent('#status'), /ready \(1 keys stored\)/)
    await page.fill('#key', 'profile:user123')
    await page.click('#retrieve')
    await page.waitForFunction(() => document.getElementById('out').textContent.startsWith('{'))
    assert.deepEqual(JSON.parse(await page.textContent('#out')), { name: 'John Doe', preferences: { theme: 'dark' } })
    await page.fill('#key', '')
    await page.click('#retrieve')
    await page.waitForFunction(() => document.getElementById('out').textContent.startsWith('INVALID_KEY'))
    const second = await context.newPage()
    second.on('pageerror', (e) => errors.push(String(e)))
    await second.goto(server.url)
    await second.waitForSelector('#store:not([disabled])', { timeout: 30000 })
    await second.fill('#key', 'profile:user123')
    await second.click('#retrieve')
    await second.waitForFunction(() => document.getElementById('out').textContent.startsWith('{'))
    assert.deepEqual(JSON.parse(await second.textContent('#out')), { name: 'John Doe', preferences: { theme: 'dark' } })
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    await server.close()
    rmSync(root, { recursive: true, force: true })
  }
})

test("the README's script-tag example runs as written", async () => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Script tag'))
  const html = /```html\n([\s\S]*?)```/.exec(section)[1]
  const root = mkdtempSync(join(tmpdir(), 'ps-script-readme-'))
  copyFileSync(join(repo, 'dist', 'paging-storage.global.js'), join(root, 'paging-storage.global.js'))
  writeFileSync(join(root, 'index.html'), `<!doctype html>\n<meta charset="utf-8">\n${html}`)
  const server = await serveStatic(root)
  const browser = await launchChromium()
  try {
    // Two tabs of one browser, one after the other while both stay open.
    const context = await browser.newContext()
    for (let tab = 0; tab < 2; tab++) {
      const page = await context.newPage()
      const logged = page.waitForEvent('console', { predicate: (m) => m.type() === 'log', timeout: 30000 })
      await page.goto(server.url)
      assert.deepEqual(await (await logged).args()[0].jsonValue(), { name: 'Alice' }, `tab ${tab + 1}`)
    }
  } finally {
    await browser.close()
    await server.close()
    rmSync(root, { recursive: true, force: true })
  }
})
