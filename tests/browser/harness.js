// Builds the harness app (the package, exposed as window.PS) with Vite and
// serves it on 127.0.0.1. One build per test file.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'vite'

import { serveStatic } from './chromium.js'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')

export async function startHarness() {
  const outDir = await mkdtemp(join(tmpdir(), 'ps-harness-'))
  await build({
    root: join(here, 'harness-app'),
    logLevel: 'warn',
    resolve: { alias: { 'paging-storage': join(repo, 'dist', 'index.js') } },
    build: { outDir, emptyOutDir: true }
  })
  const server = await serveStatic(outDir)
  return {
    url: server.url,
    async close() {
      await server.close()
      await rm(outDir, { recursive: true, force: true })
    }
  }
}

/** Opens the harness in `context` and waits for window.PS. */
export async function openHarness(context, url) {
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForFunction(() => window.__harnessReady === true)
  return page
}
