// The demo imports the package by its name; here the name points at the
// repo's package entries (js/, vue-composable/), as `npm install
// paging-storage` would (the wasm module comes from dist/wasm, built first).
import { fileURLToPath } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const repo = fileURLToPath(new URL('../', import.meta.url))

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  resolve: {
    alias: [
      { find: /^paging-storage\/vue$/, replacement: `${repo}vue-composable/index.js` },
      { find: /^paging-storage$/, replacement: `${repo}js/index.js` }
    ]
  },
  build: { outDir: fileURLToPath(new URL('../build/demo/', import.meta.url)), emptyOutDir: true }
})
