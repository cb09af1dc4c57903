export { PagingStorage } from './paging-storage.js'
export { PagingStorageError } from './errors.js'
export { MemoryBackend } from './persistence/memory.js'
