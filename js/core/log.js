// Namespaced debug logging: enable with DEBUG=paging-storage:* (Node) or
// localStorage.setItem('debug', 'paging-storage:*') (browser).
import createDebug from 'debug'

export function logger(name) {
  return createDebug(`paging-storage:${name}`)
}
