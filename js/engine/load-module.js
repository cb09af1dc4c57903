// Loads the wasm module once per realm. The module is built into dist/wasm/
// (scripts/build.sh), beside js/ in the repository and in the package. In
// browsers and bundlers the Emscripten ES module finds its .wasm through
// import.meta.url; Node cannot fetch a file path, so there the bytes are read
// with fs and passed in. (The <script> build swaps this file for
// scripts/global/load-module.js.)
import createPagingStorageModule from '../../dist/wasm/paging_storage.mjs'

let modulePromise = null

const isNode =
  typeof process !== 'undefined' && process.versions != null && process.versions.node != null

async function instantiate() {
  if (isNode) {
    const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises')
    const wasmBinary = await readFile(new URL('../../dist/wasm/paging_storage.wasm', import.meta.url))
    return createPagingStorageModule({ wasmBinary })
  }
  return createPagingStorageModule()
}

/** @returns {Promise<any>} the Emscripten module */
export function loadModule() {
  if (modulePromise === null) {
    modulePromise = instantiate()
    modulePromise.catch(() => {
      modulePromise = null // let a later store try again
    })
  }
  return modulePromise
}
