// Opening a local store: the wasm module and the persisted manifest, then
// the engine and the parts around it (pager, paging driver, admission).
import { loadModule } from '../engine/load-module.js'
import { WasmEngine } from '../engine/wasm-engine.js'
import { Admission } from './admission.js'
import { Pager } from './pager.js'
import { PagingDriver } from './paging-driver.js'

/**
 * @param {import('./local-store.js').StoreConfig} config
 * @param {import('../persistence/backend.js').Backend} backend
 * @param {(err: Error) => void} onError the pager's failures (a page that
 *   failed to load, a failed save)
 * @param {() => void} [onSaved] after each save that stored everything
 * @returns {Promise<{ engine: WasmEngine, pager: Pager, driver: PagingDriver, admission: Admission, restored: boolean }>}
 *   restored: the backend held a store
 * @throws what loading the module or the manifest throws; CORRUPT for a
 *   manifest the engine refuses
 */
export async function openStore(config, backend, onError, onSaved = () => {}) {
  const [module, manifest] = await Promise.all([loadModule(), backend.loadManifest()])
  const engine = new WasmEngine(module, config, manifest)
  const admission = new Admission(config.maxDiskPages, engine.stats().pages, () => engine.overBudget())
  const pager = new Pager(engine, backend, {
    onError,
    onSaved: () => {
      admission.noteSaved()
      onSaved()
    },
    // Only a failed save of this store's pages blocks writes.
    onSaveFailed: (err) => admission.noteSaveFailed(err)
  })
  const driver = new PagingDriver(engine, pager, config.maxMemoryPages)
  return { engine, pager, driver, admission, restored: manifest !== null }
}
