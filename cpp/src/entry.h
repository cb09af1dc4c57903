// Entry: one key's stored state inside a page.
//
// The byte accounting that drives splits and merges is Entry::Bytes(): key +
// value + kEntryOverhead, where the overhead bounds the codec's per-entry
// framing (flags, two lengths, hlc, origin index). A page's bytes are
// kPageOverhead plus the sum of its entries' bytes.
#ifndef PAGING_STORAGE_ENTRY_H_
#define PAGING_STORAGE_ENTRY_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace paging_storage {

constexpr size_t kEntryOverhead = 24;
constexpr size_t kPageOverhead = 32;

struct Entry {
  std::string key;
  std::string value;  // empty when tombstone
  uint64_t hlc = 0;
  uint32_t origin = 0;  // OriginTable index
  bool tombstone = false;

  size_t Bytes() const { return key.size() + value.size() + kEntryOverhead; }
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_ENTRY_H_
