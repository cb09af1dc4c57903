// Helpers shared by the engine tests.
#ifndef PAGING_STORAGE_TESTS_TEST_UTIL_H_
#define PAGING_STORAGE_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <random>
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

// `input` with 1-4 random edits, for decoder fuzzing: a bit flipped, a byte
// replaced (often by 0x00, 0x7f, 0x80 or 0xff), a truncation, random bytes
// inserted, a run deleted or duplicated, or a random varint (a length or a
// count, up to 2^64 - 1) written in place of a byte.
inline std::string MutateBytes(const std::string& input, std::mt19937_64& rng) {
  std::string s = input;
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 7) {
      case 0:  // flip a bit
        if (!s.empty()) s[pos] = static_cast<char>(s[pos] ^ (1 << (rng() % 8)));
        break;
      case 1:  // replace a byte, often with an extreme value
        if (!s.empty()) {
          const char extremes[] = {'\0', '\x7f', '\x80', '\xff'};
          s[pos] = rng() % 2 ? extremes[rng() % 4] : static_cast<char>(rng());
        }
        break;
      case 2:  // truncate
        s.resize(pos);
        break;
      case 3:  // insert random bytes
        s.insert(pos, std::string(1 + rng() % 8, static_cast<char>(rng())));
        break;
      case 4:  // delete a run
        s.erase(pos, 1 + rng() % 8);
        break;
      case 5:  // duplicate a run
        if (!s.empty()) s.insert(pos, s.substr(rng() % s.size(), rng() % 16));
        break;
      case 6: {  // a random length or count: small, near a boundary, or huge
        uint64_t v = rng() >> (rng() % 64);
        std::string varint;
        while (v >= 0x80) {
          varint.push_back(static_cast<char>((v & 0x7f) | 0x80));
          v >>= 7;
        }
        varint.push_back(static_cast<char>(v));
        if (pos < s.size()) s.erase(pos, 1);
        s.insert(pos, varint);
        break;
      }
    }
  }
  return s;
}

}  // namespace testing
}  // namespace paging_storage

#endif  // PAGING_STORAGE_TESTS_TEST_UTIL_H_
