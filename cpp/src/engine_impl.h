// EngineImpl: the state and algorithms behind Engine (engine.h documents the
// contract). Split over files by concern:
//   engine_write.cc       writes, splits, merges
//   engine_read.cc        point reads and range scans
//   engine_paging.cc      load, eviction, open/create
//   engine_flush.cc       flushes, whole or by flush family
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
//   7. hlc_.last() >= every stored entry's hlc.
//
// Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_ENGINE_IMPL_H_
#define PAGING_STORAGE_ENGINE_IMPL_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "directory.h"
#include "lru_list.h"
#include "manifest_codec.h"
#include "origin_table.h"
#include "paging_storage/hlc.h"
#include "paging_storage/options.h"
#include "paging_storage/types.h"

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
  bool HasDirtyPages() const;
  size_t PageCount() const { return dir_.size(); }
  bool OverBudget() const { return lru_.size() > options_.max_memory_pages; }
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

  // Residency.
  void MakeResident(PageMeta* m, std::unique_ptr<Page> page);
  void Evict(PageMeta* m);
  // Evicts the oldest clean pages until within budget, sparing `keep`.
  void EnforceBudget(PageId keep);

  static PageSummary SummaryOf(const Page& page);

  Options options_;
  Hlc hlc_;
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
  // SetUserData's; dirty until a flush that carried it is committed.
  std::string user_data_;
  std::string flushed_user_data_;
  bool user_data_dirty_ = false;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_ENGINE_IMPL_H_
