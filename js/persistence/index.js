// Chooses the persistence backend from options.persistence.backend:
//   undefined | 'memory'  MemoryBackend (the browser bridges come next)
//   an object             used as is; it must implement the interface
//                         documented in memory.js
import { PagingStorageError } from '../errors.js'
import { MemoryBackend } from './memory.js'

const REQUIRED = ['loadManifest', 'readPages', 'writeBatch', 'clear', 'close']

export function createBackend(persistence) {
  const choice = persistence.backend
  if (choice === undefined || choice === 'memory') return new MemoryBackend()
  if (choice !== null && typeof choice === 'object') {
    const missing = REQUIRED.filter((m) => typeof choice[m] !== 'function')
    if (missing.length > 0) {
      throw new PagingStorageError(
        'INVALID_ARGUMENT',
        `persistence.backend lacks ${missing.join(', ')}`
      )
    }
    return choice
  }
  throw new PagingStorageError(
    'INVALID_ARGUMENT',
    `unknown persistence.backend ${JSON.stringify(choice)} (use 'memory' or a backend object)`
  )
}

export { MemoryBackend }
