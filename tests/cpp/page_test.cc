#include "page.h"

#include <gtest/gtest.h>

#include <string>

namespace paging_storage {
namespace {

class PageTest : public ::testing::Test {
 protected:
  Entry Make(const std::string& key, size_t value_size) {
    Entry e;
    e.key = key;
    e.value.assign(value_size, 'v');
    e.hlc = ++hlc_;
    e.origin = origins_.Intern("me");
    return e;
  }

  OriginTable origins_;
  uint64_t hlc_ = 0;
};

TEST_F(PageTest, UpsertKeepsOrderAndAccounting) {
  Page page(1, &origins_);
  page.Upsert(Make("b", 10));
  page.Upsert(Make("a", 5));
  page.Upsert(Make("c", 1));
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page.entries()[0].key, "a");
  EXPECT_EQ(page.entries()[2].key, "c");
  EXPECT_EQ(page.bytes(), kPageOverhead + 3 * kEntryOverhead + 3 + 16);
  page.Upsert(Make("b", 100));  // replace: bytes follow the new value
  EXPECT_EQ(page.size(), 3u);
  EXPECT_EQ(page.bytes(), kPageOverhead + 3 * kEntryOverhead + 3 + 106);
  EXPECT_TRUE(page.Check().ok());
}

TEST_F(PageTest, DigestIsIndependentOfInsertionOrder) {
  Page a(1, &origins_), b(2, &origins_);
  Entry x = Make("x", 3), y = Make("y", 4);
  a.Upsert(x);
  a.Upsert(y);
  b.Upsert(y);
  b.Upsert(x);
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_NE(a.digest(), 0u);
}

TEST_F(PageTest, SplitPointBalancesBytes) {
  Page page(1, &origins_);
  page.Upsert(Make("a", 100));
  page.Upsert(Make("b", 100));
  page.Upsert(Make("c", 100));
  page.Upsert(Make("d", 100));
  EXPECT_EQ(page.SplitPoint(), 2u);
  // A heavy last entry moves the cut to isolate it.
  page.Upsert(Make("e", 1000));
  EXPECT_EQ(page.SplitPoint(), 4u);
}

TEST_F(PageTest, SplitAndAbsorbAreInverse) {
  Page page(1, &origins_);
  for (char c = 'a'; c <= 'j'; ++c) page.Upsert(Make(std::string(1, c), 7));
  uint64_t digest = page.digest();
  size_t bytes = page.bytes();
  Page right(2, &origins_);
  page.MoveTailTo(4, &right);
  EXPECT_EQ(page.size(), 4u);
  EXPECT_EQ(right.size(), 6u);
  EXPECT_EQ(right.entries().front().key, "e");
  EXPECT_EQ(page.digest() ^ right.digest(), digest);
  EXPECT_EQ(page.bytes() + right.bytes() - kPageOverhead, bytes);
  EXPECT_TRUE(page.Check().ok());
  EXPECT_TRUE(right.Check().ok());
  page.AbsorbRight(&right);
  EXPECT_EQ(page.size(), 10u);
  EXPECT_EQ(page.digest(), digest);
  EXPECT_EQ(page.bytes(), bytes);
  EXPECT_EQ(right.size(), 0u);
  EXPECT_TRUE(page.Check().ok());
}

}  // namespace
}  // namespace paging_storage
