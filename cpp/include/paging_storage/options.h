// Options: the engine's tunables, with the seed README's defaults.
//
// Sizes are in bytes of the engine's byte accounting (see page.h): a key and
// its value plus a fixed per-entry overhead.
#ifndef PAGING_STORAGE_OPTIONS_H_
#define PAGING_STORAGE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "paging_storage/status.h"

namespace paging_storage {

struct Options {
  // Origin id stamped on local writes; part of every version, so it must be
  // unique per writer (the JS layer uses the PeerPigeon peer id).
  std::string peer_id = "local";

  // Target page size. A page splits when its bytes pass split_threshold and
  // merges with a neighbour when it falls below merge_threshold.
  size_t page_size = 4096;
  size_t split_threshold = 0;  // 0: 80% of page_size
  size_t merge_threshold = 0;  // 0: 20% of page_size

  // Resident page budget (the LRU's capacity). Only clean pages are evicted,
  // so the bound can be passed until the caller flushes dirty pages.
  size_t max_memory_pages = 50;

  // The log-structured write path (cpp/src/WRITE_PATH.md): local writes
  // whose page is not resident are buffered (a memtable counted in the page
  // budget) instead of waiting for their page, sealed into runs by flushes
  // and applied to pages as they load. The memtable holds at most this many
  // pages' worth of bytes before the engine reports itself over budget (the
  // caller then flushes). 0 turns the write path off: every write needs its
  // page resident. REQUIRES: at most half of max_memory_pages (the other
  // half keeps the pages a compaction pass applies runs with) and at most
  // max_memory_pages - 2 (a read keeps a page and a run page beside it).
  size_t write_buffer_pages = 0;

  // With the write path on: buffer a write only while that costs fewer page
  // loads and stores than loading its page, and merge runs with each other
  // (tiered) only while that costs less than compaction passes over every
  // base page once per MaxRuns runs (WRITE_PATH.md, "Break-even"). Writes
  // with little locality into a store far larger than the budget buffer;
  // clustered writes, and stores of a few times the budget, take the
  // page-load path (runs already made are applied as before). false buffers
  // every write it can and merges runs whenever the budget allows (tests
  // exercising the write path).
  bool write_buffer_adaptive = true;

  // The clock bound (issue 16; cpp/src/clock_bound.h): no version is
  // merged more than max_clock_drift_ms past the caller's wall clock (the
  // greatest wall_ms it has given: open_wall_ms, writes); such a merge is
  // refused with InvalidArgument. A store that opens with its clock beyond
  // that (a wall clock that ran fast, or an older version that trusted
  // peers' clocks) recovers: the clock restarts at the wall clock and what
  // was stamped beyond is restamped below every later local write.
  // 0: no bound.
  uint64_t max_clock_drift_ms = 0;
  // The caller's wall clock when the store opens, in ms since the epoch
  // (0: unknown until the first write).
  uint64_t open_wall_ms = 0;

  // Input limits; larger keys or values are rejected with InvalidArgument.
  size_t max_key_bytes = 1024;
  size_t max_value_bytes = 1 << 20;

  // Fills in the 0 defaults and checks that the values make sense:
  // 256 <= page_size <= 16 MiB, 0 < merge < split <= page_size,
  // max_memory_pages >= 1, peer_id non-empty and at most 255 bytes.
  Status Normalize();
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_OPTIONS_H_
