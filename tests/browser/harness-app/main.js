// Exposes the package (and idb-keyval, for the benchmark's comparison) to
// tests driving the page with page.evaluate().
import * as idbKeyval from 'idb-keyval'
import * as PS from 'paging-storage'

window.PS = PS
window.idbKeyval = idbKeyval
window.__harnessReady = true
