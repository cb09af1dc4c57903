// Builds dist/paging-storage.global.js: one classic script for <script src>,
// exposing window.PagingStorage, with the wasm embedded. It is the
// Emscripten single-file module followed by an IIFE bundle of js/ (whose
// module loader is swapped for scripts/global/load-module.js), both wrapped
// in one function so nothing but PagingStorage reaches the global scope.
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'vite'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const here = join(repo, 'scripts', 'global')

const result = await build({
  configFile: false,
  logLevel: 'warn',
  resolve: {
    alias: [{ find: /^\.\.\/engine\/load-module\.js$/, replacement: join(here, 'load-module.js') }]
  },
  build: {
    write: false,
    minify: true,
    lib: { entry: join(here, 'entry.js'), formats: ['iife'], name: 'PagingStorageBundle' }
  }
})
const output = (Array.isArray(result) ? result[0] : result).output
const bundle = output.find((o) => o.type === 'chunk').code
if (bundle.includes('paging_storage.wasm') || !bundle.includes('createPagingStorageModule')) {
  throw new Error('global build: the module loader was not swapped for the embedded one')
}
const single = await readFile(join(repo, 'build', 'wasm', 'paging_storage.single.js'), 'utf8')
const banner = '/*! paging-storage (script-tag build): window.PagingStorage. MIT */\n'
await writeFile(join(repo, 'dist', 'paging-storage.global.js'), `${banner};(function () {\n${single}\n${bundle}\n})();\n`)
