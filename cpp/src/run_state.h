// The write path's state (WRITE_PATH.md), as EngineImpl holds it: runs and
// their pages, the run a flush seals, a merge under way and what a flush
// carries of it. Plain data; the algorithms are EngineImpl's
// (engine_runs.cc, engine_seal.cc, engine_merge.cc).
#ifndef PAGING_STORAGE_RUN_STATE_H_
#define PAGING_STORAGE_RUN_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "directory.h"
#include "manifest_codec.h"
#include "page.h"
#include "paging_storage/types.h"

namespace paging_storage {

// A page of a run: it holds keys in [lower, upper) (no upper bound for a
// run's last page). `meta` carries its id, summary, residency (run pages
// are read-only: resident pages are clean, in the LRU like base pages) and
// load failures; meta->lower_key points at `lower`.
struct RunPage {
  std::string lower;  // its first key
  std::string upper;  // the next page's lower key, when has_upper
  bool has_upper = false;
  uint64_t seq = 0;        // its run's place in the runs' order (runs_)
  uint64_t first_seq = 0;  // its run's oldest source (Run::sources)
  std::string filter;      // key_filter.h
  std::unique_ptr<PageMeta> meta;
  bool Holds(std::string_view key) const {
    return !(key < lower) && (!has_upper || key < upper);
  }
};

// A run: buffered writes a flush sealed into sorted pages, or runs merged
// into one.
struct Run {
  std::vector<RunPage> pages;  // by lower key; never changed once made
  // The run_seq of its pages' directory records: its key in runs_, but for
  // a merged run (which stands at its newest source's seq).
  uint64_t stored_seq = 0;
  // A merged run: the sealed runs it holds (manifest_codec.h MergedRun);
  // empty for a run sealed from the memtable.
  std::vector<RunSource> sources;
  DirectoryShape shape;  // of its pages (RunShape)
  // Live entries (puts) of the run not yet applied by the base page whose
  // range holds them: counted in Stats().live_keys as keys, so a buffered
  // put of a new key is counted before a page takes it. Starts at the
  // run's live count (at a reopen too: a pass under way then overcounts
  // what its pages applied before, until the run is dropped).
  uint64_t unapplied_puts = 0;
  // unapplied_puts as the last whole flush stored it (a family flush
  // stores some pages only: it writes these).
  uint64_t stored_unapplied_puts = 0;
  // A log run: the memtable's write-ahead log. Every flush stores the
  // memtable entries no log run holds yet (the unlogged ones) as one, so
  // that a flush stores every acknowledged write without sealing a
  // memtable that is not full. While this engine lives, the memtable
  // answers for its entries: pages never pend on it, passes skip it, and
  // it goes when the memtable is sealed whole or empty. In memory only: a
  // reopened store sees a run as any other (the memtable being gone).
  bool log = false;
};

// The engine state's shape of a set of pages: a count and the XOR of
// their DirectoryEntryDigest, kept as pages come and go.
inline void AddToShape(DirectoryShape* shape, std::string_view lower,
                       PageId id) {
  ++shape->page_count;
  shape->digest ^= DirectoryEntryDigest(lower, id);
}
inline void AddShape(DirectoryShape* shape, const DirectoryShape& more) {
  shape->page_count += more.page_count;
  shape->digest ^= more.digest;
}
inline void RemoveShape(DirectoryShape* shape, const DirectoryShape& gone) {
  shape->page_count -= gone.page_count;
  shape->digest ^= gone.digest;  // XOR: its own inverse
}

// A merge under way (engine_merge.cc): k consecutive closed runs streamed
// into one, one page of each resident at a time.
struct Merging {
  uint64_t seq = 0;               // the output's run_seq; 0: no merge
  std::vector<uint64_t> sources;  // runs_ keys, oldest first
  std::string cursor;             // every source key below it is merged
  bool finished = false;          // every source key is
  std::unique_ptr<Page> open;     // the output page being filled
  // Output pages in key order (meta: id and summary); meta->persisted
  // once a committed flush stored them.
  std::vector<RunPage> pages;
  // Encoded output no committed flush stored yet (counted in the budget).
  std::vector<FlushBatch::PageBytes> unstored;
  DirectoryShape stored_shape;   // of the output pages stored
  uint64_t superseded_puts = 0;  // source puts an entry newer replaced
};

// Output pages of merges given up, stored: deleted by the next whole
// flush, listed as unfinished until then.
struct Abandoned {
  uint64_t seq = 0;
  std::vector<PageId> ids;
  DirectoryShape shape;
};

// The merge the batch being collected carries output of.
struct MergeCollect {
  uint64_t seq = 0;         // its output's run_seq; 0: none
  bool completes = false;   // the batch stores its last page: drops its
                            // sources, lists it as merged
  std::vector<PageId> ids;  // its output pages in the batch
  std::unordered_map<PageId, std::string> lowers;  // of those
  std::vector<RunSource> sources;                  // when it completes
  uint64_t unapplied_puts = 0;                     // when it completes
  size_t abandoned = 0;  // abandoned_ entries the batch deletes
};

// The run the batch being collected seals (seq 0: none), whether it is a
// log run, the versions it took from the memtable, and the runs the batch
// drops.
struct Sealing {
  uint64_t seq = 0;
  bool log = false;
  std::vector<uint64_t> dropping;
  std::vector<RunPage> pages;  // meta: id and summary only
  struct Taken {
    uint64_t hlc;
    uint32_t origin;
    bool tombstone;
  };
  std::vector<std::pair<std::string, Taken>> taken;
  // Whole runs: the base pages their entries fall in (what taking the
  // writes without the buffer would have loaded and stored).
  size_t reached = 0;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_RUN_STATE_H_
