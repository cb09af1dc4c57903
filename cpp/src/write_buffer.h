// WriteBuffer: the memtable of the log-structured write path
// (WRITE_PATH.md): local writes whose base page was not resident when they
// were made, in key order, until a load applies them to their page or a
// flush seals them into a run.
//
// Invariants:
//   1. bytes() == sum of Entry::Bytes() over the entries;
//   2. at most one entry per key: a later write replaces the earlier one
//      (local writes carry the clock's newest hlc, so the later one wins);
//   3. unlogged() names buffered keys only: those whose entry is not yet in
//      a stored log run (the memtable's write-ahead log, WRITE_PATH.md).
// Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_WRITE_BUFFER_H_
#define PAGING_STORAGE_WRITE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "entry.h"
#include "key_compare.h"

namespace paging_storage {

class WriteBuffer {
 public:
  using Map = std::map<std::string, Entry, KeyLess>;

  // The buffered entry for `key` (a tombstone too), or nullptr. Valid until
  // the next change.
  const Entry* Find(std::string_view key) const;
  // Buffers `entry`, replacing the entry of the same key; unlogged.
  void Put(Entry entry);
  // Removes the entries with lower <= key < upper (no upper bound when
  // `upper` is null) and appends them to *out in key order.
  void Take(std::string_view lower, const std::string* upper,
            std::vector<Entry>* out);
  // Removes the entry of `key` if it is still the one of version
  // (hlc, origin): a later write since is kept. Returns whether it did.
  bool RemoveIfUnchanged(std::string_view key, uint64_t hlc, uint32_t origin);
  // The entry of `key`, if still the one of version (hlc, origin), is in a
  // stored log run: no longer unlogged.
  void MarkLogged(std::string_view key, uint64_t hlc, uint32_t origin);
  // Keys whose entries no stored log run holds, in key order.
  const std::set<std::string, KeyLess>& unlogged() const { return unlogged_; }

  const Map& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Accounted bytes (Entry::Bytes), the buffer's share of the memory budget.
  size_t bytes() const { return bytes_; }
  // The pages of `page_size` bytes the buffer counts as in the page budget:
  // ceil(bytes / page_size); 0 when empty.
  size_t Pages(size_t page_size) const {
    return (bytes_ + page_size - 1) / page_size;
  }

 private:
  Map entries_;
  std::set<std::string, KeyLess> unlogged_;
  size_t bytes_ = 0;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WRITE_BUFFER_H_
