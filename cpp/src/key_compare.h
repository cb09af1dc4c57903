// Key order: bytewise, unsigned (UTF-8 keys thus sort by code point), the
// same order as std::string's operator<. Compares eight bytes at a time:
// under Emscripten memcmp is a byte loop, and lookups are mostly compares.
#ifndef PAGING_STORAGE_KEY_COMPARE_H_
#define PAGING_STORAGE_KEY_COMPARE_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace paging_storage {

// <0, 0, >0 like memcmp over the common length, then shorter first.
inline int CompareKeys(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  const char* pa = a.data();
  const char* pb = b.data();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, pa + i, 8);
    std::memcpy(&y, pb + i, 8);
    if (x != y) {
      // Little-endian loads: swap so the first byte is most significant.
      x = __builtin_bswap64(x);
      y = __builtin_bswap64(y);
      return x < y ? -1 : 1;
    }
  }
  for (; i < n; ++i) {
    auto ca = static_cast<unsigned char>(pa[i]);
    auto cb = static_cast<unsigned char>(pb[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// A transparent comparator for ordered containers of keys.
struct KeyLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return CompareKeys(a, b) < 0;
  }
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_KEY_COMPARE_H_
