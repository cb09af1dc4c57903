// KeyFilter: a Bloom filter over a run page's keys, so that a point read
// loads a run page only when the page may hold its key.
//
// 10 bits per key and 7 probes (false positives ~1%); the probes come from
// one 64-bit hash by double hashing, h1 + i*h2 (Kirsch and Mitzenmacher,
// "Less hashing, same performance", 2006; as LevelDB's bloom.cc). The bytes
// are stored in the run page's directory record, so the format is fixed:
// bits = 8 * bytes, at least 64, hash = Hash64(key, 0).
#ifndef PAGING_STORAGE_KEY_FILTER_H_
#define PAGING_STORAGE_KEY_FILTER_H_

#include <string>
#include <string_view>
#include <vector>

namespace paging_storage {

// The filter bytes for `keys`.
std::string BuildKeyFilter(const std::vector<std::string_view>& keys);
// False only when `key` is certainly not among the keys the filter was built
// from. An empty filter (none stored) matches every key.
bool KeyFilterMayMatch(std::string_view filter, std::string_view key);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_KEY_FILTER_H_
