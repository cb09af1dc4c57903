// LRU order and eviction rules of the page cache.
#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

std::set<PageId> Resident(Engine& e) {
  std::set<PageId> out;
  for (const PageInfo& p : e.ListPages()) {
    if (p.resident) out.insert(p.id);
  }
  return out;
}

class LruTest : public ::testing::Test {
 protected:
  // Fills a store with enough keys for several pages, then flushes it.
  void SetUp() override {
    ASSERT_OK(PagedStore::Open(testing::SmallPages(3), &disk_, &store_));
    for (int i = 0; i < 60; ++i) {
      ASSERT_OK(store_->Put(Key(i), "value-" + std::to_string(i)).status);
    }
    store_->Flush();
    pages_ = store_->engine().ListPages();
    ASSERT_GE(pages_.size(), 5u);
  }

  std::string FirstKeyOf(size_t p) {
    return p == 0 ? Key(0) : pages_[p].lower_key;
  }

  MemoryPageStore disk_;
  std::unique_ptr<PagedStore> store_;
  std::vector<PageInfo> pages_;
};

TEST_F(LruTest, ResidencyStaysWithinBudgetAfterFlush) {
  EXPECT_LE(store_->engine().Stats().resident_pages, 3u);
  EXPECT_OK(store_->engine().CheckInvariants());
}

TEST_F(LruTest, EvictsLeastRecentlyUsedFirst) {
  Engine& e = store_->engine();
  e.EvictAllClean();
  std::string v;
  ASSERT_OK(store_->Get(FirstKeyOf(0), &v));
  ASSERT_OK(store_->Get(FirstKeyOf(1), &v));
  ASSERT_OK(store_->Get(FirstKeyOf(2), &v));
  // Touch page 0 so page 1 is now the oldest.
  ASSERT_OK(store_->Get(FirstKeyOf(0), &v));
  ASSERT_OK(store_->Get(FirstKeyOf(3), &v));
  EXPECT_EQ(Resident(e),
            (std::set<PageId>{pages_[0].id, pages_[2].id, pages_[3].id}));
}

TEST_F(LruTest, WritesTouchTheLru) {
  Engine& e = store_->engine();
  e.EvictAllClean();
  std::string v;
  ASSERT_OK(store_->Get(FirstKeyOf(0), &v));
  ASSERT_OK(store_->Get(FirstKeyOf(1), &v));
  ASSERT_OK(store_->Get(FirstKeyOf(2), &v));
  ASSERT_OK(store_->Put(FirstKeyOf(0), "x").status);  // page 0 newest, dirty
  store_->Flush();
  ASSERT_OK(store_->Get(FirstKeyOf(3), &v));
  EXPECT_EQ(Resident(e).count(pages_[0].id), 1u);
  EXPECT_EQ(Resident(e).count(pages_[1].id), 0u);
}

TEST_F(LruTest, DirtyPagesAreNeverEvicted) {
  Engine& e = store_->engine();
  e.EvictAllClean();
  // Dirty three pages, then load more straight through the engine, without
  // the harness's flush: the budget is passed rather than losing writes.
  for (size_t p = 0; p < 3; ++p) {
    PageId missing = kNoPage;
    WriteResult r = e.Put(FirstKeyOf(p), "dirty", 1, &missing);
    if (r.status.IsNotResident()) {
      std::string bytes;
      ASSERT_TRUE(disk_.Read(missing, &bytes));
      ASSERT_OK(e.LoadPage(missing, bytes));
      r = e.Put(FirstKeyOf(p), "dirty", 1, &missing);
    }
    ASSERT_OK(r.status);
  }
  std::string bytes;
  ASSERT_TRUE(disk_.Read(pages_[4].id, &bytes));
  ASSERT_OK(e.LoadPage(pages_[4].id, bytes));
  EXPECT_EQ(e.Stats().resident_pages, 4u);
  EXPECT_TRUE(e.OverBudget());
  EXPECT_TRUE(e.EvictPage(pages_[0].id).IsBusy());
  EXPECT_OK(e.CheckInvariants());
  // Once flushed they become evictable and the budget is restored.
  store_->Flush();
  EXPECT_EQ(e.Stats().resident_pages, 3u);
  EXPECT_EQ(e.Stats().dirty_pages, 0u);
  EXPECT_OK(e.CheckInvariants());
}

TEST_F(LruTest, ChangeDuringFlushKeepsPageDirty) {
  Engine& e = store_->engine();
  std::string v;
  ASSERT_OK(store_->Put(FirstKeyOf(0), "one").status);
  FlushBatch batch;
  e.CollectFlush(&batch);
  ASSERT_EQ(batch.pages.size(), 1u);
  // The write lands while the batch is "being written".
  ASSERT_OK(store_->Put(FirstKeyOf(0), "two").status);
  e.CommitFlush(batch);
  EXPECT_EQ(e.Stats().dirty_pages, 1u);
  EXPECT_TRUE(e.EvictPage(pages_[0].id).IsBusy());
}

TEST_F(LruTest, NonResidentKeyAnswersNeedsPageNotNotFound) {
  Engine& e = store_->engine();
  e.EvictAllClean();
  std::string v;
  PageId missing = kNoPage;
  // A present key and an absent one on the same evicted page.
  Status s = e.Get(Key(1), &v, &missing);
  EXPECT_TRUE(s.IsNotResident());
  EXPECT_EQ(missing, pages_[0].id);
  missing = kNoPage;
  s = e.Get(Key(1) + "-absent", &v, &missing);
  EXPECT_TRUE(s.IsNotResident());
  EXPECT_EQ(missing, pages_[0].id);
  ASSERT_OK(store_->Get(Key(1), &v));
  EXPECT_EQ(v, "value-1");
  EXPECT_TRUE(store_->Get(Key(1) + "-absent", &v).IsNotFound());
}

TEST_F(LruTest, ClearCacheDropsOnlyCleanPages) {
  Engine& e = store_->engine();
  ASSERT_OK(store_->Put(FirstKeyOf(1), "dirty").status);
  e.EvictAllClean();
  EXPECT_EQ(e.Stats().resident_pages, 1u);
  EXPECT_EQ(e.Stats().dirty_pages, 1u);
}

}  // namespace
}  // namespace paging_storage
