// Builds test apps with Vite (the package resolved by its name to dist/) and
// serves them on 127.0.0.1. One build per test file.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'vite'

import { serveStatic } from './chromium.js'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')

/** The harness app: the package exposed as window.PS. */
export function startHarness() {
  return buildAndServe(join(here, 'harness-app'))
}

/** Builds the Vite app in `root` (importing the package by name) and serves
 *  the build on 127.0.0.1. @returns {{url, close}} */
export async function buildAndServe(root) {
  const outDir = await mkdtemp(join(tmpdir(), 'ps-app-'))
  await build({
    root,
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
