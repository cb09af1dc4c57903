// Directory: the ordered map from each page's lower bound key to the page's
// metadata. It always stays in memory; flushes persist it one directory
// record per page (manifest_codec.h).
//
// Invariants (checked by Engine::CheckInvariants):
//   1. Non-empty, and the first lower bound is "": every key has a page.
//   2. The page for key k is the one with the greatest lower bound <= k.
//   3. A page's lower bound never changes for its lifetime: a split inserts a
//      new page to the right, a merge always keeps the left page. So map
//      nodes, and pointers to PageMeta, stay valid until the page is removed.
//   4. by_id_ indexes exactly the pages of map_.
//   5. When index_valid_, index_ holds every page of map_ in key order.
//
// Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_DIRECTORY_H_
#define PAGING_STORAGE_DIRECTORY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "key_compare.h"
#include "manifest_codec.h"
#include "page.h"
#include "paging_storage/types.h"

namespace paging_storage {

struct PageMeta {
  PageId id = kNoPage;
  const std::string* lower_key = nullptr;  // the directory's key (invariant 3)
  // Authoritative when the page is not resident; equal to the page's own
  // counters when it is.
  PageSummary summary;
  std::unique_ptr<Page> page;  // null when not resident
  bool dirty = false;          // REQUIRES page != null when true
  // The caller's store holds a version of this page under this id and lower
  // bound: a committed flush included it (or the manifest it was opened
  // from named it). A page never persisted is dirty (it cannot be evicted).
  bool persisted = false;
  bool corrupt = false;  // its bytes failed to load; reads fail
  // Corrupt, and the next access asks for its bytes again (NotResident)
  // instead of failing: RetryCorruptPages sets it, LoadPage clears it.
  bool retry_load = false;
  uint64_t change_seq = 0;  // bumped on every change to the page
  // The write path's runs (WRITE_PATH.md): those with seq <= applied_seq are
  // applied to this page; stored_applied_seq is the value its stored
  // directory record holds (0 for a page never stored).
  uint64_t applied_seq = 0;
  uint64_t stored_applied_seq = 0;
  // While resident: the run pages still to apply before the page may be
  // read, in load order, and the applied_seq it has once they are. A page
  // with pending runs is "pending": resident, but not readable, not
  // mergeable and not split.
  std::vector<PageId> pending_runs;
  uint64_t applied_target = 0;
  bool pending() const { return !pending_runs.empty(); }
  // LRU links, valid while resident (see lru_list.h).
  PageMeta* lru_prev = nullptr;
  PageMeta* lru_next = nullptr;
};

class Directory {
 public:
  // PageMeta lives outside the tree nodes so that lookups walk small nodes.
  using Map = std::map<std::string, std::unique_ptr<PageMeta>, KeyLess>;
  using Iterator = Map::iterator;
  using ConstIterator = Map::const_iterator;

  // The page whose range holds `key`. REQUIRES: !empty().
  // Uses the lookup index when it is valid, else the tree (see index_).
  Iterator Locate(std::string_view key);
  ConstIterator Locate(std::string_view key) const;
  // end() when no page has this id.
  Iterator Find(PageId id);
  ConstIterator Find(PageId id) const;
  // REQUIRES: no page has this lower bound or id.
  Iterator Add(std::string lower_key, PageId id);
  void Remove(Iterator it);

  Iterator begin() { return map_.begin(); }
  Iterator end() { return map_.end(); }
  ConstIterator begin() const { return map_.begin(); }
  ConstIterator end() const { return map_.end(); }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  size_t indexed_ids() const { return by_id_.size(); }
  // XOR of DirectoryEntryDigest over the pages (manifest_codec.h).
  uint64_t digest() const { return digest_; }

 private:
  // A read-optimized copy of the tree's order: a contiguous sorted array,
  // binary-searched on each key's first 8 bytes (big-endian, zero-padded;
  // the full keys are compared only when those tie). Under Emscripten a walk
  // down the tree costs about twice what it does natively; this array keeps
  // lookups in a few cache lines. Add and Remove make it stale; Locate then
  // uses the tree and rebuilds the array once enough lookups have happened
  // since the last change to pay for it (one rebuild per size()/8 lookups),
  // so write-heavy phases never pay more than ~8 entries per lookup.
  struct IndexEntry {
    uint64_t prefix;
    const std::string* key;
    Iterator page;
  };
  static uint64_t Prefix(std::string_view key);
  void RebuildIndex();
  Iterator LocateInIndex(std::string_view key) const;

  Map map_;
  std::vector<IndexEntry> index_;
  bool index_valid_ = false;
  size_t lookups_since_change_ = 0;
  uint64_t digest_ = 0;
  std::unordered_map<PageId, Iterator> by_id_;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_DIRECTORY_H_
