import { PagingStorage } from 'paging-storage'

/** A store with small pages and a tiny page budget, so paging happens. */
export function tinyStore(extra = {}) {
  return new PagingStorage({
    pageSize: 512,
    ...extra,
    persistence: { maxMemoryPages: 2, maxDiskPages: 1e6, autoSaveInterval: 0, ...(extra.persistence ?? {}) }
  })
}

export function key(i) {
  return 'k' + String(i).padStart(6, '0')
}
