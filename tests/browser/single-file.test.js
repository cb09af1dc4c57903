// The single-file wasm build (wasm embedded) loads from a plain <script> tag
// in Chromium, with no bundler, and its engine works.
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { launchChromium, serveStatic } from './chromium.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const PAGE = `<!doctype html>
<meta charset="utf-8">
<script src="paging_storage.single.js"></script>
<script>
  createPagingStorageModule().then((m) => {
    const h = new m.EngineHandle()
    const created = h._create(JSON.stringify({ peerId: 'script-tag' }))
    // wire "ops": put key "a" -> value "1"; wire "keys": ["a"]
    h._applyBatch(new Uint8Array([0, 1, 97, 1, 49]), Date.now())
    const values = Array.from(h._getMany(new Uint8Array([1, 1, 97])))
    const stats = JSON.parse(h._stats())
    h.delete()
    window.__result = { created, values, liveKeys: stats.liveKeys }
  }, (err) => { window.__result = { error: String(err) } })
</script>`

test('the single-file build works from a <script> tag', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ps-single-'))
  try {
    copyFileSync(join(repo, 'dist/wasm/paging_storage.single.js'), join(root, 'paging_storage.single.js'))
    writeFileSync(join(root, 'index.html'), PAGE)
    const server = await serveStatic(root)
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      await page.goto(server.url)
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 })
      const result = await page.evaluate(() => window.__result)
      assert.equal(result.error, undefined, result.error)
      assert.deepEqual(result.created, { code: 0, message: '' })
      // state 0, count 1, code OK, value "1"
      assert.deepEqual(result.values, [0, 1, 0, 1, 49])
      assert.equal(result.liveKeys, 1)
    } finally {
      await browser.close()
      await server.close()
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
