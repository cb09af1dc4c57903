#include "hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>


namespace paging_storage {

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  return XXH64(bytes.data(), bytes.size(), seed);
}

uint64_t EntryDigest(std::string_view key, uint64_t hlc,
                     std::string_view origin, bool tombstone) {
  XXH64_state_t state;
  XXH64_reset(&state, 0);
  // The key is length-prefixed so (key, origin) pairs cannot alias.
  char head[8 + 8 + 1];
  uint64_t key_len = key.size();
  for (int i = 0; i < 8; ++i) head[i] = static_cast<char>(key_len >> (8 * i));
  XXH64_update(&state, head, 8);
  XXH64_update(&state, key.data(), key.size());
  for (int i = 0; i < 8; ++i) head[i] = static_cast<char>(hlc >> (8 * i));
  head[8] = tombstone ? 1 : 0;
  XXH64_update(&state, head, 9);
  XXH64_update(&state, origin.data(), origin.size());
  return XXH64_digest(&state);
}

}  // namespace paging_storage
