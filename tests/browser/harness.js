// Builds test apps with Vite (the package resolved by its name, to js/ and
// vue-composable/) and
// serves them on 127.0.0.1. One build per test file.
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'vite'

import { serveStatic } from './chromium.js'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')

/** The harness app: the package exposed as window.PS. `extraFiles` maps
 *  names to files served beside it. */
export function startHarness(extraFiles = {}) {
  return buildAndServe(join(here, 'harness-app'), extraFiles)
}

/** Builds the Vite app in `root` (importing the package by name) and serves
 *  the build on 127.0.0.1, with `extraFiles` ({name: path}) copied in.
 *  @returns {{url, close}} */
export async function buildAndServe(root, extraFiles = {}) {
  const outDir = await mkdtemp(join(tmpdir(), 'ps-app-'))
  await build({
    root,
    logLevel: 'warn',
    resolve: {
      alias: [
        { find: /^paging-storage$/, replacement: join(repo, 'js', 'index.js') },
        { find: /^paging-storage\/vue$/, replacement: join(repo, 'vue-composable', 'index.js') }
      ]
    },
    build: { outDir, emptyOutDir: true }
  })
  for (const [name, path] of Object.entries(extraFiles)) await copyFile(path, join(outDir, name))
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
