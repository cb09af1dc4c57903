#include "paging_storage/options.h"

namespace paging_storage {

Status Options::Normalize() {
  constexpr size_t kMinPageSize = 256;
  constexpr size_t kMaxPageSize = size_t{16} << 20;
  if (peer_id.empty() || peer_id.size() > 255) {
    return Status::InvalidArgument("peer_id must be 1 to 255 bytes");
  }
  if (page_size < kMinPageSize || page_size > kMaxPageSize) {
    return Status::InvalidArgument("page_size must be 256 bytes to 16 MiB");
  }
  if (split_threshold == 0) split_threshold = page_size * 4 / 5;
  if (merge_threshold == 0) merge_threshold = page_size / 5;
  if (split_threshold > page_size) {
    return Status::InvalidArgument("split_threshold exceeds page_size");
  }
  if (merge_threshold >= split_threshold) {
    return Status::InvalidArgument(
        "merge_threshold must be below split_threshold");
  }
  if (max_memory_pages == 0) {
    return Status::InvalidArgument("max_memory_pages must be at least 1");
  }
  // Beside a full buffer, a read or a compaction pass keeps a page and a
  // run page resident.
  if (write_buffer_pages != 0 && (write_buffer_pages * 2 > max_memory_pages ||
                                  write_buffer_pages + 2 > max_memory_pages)) {
    return Status::InvalidArgument(
        "write_buffer_pages must be at most half of max_memory_pages, and "
        "leave 2 pages");
  }
  if (max_key_bytes == 0 || max_value_bytes == 0) {
    return Status::InvalidArgument("key and value limits must be positive");
  }
  return Status::OK();
}

}  // namespace paging_storage
