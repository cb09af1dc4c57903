// Ordered range scans: bounds, prefixes, limits, reverse order, tombstones,
// and resuming across pages that are not resident.
#include <gtest/gtest.h>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

std::vector<std::string> Keys(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const Record& r : records) out.push_back(r.key);
  return out;
}

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Budget 2 and many pages: every scan crosses non-resident pages.
    ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk_, &store_));
    for (int i = 0; i < 300; ++i) ASSERT_OK(store_->Put(Key(i), "v").status);
    for (int i = 0; i < 300; i += 7) ASSERT_OK(store_->Delete(Key(i)).status);
    store_->Flush();
    store_->engine().EvictAllClean();
    ASSERT_GT(store_->engine().Stats().pages, 20u);
  }

  std::vector<std::string> Expected(int from, int to, bool reverse = false) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) {
      if (i % 7 != 0) out.push_back(Key(i));
    }
    if (reverse) std::reverse(out.begin(), out.end());
    return out;
  }

  MemoryPageStore disk_;
  std::unique_ptr<PagedStore> store_;
};

TEST_F(ScanTest, FullForwardAndReverse) {
  std::vector<Record> got;
  ASSERT_OK(store_->Scan(ScanOptions{}, &got));
  EXPECT_EQ(Keys(got), Expected(0, 300));
  ScanOptions rev;
  rev.reverse = true;
  ASSERT_OK(store_->Scan(rev, &got));
  EXPECT_EQ(Keys(got), Expected(0, 300, true));
  EXPECT_LE(store_->engine().Stats().resident_pages, 2u);
}

TEST_F(ScanTest, HalfOpenRange) {
  ScanOptions o;
  o.start = Key(100);
  o.end = Key(200);
  o.has_end = true;
  std::vector<Record> got;
  ASSERT_OK(store_->Scan(o, &got));
  EXPECT_EQ(Keys(got), Expected(100, 200));
  o.reverse = true;
  ASSERT_OK(store_->Scan(o, &got));
  EXPECT_EQ(Keys(got), Expected(100, 200, true));
}

TEST_F(ScanTest, BoundsOnPageBoundaries) {
  std::vector<PageInfo> pages = store_->engine().ListPages();
  ScanOptions o;
  o.start = pages[3].lower_key;
  o.end = pages[6].lower_key;
  o.has_end = true;
  std::vector<Record> got;
  ASSERT_OK(store_->Scan(o, &got));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().key >= o.start, true);
  EXPECT_LT(got.back().key, o.end);
  o.reverse = true;
  std::vector<Record> rev;
  ASSERT_OK(store_->Scan(o, &rev));
  std::reverse(rev.begin(), rev.end());
  EXPECT_EQ(Keys(rev), Keys(got));
}

TEST_F(ScanTest, LimitAppliesAcrossResumes) {
  ScanOptions o;
  o.start = Key(50);
  o.limit = 75;
  std::vector<Record> got;
  ASSERT_OK(store_->Scan(o, &got));
  std::vector<std::string> want = Expected(50, 300);
  want.resize(75);
  EXPECT_EQ(Keys(got), want);
  o.reverse = true;
  o.start.clear();
  o.end = Key(250);
  o.has_end = true;
  ASSERT_OK(store_->Scan(o, &got));
  want = Expected(0, 250, true);
  want.resize(75);
  EXPECT_EQ(Keys(got), want);
}

TEST_F(ScanTest, PrefixScan) {
  ASSERT_OK(store_->Put("user:1", "a").status);
  ASSERT_OK(store_->Put("user:2", "b").status);
  ASSERT_OK(store_->Put("user;", "not a user").status);
  ASSERT_OK(store_->Put("use", "not a user").status);
  std::vector<Record> got;
  ASSERT_OK(store_->Scan(ScanOptions::Prefix("user:"), &got));
  EXPECT_EQ(Keys(got), (std::vector<std::string>{"user:1", "user:2"}));
  // An all-0xff prefix has no upper bound.
  ScanOptions all = ScanOptions::Prefix("\xff\xff");
  EXPECT_FALSE(all.has_end);
  EXPECT_EQ(ScanOptions::Prefix("a\xff").end, "b");
}

TEST_F(ScanTest, TombstonesOnRequest) {
  ScanOptions o;
  o.end = Key(15);
  o.has_end = true;
  o.include_tombstones = true;
  std::vector<Record> got;
  ASSERT_OK(store_->Scan(o, &got));
  ASSERT_EQ(got.size(), 15u);
  EXPECT_TRUE(got[0].tombstone);
  EXPECT_TRUE(got[7].tombstone);
  EXPECT_FALSE(got[1].tombstone);
}

TEST_F(ScanTest, EmptyAndInvertedRanges) {
  ScanOptions o;
  o.start = Key(10);
  o.end = Key(10);
  o.has_end = true;
  std::vector<Record> got;
  ASSERT_OK(store_->Scan(o, &got));
  EXPECT_TRUE(got.empty());
  o.end = Key(5);
  ASSERT_OK(store_->Scan(o, &got));
  EXPECT_TRUE(got.empty());
}

TEST_F(ScanTest, ResumeDescribesTheRest) {
  Engine& e = store_->engine();
  ScanResult part;
  Status s = e.Scan(ScanOptions{}, &part);
  ASSERT_TRUE(s.IsNotResident());
  EXPECT_TRUE(part.records.empty());
  EXPECT_EQ(part.missing_page, e.ListPages()[0].id);
}

// max_bytes bounds one call's answer: the scan stops at a page boundary
// once that many bytes are returned, asks for no page (missing_page
// kNoPage), and resuming from `resume` returns the rest, in both
// directions, with a limit carried over.
TEST(ScanBoundTest, MaxBytesStopsAtAPageBoundaryAndResumes) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(), &disk, &store));
  for (int i = 0; i < 200; ++i) ASSERT_OK(store->Put(Key(i), "value").status);
  for (bool reverse : {false, true}) {
    for (size_t limit : {size_t{0}, size_t{150}}) {
      ScanOptions options;
      options.reverse = reverse;
      options.limit = limit;
      options.max_bytes = 100;  // a few records per call
      std::vector<std::string> got;
      int calls = 0;
      for (;;) {
        ScanResult r;
        Status s = store->engine().Scan(options, &r);
        ++calls;
        ASSERT_FALSE(r.records.empty()) << "every call makes progress";
        for (const Record& rec : r.records) got.push_back(rec.key);
        if (s.ok()) break;
        ASSERT_TRUE(s.IsNotResident()) << s.ToString();
        ASSERT_EQ(r.missing_page, kNoPage)
            << "nothing to load: the answer was full";
        options = r.resume;
      }
      std::vector<std::string> want;
      for (int i = 0; i < 200; ++i) want.push_back(Key(i));
      if (reverse) std::reverse(want.begin(), want.end());
      if (limit != 0) want.resize(limit);
      EXPECT_EQ(got, want) << "reverse " << reverse << " limit " << limit;
      EXPECT_GT(calls, 5);
    }
  }
}

}  // namespace
}  // namespace paging_storage
