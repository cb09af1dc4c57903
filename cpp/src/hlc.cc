#include "paging_storage/hlc.h"

#include <algorithm>

namespace paging_storage {

uint64_t Hlc::Pack(uint64_t wall_ms, uint64_t logical) {
  return (std::min(wall_ms, kMaxWallMs) << kLogicalBits) |
         (logical & ((uint64_t{1} << kLogicalBits) - 1));
}

uint64_t Hlc::Now(uint64_t wall_ms) {
  // Past the wall clock, the logical counter carries into the millisecond
  // field, which keeps timestamps strictly increasing.
  uint64_t next = last_ == UINT64_MAX ? last_ : last_ + 1;
  last_ = std::max(Pack(wall_ms, 0), next);
  return last_;
}

void Hlc::Update(uint64_t remote) { last_ = std::max(last_, remote); }

}  // namespace paging_storage
