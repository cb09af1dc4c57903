// Constants the JavaScript layer shares with the C++ engine, mirrored here
// so that pure code needs no wasm module. tests/js/unit/core/limits.test.js
// asserts that they equal the module's `_constants()`.

/** Children per node of the anti-entropy tree (paging_storage/sync_scan.h kSyncChildren). */
export const SYNC_CHILDREN = 16
/** Key-token bits per tree level (kSyncBitsPerLevel). */
export const SYNC_BITS_PER_LEVEL = 4
/** Deepest tree node the engine answers, in token bits (kSyncMaxBits). */
export const SYNC_MAX_BITS = 28
/** Ring tokens per member the engine accepts (wire::kMaxVirtualNodes). */
export const MAX_VIRTUAL_NODES = 4096
/** Low bits of an HLC holding the logical counter (Hlc::kLogicalBits). */
export const HLC_LOGICAL_BITS = 16
