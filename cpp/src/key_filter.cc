#include "key_filter.h"

#include <cstdint>

#include "hash.h"

namespace paging_storage {
namespace {

constexpr size_t kBitsPerKey = 10;
constexpr int kProbes = 7;

}  // namespace

std::string BuildKeyFilter(const std::vector<std::string_view>& keys) {
  size_t bits = keys.size() * kBitsPerKey;
  if (bits < 64) bits = 64;
  size_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  std::string filter(bytes, '\0');
  for (std::string_view key : keys) {
    uint64_t h = Hash64(key);
    uint32_t h1 = static_cast<uint32_t>(h);
    uint32_t h2 = static_cast<uint32_t>(h >> 32);
    for (int i = 0; i < kProbes; ++i) {
      size_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
    }
  }
  return filter;
}

bool KeyFilterMayMatch(std::string_view filter, std::string_view key) {
  if (filter.empty()) return true;
  size_t bits = filter.size() * 8;
  uint64_t h = Hash64(key);
  uint32_t h1 = static_cast<uint32_t>(h);
  uint32_t h2 = static_cast<uint32_t>(h >> 32);
  for (int i = 0; i < kProbes; ++i) {
    size_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
    if ((static_cast<unsigned char>(filter[bit / 8]) & (1 << (bit % 8))) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace paging_storage
