// Tombstone garbage collection (Engine::PurgeTombstones, and the forget op
// that removes one confirmed version): what goes, what stays, how pages that
// empty merge back down, and how the walk pages. Also the user data the JS
// layer keeps with the engine state (when the store was in sync).
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

constexpr uint64_t kEverything = std::numeric_limits<uint64_t>::max();

size_t Tombstones(Engine& e) { return e.Stats().tombstones; }

TEST(PurgeTest, RemovesTombstonesOlderThanTheHorizonOnly) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(), &disk, &store));
  for (int i = 0; i < 300; ++i) ASSERT_OK(store->Put(Key(i), "v").status);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->Delete(Key(i)).applied);
  store->clock_ms += 60'000;
  uint64_t horizon = store->Put("marker", "m").version.hlc;
  for (int i = 100; i < 150; ++i) ASSERT_TRUE(store->Delete(Key(i)).applied);
  ASSERT_EQ(Tombstones(store->engine()), 150u);

  size_t purged = 0;
  ASSERT_OK(store->Purge(horizon, &purged));
  EXPECT_EQ(purged, 100u);
  EXPECT_EQ(Tombstones(store->engine()), 50u);
  Record r;
  EXPECT_TRUE(store->Lookup(Key(5), &r).IsNotFound()) << "gone without a trace";
  ASSERT_OK(store->Lookup(Key(120), &r));
  EXPECT_TRUE(r.tombstone) << "younger than the horizon: kept";
  std::string v;
  ASSERT_OK(store->Get(Key(200), &v));
  EXPECT_EQ(store->engine().Stats().live_keys, 151u);
  EXPECT_OK(store->engine().CheckInvariants());
  // A second purge with the same horizon has nothing left to do.
  ASSERT_OK(store->Purge(horizon, &purged));
  EXPECT_EQ(purged, 0u);
}

TEST(PurgeTest, ADeletedStoreShrinksToOnePageEvenThroughATinyBudget) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &store));
  for (int i = 0; i < 3000; ++i) ASSERT_OK(store->Put(Key(i), "value").status);
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(store->Delete(Key(i)).applied);
  store->Flush();
  size_t pages_before = store->engine().PageCount();
  ASSERT_GT(pages_before, 50u);
  EXPECT_EQ(disk.pages.size(), pages_before);

  size_t purged = 0;
  ASSERT_OK(store->Purge(kEverything, &purged));
  EXPECT_EQ(purged, 3000u);
  ASSERT_OK(store->CompleteMerges());
  store->Flush();
  EXPECT_LE(store->engine().PageCount(), 2u);
  EXPECT_LE(disk.pages.size(), 2u) << "the backend's pages come back too";
  EXPECT_LE(store->engine().Stats().resident_pages, 2u);
  EXPECT_OK(store->engine().CheckInvariants());

  std::unique_ptr<PagedStore> reopened;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &reopened));
  EXPECT_LE(reopened->engine().PageCount(), 2u);
  std::vector<Record> all;
  ASSERT_OK(reopened->Scan(ScanOptions(), &all));
  EXPECT_TRUE(all.empty());
  ASSERT_OK(reopened->Put("again", "v").status);
  EXPECT_OK(reopened->engine().CheckInvariants());
}

TEST(PurgeTest, PagesWithoutTombstonesAreNotLoaded) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &store));
  for (int i = 0; i < 2000; ++i) ASSERT_OK(store->Put(Key(i), "value").status);
  ASSERT_TRUE(store->Delete(Key(1500)).applied);
  store->Flush();
  store->engine().EvictAllClean();
  size_t loads = store->pages_loaded;

  PurgeResult r;
  Status s = store->engine().PurgeTombstones(kEverything, "", 8, &r);
  ASSERT_TRUE(s.IsNotResident()) << s.ToString();
  ASSERT_EQ(r.missing_pages.size(), 1u)
      << "only the page holding the tombstone";
  EXPECT_EQ(r.missing_pages[0], store->engine().PageFor(Key(1500)));
  EXPECT_LE(r.resume_start, Key(1500));

  size_t purged = 0;
  ASSERT_OK(store->Purge(kEverything, &purged));
  EXPECT_EQ(purged, 1u);
  EXPECT_EQ(store->pages_loaded - loads, 1u);
  EXPECT_OK(store->engine().CheckInvariants());
}

TEST(PurgeTest, MatchesAModelWhileWritesAndPurgesInterleave) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(3), &disk, &store));
  std::map<std::string, std::string> live;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 400; ++i) {
      std::string k = Key(static_cast<int>(rng() % 1500));
      if (rng() % 3 == 0) {
        store->Delete(k);
        live.erase(k);
      } else {
        std::string v(1 + rng() % 40, static_cast<char>('a' + rng() % 26));
        ASSERT_OK(store->Put(k, v).status);
        live[k] = v;
      }
    }
    store->clock_ms += 1000;
    size_t purged = 0;
    ASSERT_OK(store->Purge(kEverything, &purged));
    ASSERT_OK(store->CompleteMerges());
    if (round % 4 == 0) store->Flush();
    ASSERT_OK(store->engine().CheckInvariants());
    EXPECT_EQ(Tombstones(store->engine()), 0u);
  }
  std::vector<Record> all;
  ASSERT_OK(store->Scan(ScanOptions(), &all));
  ASSERT_EQ(all.size(), live.size());
  auto it = live.begin();
  for (const Record& r : all) {
    EXPECT_EQ(r.key, it->first);
    EXPECT_EQ(r.value, it->second);
    ++it;
  }
}

WriteOp Forget(std::string_view key, const Version& version) {
  WriteOp op;
  op.type = WriteOp::Type::kForget;
  op.record.key.assign(key);
  op.record.version = version;
  return op;
}

TEST(ForgetTest, RemovesExactlyTheVersionNamedLiveOrTombstoneAndLeavesNoTrace) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &store));
  Version live = store->Put("live", "v").version;
  ASSERT_OK(store->Put("gone", "v").status);
  Version tomb = store->Delete("gone").version;
  Version old = store->Put("moved-on", "1").version;
  ASSERT_OK(store->Put("moved-on", "2").status);
  Version stranger = live;
  stranger.origin = "someone-else";

  std::vector<WriteOp> ops = {Forget("live", stranger), Forget("live", live),
                              Forget("gone", tomb), Forget("moved-on", old),
                              Forget("absent", live)};
  std::vector<WriteResult> results;
  ASSERT_OK(store->ApplyBatch(ops, &results));
  ASSERT_EQ(results.size(), 5u);
  EXPECT_FALSE(results[0].applied) << "another origin: another version";
  EXPECT_TRUE(results[1].applied);
  EXPECT_TRUE(results[1].existed);
  EXPECT_TRUE(results[2].applied);
  EXPECT_FALSE(results[2].existed) << "a tombstone is not live";
  EXPECT_FALSE(results[3].applied) << "a newer version is kept";
  EXPECT_FALSE(results[4].applied);
  Record r;
  EXPECT_TRUE(store->Lookup("live", &r).IsNotFound()) << "no tombstone left";
  EXPECT_TRUE(store->Lookup("gone", &r).IsNotFound());
  ASSERT_OK(store->Lookup("moved-on", &r));
  EXPECT_EQ(r.value, "2");
  EXPECT_EQ(store->engine().Stats().tombstones, 0u);
  EXPECT_OK(store->engine().CheckInvariants());
}

TEST(ForgetTest, ForgettingEveryKeyShrinksTheStoreAndABadVersionIsRefused) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &store));
  std::vector<WriteOp> ops;
  for (int i = 0; i < 2000; ++i) {
    ops.push_back(Forget(Key(i), store->Put(Key(i), "value").version));
  }
  store->Flush();
  ASSERT_GT(store->engine().PageCount(), 30u);
  std::vector<WriteResult> results;
  ASSERT_OK(store->ApplyBatch(ops, &results));
  ASSERT_OK(store->CompleteMerges());
  store->Flush();
  EXPECT_EQ(store->engine().Stats().live_keys, 0u);
  EXPECT_LE(store->engine().PageCount(), 2u);
  EXPECT_LE(disk.pages.size(), 2u);
  EXPECT_OK(store->engine().CheckInvariants());

  WriteOp bad = Forget("k", Version{});
  ASSERT_OK(store->ApplyBatch({bad}, &results));
  EXPECT_TRUE(results[0].status.IsInvalidArgument());
}

TEST(UserDataTest, StoredByTheNextFlushAndRestoredOnOpen) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(), &disk, &store));
  ASSERT_OK(store->Put("k", "v").status);
  store->Flush();
  EXPECT_EQ(store->engine().UserData(), "");
  EXPECT_FALSE(store->engine().HasDirtyPages());
  ASSERT_OK(store->engine().SetUserData("{\"synced\":1}"));
  EXPECT_TRUE(store->engine().HasDirtyPages()) << "the state must be saved";
  store->Flush();
  EXPECT_FALSE(store->engine().HasDirtyPages());
  ASSERT_OK(store->engine().SetUserData("{\"synced\":1}"));
  EXPECT_FALSE(store->engine().HasDirtyPages()) << "the same data: no change";
  EXPECT_TRUE(store->engine()
                  .SetUserData(std::string(kMaxUserDataBytes + 1, 'x'))
                  .IsInvalidArgument());
  EXPECT_EQ(store->engine().UserData(), "{\"synced\":1}");

  std::unique_ptr<PagedStore> reopened;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(), &disk, &reopened));
  EXPECT_EQ(reopened->engine().UserData(), "{\"synced\":1}");
}

}  // namespace
}  // namespace paging_storage
