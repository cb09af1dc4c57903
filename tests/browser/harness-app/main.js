// Exposes the package (and, for the benchmark's comparisons, idb-keyval,
// Dexie, Yjs and y-indexeddb) to tests driving the page with
// page.evaluate().
import Dexie from 'dexie'
import * as idbKeyval from 'idb-keyval'
import * as PS from 'paging-storage'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'

window.PS = PS
window.idbKeyval = idbKeyval
window.Dexie = Dexie
window.Y = Y
window.IndexeddbPersistence = IndexeddbPersistence
window.__harnessReady = true
