// paging-storage/vue: the Vue 3 composables (see index.d.ts for the types).
export { usePagingStorage } from './use-paging-storage.js'
export { usePeerPigeon } from './use-peer-pigeon.js'
export { useKey } from './use-key.js'
export { useRange } from './use-range.js'
