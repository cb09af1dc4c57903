// The demo imports the package by its name; here the name points at the
// repo's build (dist/), as `npm install paging-storage` would.
import { fileURLToPath } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  resolve: {
    alias: [
      { find: /^paging-storage\/vue$/, replacement: `${dist}vue/index.js` },
      { find: /^paging-storage$/, replacement: `${dist}index.js` }
    ]
  },
  build: { outDir: fileURLToPath(new URL('../build/demo/', import.meta.url)), emptyOutDir: true }
})
