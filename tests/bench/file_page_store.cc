#include "file_page_store.h"

#include <cstdlib>

namespace paging_storage {
namespace bench {

FilePageStore::FilePageStore() : file_(std::tmpfile()) {
  if (file_ == nullptr) std::abort();  // benchmark-only: no temp dir, no run
}

FilePageStore::~FilePageStore() { std::fclose(file_); }

bool FilePageStore::Read(PageId id, std::string* bytes) {
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  bytes->resize(it->second.second);
  std::fseek(file_, static_cast<long>(it->second.first), SEEK_SET);
  return std::fread(bytes->data(), 1, bytes->size(), file_) == bytes->size();
}

void FilePageStore::Write(PageId id, std::string_view bytes) {
  std::fseek(file_, static_cast<long>(end_), SEEK_SET);
  std::fwrite(bytes.data(), 1, bytes.size(), file_);
  index_[id] = {end_, static_cast<uint32_t>(bytes.size())};
  end_ += bytes.size();
}

}  // namespace bench
}  // namespace paging_storage
