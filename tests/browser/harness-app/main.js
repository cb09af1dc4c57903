// Exposes the package to tests driving the page with page.evaluate().
import * as PS from 'paging-storage'

window.PS = PS
window.__harnessReady = true
