// load-module.js of the <script> build: the Emscripten single-file module
// (wasm embedded) is placed in front of this bundle, inside the same function
// scope, so createPagingStorageModule is in scope and never global.
/* global createPagingStorageModule */
let modulePromise = null

export function loadModule() {
  if (modulePromise === null) {
    modulePromise = createPagingStorageModule()
    modulePromise.catch(() => {
      modulePromise = null
    })
  }
  return modulePromise
}
