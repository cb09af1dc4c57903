// Entry of dist/paging-storage.global.js (the <script> build): the class as
// window.PagingStorage, with the library's other exports as its properties.
import * as api from '../../js/index.js'

const { PagingStorage } = api
for (const [name, value] of Object.entries(api)) {
  if (name !== 'PagingStorage') Object.defineProperty(PagingStorage, name, { value, enumerable: false })
}
globalThis.PagingStorage = PagingStorage
