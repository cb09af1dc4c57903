// Opening a local store: the wasm module and the persisted manifest, then
// the engine and the parts around it (pager, paging driver, admission).
//
// The store's peer id lives with its data: the user data of the engine state
// keeps it (field `peerId`, written at the first save). A store opened with
// a default id (config.adoptPeerId) takes the kept one, so a profile whose
// localStorage lost the id (a crash before the browser wrote it) is still
// the same peer.
import { loadModule } from '../engine/load-module.js'
import { WasmEngine } from '../engine/wasm-engine.js'
import { Admission } from './admission.js'
import { Pager } from './pager.js'
import { PagingDriver } from './paging-driver.js'

/**
 * @param {string} text the engine state's user data
 * @returns {Record<string, unknown>} its fields; {} when there are none or it is not a JSON object
 */
export function userFields(text) {
  try {
    const o = JSON.parse(text)
    return o !== null && typeof o === 'object' && !Array.isArray(o) ? o : {}
  } catch {
    return {}
  }
}

/**
 * @param {import('./local-store.js').StoreConfig} config
 * @param {import('../persistence/backend.js').Backend} backend
 * @param {(err: Error) => void} onError the pager's failures (a page that
 *   failed to load, a failed save)
 * @param {() => void} [onSaved] after each save that stored everything
 * @returns {Promise<{ engine: WasmEngine, pager: Pager, driver: PagingDriver, admission: Admission, restored: boolean,
 *                     peerId: string }>}
 *   restored: the backend held a store; peerId: the one the engine runs under
 * @throws what loading the module or the manifest throws; CORRUPT for a
 *   manifest the engine refuses
 */
export async function openStore(config, backend, onError, onSaved = () => {}) {
  const [module, manifest] = await Promise.all([loadModule(), backend.loadManifest()])
  let engine = new WasmEngine(module, config, manifest)
  const kept = userFields(engine.userData()).peerId
  if (config.adoptPeerId && typeof kept === 'string' && kept !== '' && kept !== config.peerId) {
    engine.close()
    config = { ...config, peerId: kept }
    engine = new WasmEngine(module, config, manifest)
  }
  if (kept !== config.peerId) engine.setUserData(JSON.stringify({ ...userFields(engine.userData()), peerId: config.peerId }))
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
  return { engine, pager, driver, admission, restored: manifest !== null, peerId: config.peerId }
}
