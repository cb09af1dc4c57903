// Engine: the paged, ordered key-value store.
//
// Keys are non-empty UTF-8 strings, values are bytes (the JS layer stores JSON
// text). Entries live in pages of sorted keys; a directory maps each page's
// lower bound key to the page. At most options.max_memory_pages pages are
// resident; the others exist only as bytes the caller stores.
//
// The engine does no I/O and reads no clock. The caller drives paging:
//   - An operation that needs a page that is not resident returns
//     Status::NotResident and names the page; the caller fetches its bytes
//     (those of the last CommitFlush that included it) and calls LoadPage,
//     then retries. A missing key is reported NotFound only after its page
//     was consulted, never because the page was absent.
//   - CollectFlush returns the dirty pages (bytes + directory record), the
//     pages to delete and the engine state; after writing them the caller
//     calls CommitFlush, which marks them clean so the LRU may evict them.
//     Only clean pages are ever evicted.
// REQUIRES: at most one flush in flight (CollectFlush ... CommitFlush).
//
// Thread rule: not thread-safe; callers serialize all calls.
// No function throws; errors are Status values.
#ifndef PAGING_STORAGE_ENGINE_H_
#define PAGING_STORAGE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "paging_storage/options.h"
#include "paging_storage/status.h"
#include "paging_storage/types.h"

namespace paging_storage {

class EngineImpl;

class Engine {
 public:
  // A new, empty store (one empty dirty page).
  static Status Create(const Options& options, std::unique_ptr<Engine>* out);

  // A store restored from what flushes stored: the latest engine state record
  // and the directory record of every page (any order). No page is resident.
  // The options may differ from the ones the store was written with; a page
  // over the new split threshold is split when it is next loaded.
  static Status Open(const Options& options, std::string_view engine_state,
                     const std::vector<std::string_view>& directory_records,
                     std::unique_ptr<Engine>* out);

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- Writes (wall_ms: the caller's wall clock, for the HLC) ----

  // Local write; the version is stamped by the engine's clock and peer id.
  WriteResult Put(std::string_view key, std::string_view value,
                  uint64_t wall_ms, PageId* missing_page);
  // Local delete: writes a tombstone when the key is live; a no-op otherwise.
  WriteResult Delete(std::string_view key, uint64_t wall_ms,
                     PageId* missing_page);
  // A record from elsewhere; kept only if its version is greater than the
  // stored one (a tombstone with a greater version deletes; an older write
  // never resurrects a deleted key).
  WriteResult MergeRemote(const Record& record, uint64_t wall_ms,
                          PageId* missing_page);

  // Applies ops[start...] in order until one needs a non-resident page.
  // Returns OK when all were processed, NotResident otherwise (see
  // BatchResult). Per-op errors (invalid key, ...) are in the results and do
  // not stop the batch.
  // With skip_missing, an op whose page is not resident does not stop the
  // batch: its result is NotResident naming the page (missing_page), and
  // the batch goes on; the call returns OK. No page is loaded during a call,
  // so every later op on that page is skipped too: applying the skipped ops
  // later, in their order, keeps each key's writes in order.
  Status ApplyBatch(const std::vector<WriteOp>& ops, size_t start,
                    uint64_t wall_ms, BatchResult* out,
                    bool skip_missing = false);
  // The same, moving the values of the ops it applies into the store
  // instead of copying them (what is left in `ops` is unspecified).
  Status ApplyBatch(std::vector<WriteOp>&& ops, size_t start, uint64_t wall_ms,
                    BatchResult* out, bool skip_missing = false);

  // Tombstone garbage collection: removes the tombstones older than
  // `horizon` (hlc < horizon) from the pages in key order from `start`.
  // Pages without tombstones (by their directory summary) are skipped
  // without loading. Pages that shrink merge with their neighbours; a merge
  // that waits for a neighbour that is not resident is listed by
  // PagesWantedForMerges. Returns OK when the walk reached the end;
  // NotResident at the first page holding tombstones that is not resident,
  // with out->missing_pages (at most `want`, >= 1) and out->resume_start:
  // load them and call again from there. out->purged counts this call's.
  // The caller decides the horizon: it must be safe that no record older
  // than it resurrects a purged key (see the JS layer's grace period).
  Status PurgeTombstones(uint64_t horizon, std::string_view start, size_t want,
                         PurgeResult* out);

  // ---- Reads ----

  // The live value of `key`: OK, NotFound, NotResident (+ *missing_page) or
  // Corruption (the page holding the key failed to load).
  Status Get(std::string_view key, std::string* value, PageId* missing_page);
  // The stored record, tombstones included.
  Status Lookup(std::string_view key, Record* out, PageId* missing_page);
  // Ordered range scan; see ScanOptions / ScanResult.
  Status Scan(const ScanOptions& options, ScanResult* out);

  // ---- Paging ----

  // Hands back the bytes of a page named by NotResident (or any page of the
  // directory). Corruption if the bytes fail validation or do not match the
  // directory's summary; the page is then marked corrupt and reads of its
  // keys return Corruption. A page already resident is left as it is; a
  // page gone since it was named (merged away, a dropped run of the write
  // path) is OK, nothing to do; an id never issued is InvalidArgument.
  Status LoadPage(PageId id, std::string_view bytes);
  // Lets every page that failed to load be read again: its next access
  // answers NotResident (naming it) instead of Corruption, so the caller
  // fetches its bytes once more (the backend that failed may have healed).
  // A LoadPage that succeeds clears the corruption; one that fails marks it
  // again. Returns how many pages are corrupt. O(corrupt pages).
  size_t RetryCorruptPages();
  // Non-resident pages that would let pending merges complete.
  std::vector<PageId> PagesWantedForMerges() const;
  // The write path's compaction (cpp/src/WRITE_PATH.md): once there are
  // more runs than a page should read through, a pass brings every page up
  // to the newest run, in key order, so that the next flushes can drop the
  // runs. Names up to `limit` pages to load next (base pages, or the run
  // pages a loaded page still applies) and marks dirty the resident pages
  // the pass needs stored; empty when no pass is due or the pass is over.
  // The caller loads what it names, flushes when over budget, and asks
  // again. Amortized O(limit) per call.
  // bulk: a pass is also due when the closed runs hold a sixteenth of the
  // store's pages or more (a bulk load; CompactionDue(true)): before an
  // explicit flush or a large read, so that reads after it load one page
  // per key.
  std::vector<PageId> PagesWantedForCompaction(size_t limit, bool bulk = false);
  // A compaction pass is due or under way. bulk: also when the closed runs
  // hold a sixteenth of the store's pages or more, which
  // PagesWantedForCompaction(limit, true) starts a pass for (a bulk load:
  // before reads, each page that loads would otherwise apply runs and be
  // stored again). O(1).
  bool CompactionDue(bool bulk = false) const;
  // So many runs that the caller should run a compaction pass to its end
  // (and flush) before more writes: backpressure for the write path. O(1).
  bool WriteStall() const;
  // Pages the caller should fetch next for a non-resident key.
  PageId PageFor(std::string_view key) const;
  // The non-resident pages a scan that stopped at page `first` reads next:
  // up to `limit` of them, in key order from `first` (descending order when
  // `descending`), skipping resident ones. Lets the caller fetch them in one
  // read. Empty if no page has id `first`.
  std::vector<PageId> PagesAhead(PageId first, size_t limit,
                                 bool descending) const;

  // Why a flush would be taken. kDurable (flush(), saves, shutdown): to
  // store everything acknowledged. kMakeRoom: to get back within the page
  // budget, which only storing dirty pages or sealing a full memtable does.
  enum class FlushPurpose { kDurable, kMakeRoom };
  // Something a flush of `purpose` would store: dirty pages, a full
  // memtable, and for kDurable an engine state (a new sync mark) or
  // memtable entries no log run holds.
  bool HasDirtyPages(FlushPurpose purpose = FlushPurpose::kDurable) const;
  size_t PageCount() const;      // O(1); Stats().pages
  bool OverBudget() const;       // more resident pages than max_memory_pages
  size_t ResidentPages() const;  // O(1)
  // Resident pages plus the pages' worth of bytes the write path's memtable
  // holds: what the page budget bounds. O(1).
  size_t BudgetPages() const;
  // Every dirty page, the pages merged away, the engine state, and the
  // write path's memtable: sealed whole into a run when it is over its
  // share of the budget (or its log is as large), else its entries no log
  // run holds yet as a new log run (WRITE_PATH.md). So every flush stores
  // everything acknowledged before it.
  void CollectFlush(FlushBatch* out);
  // Flush families with something to store, each named by the id of the
  // page that starts it, fewest dirty bytes first. A family is a key range
  // between two consecutive persisted lower bounds: one stored page, the
  // pages split from it and the stored pages merged into them since. Any
  // subset of families can be stored on its own (CollectFlush below), so a
  // caller that is out of space can store those that shrink first.
  // O(pages).
  std::vector<PageId> FlushFamilies() const;
  // CollectFlush for the families named (ids from FlushFamilies; others
  // are ignored): their dirty pages, their pages merged away, and an engine
  // state whose directory shape is what the store holds once this batch is
  // written. The dirty pages of other families stay dirty. Before the first
  // flush the store has one family, always stored. O(pages).
  void CollectFlush(const std::vector<PageId>& families, FlushBatch* out);
  // REQUIRES: `batch` came from the latest CollectFlush and was stored.
  void CommitFlush(const FlushBatch& batch);
  // Evicts one clean resident page; Busy if it is dirty.
  Status EvictPage(PageId id);
  // Evicts every clean resident page (clearCache).
  size_t EvictAllClean();

  // ---- Introspection ----

  EngineStats Stats() const;
  // Stats as JSON: {"pages", "liveKeys", "tombstones", "bytes",
  // "residentPages", "residentBytes", "dirtyPages", "corruptPages",
  // "maxMemoryPages", "memoryPressure", "hlc": 16 hex digits}.
  std::string StatsJson() const;
  // The clock: the greatest HLC timestamp issued or seen (Stats().hlc,
  // without the rest of Stats). O(1).
  uint64_t Clock() const;
  // Opaque bytes the caller keeps with the engine state (as SQLite's
  // user_version, but bytes): stored by the next flush (HasDirtyPages is
  // true until then), restored with the manifest, "" for a new store. The
  // JS layer keeps when the store was in sync with its peers there.
  // InvalidArgument beyond kMaxUserDataBytes.
  Status SetUserData(std::string_view data);
  const std::string& UserData() const;
  std::vector<PageInfo> ListPages() const;
  // At most `limit` pages whose lower bound is >= `from`, in key order: a
  // listing in parts (the next part starts after the last lower bound
  // returned: that key plus a 0 byte), so that no one answer holds them all.
  std::vector<PageInfo> ListPages(std::string_view from, size_t limit) const;
  // Checks the structural invariants (see engine_impl.h); OK or Corruption
  // naming the first broken one. O(pages + resident entries).
  Status CheckInvariants() const;
  const Options& options() const;

 private:
  explicit Engine(std::unique_ptr<EngineImpl> impl);
  std::unique_ptr<EngineImpl> impl_;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_ENGINE_H_
