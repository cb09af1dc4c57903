#include "write_buffer.h"

#include <utility>

namespace paging_storage {

const Entry* WriteBuffer::Find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void WriteBuffer::Put(Entry entry) {
  unlogged_.insert(entry.key);
  auto it = entries_.find(std::string_view(entry.key));
  if (it != entries_.end()) {
    bytes_ -= it->second.Bytes();
    bytes_ += entry.Bytes();
    it->second = std::move(entry);
    return;
  }
  bytes_ += entry.Bytes();
  std::string key = entry.key;
  entries_.emplace(std::move(key), std::move(entry));
}

void WriteBuffer::Take(std::string_view lower, const std::string* upper,
                       std::vector<Entry>* out) {
  auto first = entries_.lower_bound(lower);
  auto last = upper == nullptr ? entries_.end()
                               : entries_.lower_bound(std::string_view(*upper));
  for (auto it = first; it != last; ++it) {
    bytes_ -= it->second.Bytes();
    out->push_back(std::move(it->second));
  }
  entries_.erase(first, last);
  unlogged_.erase(unlogged_.lower_bound(lower),
                  upper == nullptr
                      ? unlogged_.end()
                      : unlogged_.lower_bound(std::string_view(*upper)));
}

bool WriteBuffer::RemoveIfUnchanged(std::string_view key, uint64_t hlc,
                                    uint32_t origin) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.hlc != hlc ||
      it->second.origin != origin) {
    return false;
  }
  bytes_ -= it->second.Bytes();
  entries_.erase(it);
  auto u = unlogged_.find(key);
  if (u != unlogged_.end()) unlogged_.erase(u);
  return true;
}

void WriteBuffer::MarkLogged(std::string_view key, uint64_t hlc,
                             uint32_t origin) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.hlc != hlc ||
      it->second.origin != origin) {
    return;
  }
  auto u = unlogged_.find(key);
  if (u != unlogged_.end()) unlogged_.erase(u);
}

}  // namespace paging_storage
