// OriginTable: interns peer ids so each entry stores a 32-bit index instead
// of a copy of its writer's id.
//
// Indices are local to one engine instance (the page codec writes the ids
// themselves, never indices). Interned ids are never removed, so an index
// stays valid for the engine's life. Each id's Hash64 is kept for digests.
//
// Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_ORIGIN_TABLE_H_
#define PAGING_STORAGE_ORIGIN_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace paging_storage {

class OriginTable {
 public:
  uint32_t Intern(std::string_view origin);
  // REQUIRES: index was returned by Intern on this table.
  const std::string& Name(uint32_t index) const { return names_[index]; }
  uint64_t Hash(uint32_t index) const { return hashes_[index]; }
  size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::vector<uint64_t> hashes_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_ORIGIN_TABLE_H_
