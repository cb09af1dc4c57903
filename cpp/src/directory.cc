#include "directory.h"

#include <utility>

namespace paging_storage {

Directory::Iterator Directory::Locate(std::string_view key) {
  auto it = map_.upper_bound(key);
  return --it;  // the first lower bound is "", which is <= every key
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
  digest_ ^= DirectoryEntryDigest(it->first, id);
  return it;
}

void Directory::Remove(Iterator it) {
  by_id_.erase(it->second->id);
  digest_ ^= DirectoryEntryDigest(it->first, it->second->id);
  map_.erase(it);
}

}  // namespace paging_storage
