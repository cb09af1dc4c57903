// FilePageStore: a PageStore whose page bytes live in a temporary file, so
// the benchmark's heap measurements count only the engine (plus a small
// id -> offset index). Appends only; erased pages leave dead space.
#ifndef PAGING_STORAGE_BENCH_FILE_PAGE_STORE_H_
#define PAGING_STORAGE_BENCH_FILE_PAGE_STORE_H_

#include <cstdio>
#include <unordered_map>
#include <utility>

#include "paged_store.h"

namespace paging_storage {
namespace bench {

class FilePageStore : public testing::PageStore {
 public:
  FilePageStore();
  ~FilePageStore() override;
  bool Read(PageId id, std::string* bytes) override;
  void Write(PageId id, std::string_view bytes) override;
  void Erase(PageId id) override { index_.erase(id); }
  uint64_t file_bytes() const { return end_; }

 private:
  std::FILE* file_;
  uint64_t end_ = 0;
  std::unordered_map<PageId, std::pair<uint64_t, uint32_t>> index_;
};

}  // namespace bench
}  // namespace paging_storage

#endif  // PAGING_STORAGE_BENCH_FILE_PAGE_STORE_H_
