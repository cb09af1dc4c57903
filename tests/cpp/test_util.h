// Helpers shared by the engine tests.
#ifndef PAGING_STORAGE_TESTS_TEST_UTIL_H_
#define PAGING_STORAGE_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "paged_store.h"
#include "paging_storage/engine.h"

namespace paging_storage {
namespace testing {

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    ::paging_storage::Status _s = (expr);                   \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                     \
  do {                                                      \
    ::paging_storage::Status _s = (expr);                   \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)

// Small pages so a few entries exercise splits and merges:
// page 256 bytes, split above 204, merge below 51.
inline Options SmallPages(size_t max_memory_pages = 1000) {
  Options o;
  o.peer_id = "me";
  o.page_size = 256;
  o.max_memory_pages = max_memory_pages;
  EXPECT_TRUE(o.Normalize().ok());
  return o;
}

inline std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

}  // namespace testing
}  // namespace paging_storage

#endif  // PAGING_STORAGE_TESTS_TEST_UTIL_H_
