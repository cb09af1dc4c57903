// The run pages' Bloom filter: no false negatives, about 1% false positives.
#include "key_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paging_storage {
namespace {

TEST(KeyFilterTest, EveryKeyBuiltFromMatches) {
  std::vector<std::string> keys;
  for (int i = 0; i < 500; ++i) keys.push_back("user:" + std::to_string(i * 7));
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::string filter = BuildKeyFilter(views);
  EXPECT_EQ(filter.size(), 500u * 10 / 8);
  for (const std::string& k : keys) EXPECT_TRUE(KeyFilterMayMatch(filter, k));
}

TEST(KeyFilterTest, OtherKeysRarelyMatch) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("k" + std::to_string(i));
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::string filter = BuildKeyFilter(views);
  int false_positives = 0;
  for (int i = 0; i < 10000; ++i) {
    false_positives += KeyFilterMayMatch(filter, "other" + std::to_string(i));
  }
  EXPECT_LT(false_positives, 300);  // ~1% expected; 3% bounds the noise
}

TEST(KeyFilterTest, SmallAndEmptyFilters) {
  std::string one = BuildKeyFilter({"only"});
  EXPECT_EQ(one.size(), 8u);  // at least 64 bits
  EXPECT_TRUE(KeyFilterMayMatch(one, "only"));
  EXPECT_TRUE(KeyFilterMayMatch("", "anything"));  // none stored: no claim
  std::string none = BuildKeyFilter({});
  EXPECT_FALSE(KeyFilterMayMatch(none, "anything"));
}

}  // namespace
}  // namespace paging_storage
