#include "hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace paging_storage {

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  return XXH64(bytes.data(), bytes.size(), seed);
}

uint64_t EntryDigest(std::string_view key, uint64_t hlc, uint64_t origin_hash,
                     bool tombstone) {
  // Multiplying by an odd constant is a bijection on 64 bits, so for one
  // origin distinct clocks give distinct seeds.
  uint64_t seed = origin_hash ^ (hlc * 0x9E3779B97F4A7C15ull) ^
                  (tombstone ? 0xD6E8FEB86659FD93ull : 0);
  return XXH64(key.data(), key.size(), seed);
}

}  // namespace paging_storage
