// xxHash64 over bytes, and the per-entry digest that page and range digests
// are built from.
//
// An entry digest covers what identifies a write (key, version, tombstone),
// not the value: equal versions carry equal values. Page digests are the XOR
// of their entries' digests, so they update in O(1) per change, and two peers
// holding the same entries in a range compute the same digest however their
// pages are cut. The function is part of the sync protocol: never change it
// without a protocol version bump.
#ifndef PAGING_STORAGE_HASH_H_
#define PAGING_STORAGE_HASH_H_

#include <cstdint>
#include <string_view>

namespace paging_storage {

uint64_t Hash64(std::string_view bytes, uint64_t seed = 0);

// origin_hash = Hash64(origin peer id), cached by OriginTable.
uint64_t EntryDigest(std::string_view key, uint64_t hlc, uint64_t origin_hash,
                     bool tombstone);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_HASH_H_
