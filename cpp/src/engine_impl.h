// EngineImpl: the state and algorithms behind Engine (engine.h documents the
// contract). Split over files by concern:
//   engine_write.cc       writes, splits, merges
//   engine_read.cc        point reads and range scans
//   engine_paging.cc      load, eviction, open/create
//   engine_flush.cc       flushes, whole or by flush family
//   engine_runs.cc        the write path's memtable and runs (WRITE_PATH.md)
//   engine_seal.cc        sealing and dropping runs at flushes
//   engine_merge.cc       tiered merging of runs
//   engine_compaction.cc  when to buffer, merge runs or run a pass
//   engine_inspect.cc     stats, page listing, invariant checks
//
// Structural invariants, beyond those of Page, Directory and LruList:
//   1. Every entry of a page lies in its directory range
//      [lower bound, next page's lower bound).
//   2. A resident page has bytes <= split_threshold, or a single entry (an
//      entry larger than that gets a page of its own).
//   3. No page is empty unless it is the only page, or it waits to merge
//      (in merge_candidates_), or neither neighbour can take it (corrupt).
//   4. A page below merge_threshold (not the only page, not corrupt) either
//      is in merge_candidates_ (waiting for a neighbour to be loaded) or
//      fits with neither neighbour (combined bytes > split_threshold).
//   5. dirty implies resident; a non-resident page cannot change.
//   6. After any public call returns, resident pages <= max_memory_pages, or
//      at most one resident page is clean (the rest await a flush).
//   7. hlc_.last() >= every stored entry's hlc, but for entries of before a
//      clock recovery (clock_bound.h) until they are restamped.
//   8. (write path) Every memtable key lies in a page that is not resident.
//   9. (write path) A resident page that is not pending has applied every
//      run: applied_seq >= the newest run's seq. Every pending run page id
//      names a page of a run.
// Invariant 6 counts the memtable's pages (BudgetPages) with the resident.
//
// Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_ENGINE_IMPL_H_
#define PAGING_STORAGE_ENGINE_IMPL_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "clock_bound.h"
#include "directory.h"
#include "lru_list.h"
#include "manifest_codec.h"
#include "origin_table.h"
#include "paging_storage/hlc.h"
#include "paging_storage/options.h"
#include "paging_storage/types.h"
#include "run_state.h"
#include "write_buffer.h"

namespace paging_storage {

class EngineImpl {
 public:
  // REQUIRES: options were normalized.
  explicit EngineImpl(const Options& options);
  ~EngineImpl();

  void InitEmpty();
  Status InitFromManifest(const Manifest& manifest);

  // engine_write.cc
  // Write and ApplyBatch move the values of the ops they apply into the
  // store: those ops keep their keys and versions, their values are left
  // unspecified.
  WriteResult Write(WriteOp* op, uint64_t wall_ms, PageId* missing);
  // Write into *out, every field of which it sets (its strings keep their
  // storage).
  void WriteInto(WriteOp* op, uint64_t wall_ms, PageId* missing,
                 WriteResult* out);
  Status PurgeTombstones(uint64_t horizon, std::string_view start, size_t want,
                         PurgeResult* out);
  Status ApplyBatch(std::vector<WriteOp>* ops, size_t start, bool skip,
                    uint64_t wall_ms, BatchResult* out);

  // engine_read.cc
  Status Lookup(std::string_view key, Record* out, PageId* missing);
  Status Get(std::string_view key, std::string* value, PageId* missing);
  Status Scan(const ScanOptions& options, ScanResult* out);
  PageId PageFor(std::string_view key) const;
  std::vector<PageId> PagesAhead(PageId first, size_t limit,
                                 bool descending) const;

  // engine_paging.cc
  Status LoadPage(PageId id, std::string_view bytes);
  size_t RetryCorruptPages();
  std::vector<PageId> PagesWantedForMerges() const;
  std::vector<PageId> PagesWantedForCompaction(size_t limit, bool bulk);
  // Twice the runs a pass is due at: writes wait for compaction (as
  // LevelDB's level-0 stop trigger), or runs would pile up faster than
  // passes drop them.
  bool WriteStall() const { return ClosedRuns() > 2 * MaxRuns(); }
  bool CompactionDue(bool bulk = false) const {
    return compact_target_ != 0 || merge_.seq != 0 ||
           ClosedRuns() > MaxRuns() || (bulk && BulkRuns()) ||
           RunsHoldClockBack();
  }
  // A recovering clock waits for every run to be applied (clock_bound.h).
  bool RunsHoldClockBack() const {
    return clock_bound_.Pending() && ClosedRuns() > 0;
  }
  // The closed runs hold a sixteenth of the store's pages or more.
  bool BulkRuns() const {
    return ClosedRuns() > 0 &&
           (run_pages_.size() - log_run_pages_) * 16 >= dir_.size();
  }
  // Runs that are not log runs.
  size_t ClosedRuns() const { return runs_.size() - log_runs_; }
  // Runs beyond which a compaction pass is due: a page that loads applies
  // up to one page per run, which a pass over pages in key order keeps
  // resident: a quarter of the budget, from 2 to 8.
  size_t MaxRuns() const {
    // A pass keeps one page of each run resident beside a full memtable
    // and the base pages it loads (a quarter of the budget): more runs
    // than that evict run pages the pass loads again.
    size_t room = options_.max_memory_pages - options_.write_buffer_pages -
                  options_.max_memory_pages / 4;
    return std::min<size_t>(32, std::max<size_t>(2, room));
  }
  // Runs a merge streams into one: a page of each stays resident with the
  // pass's share of the budget (MaxRuns).
  size_t MergeFanIn() const { return std::min<size_t>(4, MaxRuns()); }
  bool HasDirtyPages(bool make_room = false) const;
  // A make-room flush is due for the memtable (else for dirty pages only)
  // when it is over its share of the budget: it is then sealed whole into
  // a run, so runs are as large as the buffer allows.
  bool MemtableFull() const {
    return MemtablePages() > options_.write_buffer_pages;
  }
  size_t PageCount() const {
    return dir_.size() + run_pages_.size() + MergeOutputPages();
  }
  bool OverBudget() const {
    return BudgetPages() > options_.max_memory_pages ||
           (options_.write_buffer_pages != 0 &&
            MemtablePages() > options_.write_buffer_pages);
  }
  // Resident pages plus the memtable's share of the budget.
  size_t BudgetPages() const {
    return lru_.size() + MemtablePages() + merge_.unstored.size() +
           (merge_.open != nullptr ? 1 : 0);
  }
  size_t ResidentPages() const { return lru_.size(); }
  Status EvictPage(PageId id);
  size_t EvictAllClean();

  // engine_flush.cc
  std::vector<PageId> FlushFamilies() const;
  void CollectFlush(const std::vector<PageId>* families, FlushBatch* out);
  void CommitFlush(const FlushBatch& batch);

  // engine_inspect.cc
  EngineStats Stats() const;
  uint64_t Clock() const { return hlc_.last(); }
  // Moves the clock past a loaded page's entries (invariant 7), restamping
  // those above it while the clock recovers (clock_bound.h); returns how
  // many were restamped.
  size_t AdmitLoaded(Page* page);
  // Restarts a recovering clock once no run is left (clock_bound.h).
  void TryClockReset();
  Status SetUserData(std::string_view data) {
    if (data.size() > kMaxUserDataBytes) {
      return Status::InvalidArgument("user data longer than " +
                                     std::to_string(kMaxUserDataBytes) +
                                     " bytes");
    }
    if (data != user_data_) user_data_dirty_ = true;
    user_data_.assign(data);
    return Status::OK();
  }
  const std::string& UserData() const { return user_data_; }
  std::vector<PageInfo> ListPages(std::string_view from, size_t limit) const;
  Status CheckInvariants() const;

  const Options& options() const { return options_; }

 private:
  using Iterator = Directory::Iterator;

  Status ValidateKey(std::string_view key) const;
  Status ValidateOp(const WriteOp& op) const;
  // The resident page for `key`, or NotResident / Corruption.
  Status ResidentPageFor(std::string_view key, Iterator* it, PageId* missing);
  // The stored entry for `key` (tombstones included), touching its page.
  // *entry points into the page: valid until the next change.
  Status FindEntry(std::string_view key, const Entry** entry, PageId* missing);
  Version VersionOf(const Entry& e) const;
  // *out = VersionOf(e), reusing out->origin's storage.
  void SetVersion(const Entry& e, Version* out) const;
  void FillRecord(const Entry& e, Record* out) const;

  // Structure maintenance after a change to the page at `it`.
  void Changed(PageMeta* m);
  // appended: the write added a key past every key of the last page, where
  // ascending loads happen; the split then cuts just before it, leaving the
  // left page full instead of half full.
  void Rebalance(Iterator it, bool appended = false);
  void SplitOversized(Iterator it, bool appended, std::vector<PageId>* pieces);
  void ReviewMergesAround(PageId id);
  void TryMerge(PageId id);
  bool Fits(const PageMeta& a, const PageMeta& b) const;
  void MergeRightIntoLeft(Iterator left, Iterator right);

  // engine_runs.cc: the write path.
  bool WritePathOn() const { return options_.write_buffer_pages != 0; }
  // Recomputes buffering_pays_: at open and after every flush. O(1), but
  // O(pages) when the directory has grown or shrunk by an eighth since the
  // mean entry size was last taken.
  void ReviewBuffering();
  // Whether a write whose page is not resident is buffered (Options::
  // write_buffer_adaptive).
  bool buffering_pays_ = true;
  // Whether runs are merged with each other before a pass (StartMerge):
  // when that costs less page I/O than passes every MaxRuns runs.
  bool merges_pay_ = false;
  // A page of each source, the output page and one unstored output page fit
  // beside a full memtable (else a merge step's pages evict each other).
  bool MergesFit() const {
    return options_.max_memory_pages >=
           options_.write_buffer_pages + MergeFanIn() + 2;
  }
  double entry_bytes_ = 64.0;     // mean bytes of a base page's entry
  size_t entry_bytes_pages_ = 0;  // base pages when it was computed
  // Of the runs sealed whole lately (moving averages; 0: none since the
  // open): their entries, and their locality, the base pages they reached
  // (Sealing::reached) over what as many random keys would have reached
  // (1: random keys; small: clustered writes).
  double run_entries_ = 0;
  double run_locality_ = 0;
  size_t MemtablePages() const { return memtable_.Pages(options_.page_size); }
  uint64_t NewestRunSeq() const {
    return runs_.empty() ? 0 : runs_.rbegin()->first;
  }
  uint64_t NewestClosedRunSeq() const {
    for (auto r = runs_.rbegin(); r != runs_.rend(); ++r) {
      if (!r->second.log) return r->first;
    }
    return 0;
  }
  // A local put or delete whose page at `it` is not readable (not resident,
  // or pending): buffered when it can be (see WRITE_PATH.md), else r->status
  // is left NotResident. REQUIRES: op validated; r->status NotResident.
  void BufferWrite(const WriteOp& op, uint64_t wall_ms, Iterator it,
                   WriteResult* r);
  // Keeps `e` in `page` if its version is greater than the stored one (last
  // writer wins: idempotent and commutative). Returns whether it changed.
  bool MergeEntry(Page* page, Entry e);
  // After a base page at `it` became resident: applies its memtable entries,
  // names the run pages it must apply (pending), or completes it.
  void AfterBaseLoad(Iterator it);
  // The pages of runs newer than `after` whose range meets the page at `it`,
  // oldest run first.
  std::vector<PageId> RunPagesFor(Iterator it, uint64_t after) const;
  Status LoadRunPage(PageId id, std::string_view bytes);
  // Decodes stored page bytes, checked against the page's id and the
  // summary its directory record gave: Corruption otherwise.
  Status DecodeStored(PageId id, std::string_view bytes,
                      const PageSummary& want, std::unique_ptr<Page>* out);
  // A pending page at `it` whose last run page was applied.
  void FinishPending(Iterator it);
  // Drops from a pending page's list the run pages that do not reach its
  // range (after a split cut it); one left with none has applied every run.
  void TrimPending(Iterator it);
  // What a read or write of a page at `it` that is not readable waits for:
  // its id, or its first pending run page; Corruption when that failed.
  Status Unreadable(Iterator it, PageId* missing) const;
  // Flush: seals the memtable into a run (whole flushes), and the run pages
  // a batch deletes; their directory shape.
  void SealMemtable(FlushBatch* out);
  // A run page's index entry (*rp: lower key, id, summary, filter) and its
  // bytes and directory record (*out) for a page of the run `run_seq`.
  void EncodeRunPage(const Page& page, uint64_t run_seq, RunPage* rp,
                     FlushBatch::PageBytes* out) const;
  void DropAppliedRuns(const std::vector<PageId>* families, FlushBatch* out);
  void CommitRuns();
  // XOR of DirectoryEntryDigest over the run pages the store holds once the
  // batch being collected is written, and how many there are.
  DirectoryShape RunShape() const;

  // Residency.
  void MakeResident(PageMeta* m, std::unique_ptr<Page> page);
  void Evict(PageMeta* m);
  // Evicts the oldest clean pages until within budget, sparing `keep`.
  void EnforceBudget(PageId keep);

  static PageSummary SummaryOf(const Page& page);

  Options options_;
  Hlc hlc_;
  ClockBound clock_bound_;
  OriginTable origins_;
  uint32_t local_origin_ = 0;
  Directory dir_;
  LruList lru_;
  PageId next_page_id_ = 1;
  uint64_t next_change_seq_ = 1;
  std::set<PageId> merge_candidates_;
  // The pages whose bytes failed to load (PageMeta::corrupt).
  std::set<PageId> corrupt_;
  // A page merged away that no committed flush has deleted yet. Its lower
  // bound places it in a flush family (engine_flush.cc).
  struct DeletedPage {
    PageId id = kNoPage;
    std::string lower_key;
    bool persisted = false;  // PageMeta::persisted, kept up to the commit
  };
  // Pages merged away since a committed flush deleted them, oldest first.
  std::vector<DeletedPage> deleted_pages_;
  // The write path (WRITE_PATH.md).
  // The newest clock among the entries of a run a base page with
  // applied_seq `applied` has applied already (0: none of them): entries at
  // or below it are not applied again (a purged tombstone or a forgotten
  // key would come back). REQUIRES: a run of runs_ with key > applied.
  uint64_t AppliedFloor(uint64_t run_seq, uint64_t applied) const;
  // Of every run page of runs_ (RunShape: a flush does not hash them all).
  DirectoryShape runs_shape_;
  size_t log_runs_ = 0;
  size_t log_run_pages_ = 0;
  // Adds every log run to the batch's deleted pages and sealing_.dropping.
  void DropLogRuns(FlushBatch* out);
  // The runs' counts the batch being collected stores (engine state).
  std::vector<RunCount> RunCounts(bool whole) const;
  // A base page applied `puts` live entries of the run `seq`.
  void NoteApplied(uint64_t seq, uint64_t puts);
  // Fills in upper bounds, seq and the index of a run made of `pages`.
  void IndexRun(uint64_t seq, std::vector<RunPage> pages);
  // Makes the resident base page at `it` pending on the run pages it has
  // still to apply (from its applied_seq on), applying the resident ones
  // now; `changed`: it changed before (memtable entries). Then finishes it,
  // or splits or merges it as it grew or shrank.
  void ApplyRuns(Iterator it, bool changed);

  // engine_merge.cc: tiered merging of runs (WRITE_PATH.md). A merge
  // streams k consecutive closed runs into one, one page of each resident
  // at a time; its output pages go out with whole flushes, listed in the
  // engine state as unfinished until the flush that stores its last page
  // drops its sources and lists it as merged.
  // The merge under way (engine_merge.cc; run_state.h).
  Merging merge_;
  uint64_t run_merges_ = 0;  // merges completed (Stats)
  // Output pages of merges given up, stored: deleted by the next whole
  // flush, listed as unfinished until then.
  std::vector<Abandoned> abandoned_;
  // Starts a merge when one is due and cheaper than a pass (the runs hold
  // fewer pages than the base): returns whether it did.
  bool StartMerge();
  // Merges what the resident source pages allow; names in *wanted the
  // source pages the next keys need (all at once: they must be resident
  // together), or none when the merge is finished or its unstored output
  // full (a flush is due).
  void MergeStep(std::vector<PageId>* wanted);
  void EmitMergePage();
  // Gives up the merge under way (its sources are needed as they are).
  void AbandonMerge();
  // A flush is needed for the merge to go on or complete.
  bool MergeNeedsFlush() const {
    return merge_.seq != 0 && (!merge_.unstored.empty() || merge_.finished);
  }
  // Run pages of merges not indexed as runs: output and abandoned pages.
  size_t MergeOutputPages() const;
  // CollectFlush: the merge's unstored output (whole flushes), its
  // completion when finished, the abandoned pages' deletion. CommitFlush
  // (from CommitRuns, once the sources are dropped): what the batch stored.
  void CollectMerge(bool whole, FlushBatch* out);
  void CommitMerge();
  // The merge output and abandoned pages the store holds once the batch
  // being collected is written (RunShape).
  void AddMergeShape(DirectoryShape* shape) const;
  // The engine state's runs: `counts` (RunCounts) gets the merges', both
  // are sorted by run_seq.
  void AddMergeRecords(std::vector<RunCount>* counts,
                       std::vector<MergedRun>* merged) const;
  // The merge the batch being collected carries output of.
  MergeCollect merge_collect_;
  // The newest version of `key` in the resident page `m` or the run pages it
  // has still to apply (filter first; a run page that may hold the key must
  // be resident: NotResident naming it otherwise). nullptr: none.
  Status CurrentEntry(const PageMeta& m, std::string_view key,
                      const Entry** out, PageId* missing);
  // For a key whose page m is not resident: its newest version when a run
  // that m has not applied holds one newer than all of m (OK, *out set),
  // NotResident naming the run page to load to know, or NotFound: the page
  // itself is needed.
  Status FindInRuns(const PageMeta& m, std::string_view key, const Entry** out,
                    PageId* missing);
  WriteBuffer memtable_;
  std::map<uint64_t, Run> runs_;  // by seq
  std::unordered_map<PageId, RunPage*> run_pages_;
  uint64_t next_run_seq_ = 1;
  // The run the batch being collected seals (seq 0: none), whether it is a
  // log run, the versions it took from the memtable, and the runs the batch
  // drops.
  Sealing sealing_;
  // The runs' counts in the batch being collected (stored at commit).
  std::vector<RunCount> collected_counts_;
  // The compaction pass under way: every base page is to store an
  // applied_seq >= compact_target_ (0: no pass); pages before compact_from_
  // do.
  uint64_t compact_target_ = 0;
  std::string compact_from_;
  // Base pages of the batch being collected: the applied_seq their records
  // carry.
  std::unordered_map<PageId, uint64_t> collected_applied_;
  // SetUserData's; dirty until a flush that carried it is committed.
  std::string user_data_;
  std::string flushed_user_data_;
  bool user_data_dirty_ = false;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_ENGINE_IMPL_H_
