#include "origin_table.h"

#include "hash.h"

namespace paging_storage {

uint32_t OriginTable::Intern(std::string_view origin) {
  auto it = index_.find(std::string(origin));
  if (it != index_.end()) return it->second;
  auto index = static_cast<uint32_t>(names_.size());
  names_.emplace_back(origin);
  hashes_.push_back(Hash64(origin));
  index_.emplace(names_.back(), index);
  return index;
}

}  // namespace paging_storage
