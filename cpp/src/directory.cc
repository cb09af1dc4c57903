#include "directory.h"

#include <utility>

namespace paging_storage {

Directory::Iterator Directory::Locate(std::string_view key) {
  if (index_valid_) return LocateInIndex(key);
  if (++lookups_since_change_ * 8 >= map_.size()) {
    RebuildIndex();
    return LocateInIndex(key);
  }
  auto it = map_.upper_bound(key);
  return --it;  // the first lower bound is "", which is <= every key
}

uint64_t Directory::Prefix(std::string_view key) {
  uint64_t p = 0;
  size_t n = key.size() < 8 ? key.size() : 8;
  for (size_t i = 0; i < n; ++i) {
    p |= uint64_t{static_cast<unsigned char>(key[i])} << (56 - 8 * i);
  }
  return p;
}

void Directory::RebuildIndex() {
  index_.clear();
  index_.reserve(map_.size());
  for (Iterator it = map_.begin(); it != map_.end(); ++it) {
    index_.push_back(IndexEntry{Prefix(it->first), &it->first, it});
  }
  index_valid_ = true;
}

// Zero padding keeps prefix order consistent with key order: prefixes that
// differ order their keys the same way; equal prefixes need the full keys.
Directory::Iterator Directory::LocateInIndex(std::string_view key) const {
  uint64_t prefix = Prefix(key);
  size_t lo = 0, hi = index_.size();  // first entry with key > `key`
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const IndexEntry& e = index_[mid];
    bool greater =
        e.prefix != prefix ? e.prefix > prefix : CompareKeys(*e.key, key) > 0;
    if (greater) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return index_[lo - 1].page;  // index_[0] is "", which is <= every key
}

Directory::ConstIterator Directory::Locate(std::string_view key) const {
  auto it = map_.upper_bound(key);
  return --it;
}

Directory::Iterator Directory::Find(PageId id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? map_.end() : it->second;
}

Directory::ConstIterator Directory::Find(PageId id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? map_.end() : ConstIterator(it->second);
}

Directory::Iterator Directory::Add(std::string lower_key, PageId id) {
  auto [it, inserted] =
      map_.try_emplace(std::move(lower_key), std::make_unique<PageMeta>());
  it->second->id = id;
  it->second->lower_key = &it->first;
  by_id_.emplace(id, it);
  index_valid_ = false;
  lookups_since_change_ = 0;
  digest_ ^= DirectoryEntryDigest(it->first, id);
  return it;
}

void Directory::Remove(Iterator it) {
  by_id_.erase(it->second->id);
  index_valid_ = false;
  lookups_since_change_ = 0;
  digest_ ^= DirectoryEntryDigest(it->first, it->second->id);
  map_.erase(it);
}

}  // namespace paging_storage
