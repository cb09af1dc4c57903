// Exposes the package and its Vue composables (with Vue itself, for effect
// scopes), and, for the benchmark's comparisons, idb-keyval, Dexie, Yjs and
// y-indexeddb, to tests driving the page with page.evaluate().
import Dexie from 'dexie'
import * as idbKeyval from 'idb-keyval'
import * as PS from 'paging-storage'
import * as PSVue from 'paging-storage/vue'
import * as Vue from 'vue'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'

window.PS = PS
window.PSVue = PSVue
window.Vue = Vue
window.idbKeyval = idbKeyval
window.Dexie = Dexie
window.Y = Y
window.IndexeddbPersistence = IndexeddbPersistence
window.__harnessReady = true
