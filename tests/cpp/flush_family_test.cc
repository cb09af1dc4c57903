// Flush families (Engine::FlushFamilies, CollectFlush(families)): any subset
// of families stored on its own leaves a store that opens, passes the
// invariants and holds, for every key, either what the last flush stored or
// the current value; storing every family stores everything. The JS pager
// relies on this to save what shrinks first when the disk is full.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

using Contents = std::map<std::string, std::string>;

// What `disk` holds, read through a fresh engine (which checks the stored
// directory against the engine state and every page's keys against its
// range).
Contents Reopen(const MemoryPageStore& disk, const Options& options) {
  MemoryPageStore copy = disk;
  std::unique_ptr<PagedStore> store;
  Status s = PagedStore::Open(options, &copy, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {};
  std::vector<Record> records;
  s = store->Scan(ScanOptions{}, &records);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_OK(store->engine().CheckInvariants());
  Contents out;
  for (const Record& r : records) out[r.key] = r.value;
  return out;
}

std::optional<std::string> Find(const Contents& c, const std::string& key) {
  auto it = c.find(key);
  if (it == c.end()) return std::nullopt;
  return it->second;
}

struct Param {
  size_t memory_pages;
  bool racing;  // writes land between the collect and the commit
};

class FlushFamilyTest : public ::testing::TestWithParam<Param> {};

TEST_P(FlushFamilyTest, AnySubsetOfFamiliesStoresAConsistentStore) {
  const Options options = testing::SmallPages(GetParam().memory_pages);
  std::mt19937_64 rng(42 + GetParam().memory_pages + GetParam().racing);
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(options, &disk, &store));
  Contents current;  // every write so far
  Contents stored;   // what the disk holds, as last read back
  // One random put or delete; `direct` calls the engine (mid-flush), which
  // skips a write whose page is not resident.
  auto write = [&](bool direct) {
    std::string key = Key(static_cast<int>(rng() % 400));
    bool del = rng() % 3 == 0;
    std::string value(1 + rng() % 90, static_cast<char>('a' + rng() % 26));
    PageId missing = kNoPage;
    WriteResult r;
    if (del) {
      r = direct ? store->engine().Delete(key, store->clock_ms, &missing)
                 : store->Delete(key);
    } else {
      r = direct ? store->engine().Put(key, value, store->clock_ms, &missing)
                 : store->Put(key, value);
    }
    if (r.status.IsNotResident()) return;
    ASSERT_TRUE(r.status.ok() || r.status.IsNotFound()) << r.status.ToString();
    if (del) {
      current.erase(key);
    } else {
      current[key] = value;
    }
  };
  size_t partial_flushes = 0, families_seen = 0;
  for (int step = 0; step < 3000; ++step) {
    size_t flushes_before = store->flushes;
    size_t after_op_before = store->after_op_flushes;
    Contents before_write = current;
    write(false);
    if (step % 50 == 49) {  // tombstones go, pages shrink and merge
      size_t purged = 0;
      ASSERT_OK(store->Purge(~uint64_t{0}, &purged));
    }
    // A full flush: after the write (AfterOp), or before it (to make room
    // for the page it loads).
    if (store->after_op_flushes != after_op_before) {
      stored = current;
    } else if (store->flushes != flushes_before) {
      stored = before_write;
    }
    if (step % 97 == 96) {
      store->Flush();
      stored = current;
      ASSERT_EQ(Reopen(disk, options), current) << "step " << step;
      ASSERT_TRUE(store->engine().FlushFamilies().empty());
      continue;
    }
    if (step % 7 != 6) continue;
    std::vector<PageId> families = store->engine().FlushFamilies();
    families_seen += families.size();
    std::vector<PageId> chosen;
    for (PageId f : families) {
      if (rng() % 2) chosen.push_back(f);
    }
    Contents at_collect = current;
    store->FlushFamilies(chosen, [&] {
      if (!GetParam().racing) return;
      for (int i = 0; i < 3; ++i) write(true);
    });
    ++partial_flushes;
    Contents now = Reopen(disk, options);
    for (auto& [k, v] : now) {
      ASSERT_TRUE(stored.count(k) || at_collect.count(k))
          << "step " << step << ": " << k << " was never written";
    }
    for (const Contents* c : {&stored, &at_collect}) {
      for (auto& [k, unused] : *c) {
        std::optional<std::string> got = Find(now, k);
        ASSERT_TRUE(got == Find(stored, k) || got == Find(at_collect, k))
            << "step " << step << " key " << k
            << ": neither stored nor current";
      }
    }
    stored = now;
  }
  EXPECT_OK(store->engine().CheckInvariants());
  EXPECT_GT(partial_flushes, 300u);
  EXPECT_GT(families_seen, partial_flushes) << "more than one family at a time";
  // Storing every family, one at a time, stores everything.
  for (PageId f : store->engine().FlushFamilies()) store->FlushFamilies({f});
  EXPECT_TRUE(store->engine().FlushFamilies().empty());
  EXPECT_FALSE(store->engine().HasDirtyPages());
  EXPECT_EQ(Reopen(disk, options), current);
}

INSTANTIATE_TEST_SUITE_P(Budgets, FlushFamilyTest,
                         ::testing::Values(Param{1000, false},
                                           Param{1000, true}, Param{6, false}),
                         [](const auto& info) {
                           return "memory" +
                                  std::to_string(info.param.memory_pages) +
                                  (info.param.racing ? "Racing" : "");
                         });

TEST(FlushFamilyTest, SplitPagesTravelWithThePageTheyCameFrom) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  const Options options = testing::SmallPages();
  ASSERT_OK(PagedStore::Open(options, &disk, &store));
  for (int i = 0; i < 40; ++i) ASSERT_OK(store->Put(Key(i), "value").status);
  store->Flush();
  size_t stored_pages = store->engine().PageCount();
  // Grow the first page until it splits, and change one key of the last.
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store->Put(Key(0) + "x" + std::to_string(i), std::string(60, 'g'))
                  .status);
  }
  ASSERT_OK(store->Put(Key(39), "changed").status);
  ASSERT_GT(store->engine().PageCount(), stored_pages);
  std::vector<PageId> families = store->engine().FlushFamilies();
  ASSERT_EQ(families.size(), 2u);
  // Fewest dirty bytes first: the family of the last page.
  store->FlushFamilies({families[0]});
  Contents now = Reopen(disk, options);
  EXPECT_EQ(now[Key(39)], "changed");
  EXPECT_EQ(now.count(Key(0) + "x0"), 0u) << "the grown family was not stored";
  EXPECT_EQ(now.size(), 40u);
  store->FlushFamilies({families[1]});
  now = Reopen(disk, options);
  EXPECT_EQ(now.size(), 43u);
  EXPECT_EQ(now[Key(0) + "x2"], std::string(60, 'g'));
}

// 200 keys stored; then the first 100 deleted and purged (their pages merge
// away) and the last key changed: two families, the merged one smaller.
class MergedFamilies : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(PagedStore::Open(options_, &disk_, &store_));
    for (int i = 0; i < 200; ++i)
      ASSERT_OK(store_->Put(Key(i), "value").status);
    store_->Flush();
    size_t stored_pages = store_->engine().PageCount();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(store_->Delete(Key(i)).applied);
    size_t purged = 0;
    ASSERT_OK(store_->Purge(~uint64_t{0}, &purged));
    ASSERT_OK(store_->Put(Key(199), "changed").status);
    ASSERT_LT(store_->engine().PageCount(), stored_pages) << "pages merged";
    families_ = store_->engine().FlushFamilies();
    ASSERT_EQ(families_.size(), 2u);
  }
  const Options options_ = testing::SmallPages();
  MemoryPageStore disk_;
  std::unique_ptr<PagedStore> store_;
  std::vector<PageId> families_;
};

TEST_F(MergedFamilies, StoredAloneTheMergedFamilyDeletesItsPages) {
  store_->FlushFamilies({families_[0]});
  Contents now = Reopen(disk_, options_);
  EXPECT_EQ(now.size(), 100u);
  EXPECT_EQ(now[Key(199)], "value") << "the other family is not stored yet";
  EXPECT_EQ(disk_.pages.size(), store_->engine().PageCount())
      << "the merged-away pages' bytes are gone";
  store_->FlushFamilies({families_[1]});
  EXPECT_EQ(Reopen(disk_, options_)[Key(199)], "changed");
}

TEST_F(MergedFamilies, StoringAnotherFamilyLeavesTheMergedPagesStored) {
  store_->FlushFamilies({families_[1]});
  Contents now = Reopen(disk_, options_);
  EXPECT_EQ(now.size(), 200u) << "the deleted keys' pages must stay stored";
  EXPECT_EQ(now[Key(0)], "value");
  EXPECT_EQ(now[Key(199)], "changed");
  store_->FlushFamilies({families_[0]});
  now = Reopen(disk_, options_);
  EXPECT_EQ(now.size(), 100u);
  EXPECT_EQ(disk_.pages.size(), store_->engine().PageCount());
}

}  // namespace
}  // namespace paging_storage
