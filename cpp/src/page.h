// Page: a sorted run of entries with byte accounting and a digest.
//
// Invariants (checked by Engine::CheckInvariants):
//   1. keys strictly increase along entries_;
//   2. bytes_ == kPageOverhead + sum of entries_[i].Bytes();
//   3. live_count_ == number of entries that are not tombstones;
//   4. digest_ == XOR of EntryDigest over entries_;
//   5. max_hlc_ == the greatest entry hlc (0 when empty).
// The key range a page may hold is the directory's business, not the page's.
//
// A page refers to its engine's OriginTable (to digest origin ids), which
// must outlive it. Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_PAGE_H_
#define PAGING_STORAGE_PAGE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "entry.h"
#include "origin_table.h"
#include "paging_storage/status.h"
#include "paging_storage/types.h"

namespace paging_storage {

class Page {
 public:
  Page(PageId id, const OriginTable* origins) : id_(id), origins_(origins) {}

  PageId id() const { return id_; }
  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  size_t live_count() const { return live_count_; }
  uint64_t digest() const { return digest_; }
  // The greatest hlc among the entries (0 when empty).
  uint64_t max_hlc() const { return max_hlc_; }

  // Index of the first entry whose key is >= key.
  size_t LowerBound(std::string_view key) const;
  // The entry for key, or nullptr.
  const Entry* Find(std::string_view key) const;

  // Inserts `entry`, or replaces the entry with the same key.
  void Upsert(Entry entry);

  // Appends an entry. REQUIRES: entry.key is greater than every key here.
  void Append(Entry entry);

  // The index at which to cut the page into two with bytes as even as
  // possible. REQUIRES: size() >= 2. Result in [1, size()).
  size_t SplitPoint() const;
  // Moves entries [from, size()) to the end of `right`.
  // REQUIRES: right is empty; 0 < from < size().
  void MoveTailTo(size_t from, Page* right);
  // Moves every entry of `right` to the end of this page.
  // REQUIRES: right's keys are all greater than this page's keys.
  void AbsorbRight(Page* right);
  // Removes the entry for key; false if there is none.
  bool Erase(std::string_view key);
  // Removes the tombstones whose hlc is below `horizon`; returns how many.
  size_t PurgeTombstones(uint64_t horizon);
  // Gives every entry stamped after `ceiling` the version hlc `to` (its
  // origin kept); returns how many. REQUIRES: to <= ceiling.
  size_t RestampAfter(uint64_t ceiling, uint64_t to);
  // How many entries are tombstones.
  size_t tombstones() const { return entries_.size() - live_count_; }

  // Recomputes the counters from the entries and compares them with the
  // incrementally maintained ones; also checks key order.
  Status Check() const;

 private:
  uint64_t DigestOf(const Entry& e) const;
  void RecomputeMaxHlc();
  void Account(const Entry& e, int sign);

  PageId id_;
  const OriginTable* origins_;
  std::vector<Entry> entries_;
  size_t bytes_ = kPageOverhead;
  size_t live_count_ = 0;
  uint64_t digest_ = 0;
  uint64_t max_hlc_ = 0;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_PAGE_H_
