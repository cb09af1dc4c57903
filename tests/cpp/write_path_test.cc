// The write path (cpp/src/WRITE_PATH.md) through PagedStore, as the JS layer
// drives it: what a flush stores of buffered writes, how reads of keys held
// by runs load pages, and how the statistics count buffered writes.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

constexpr int kKeys = 600;

Options WritePath() {
  Options o = testing::SmallPages(8);
  o.write_buffer_pages = 2;
  o.write_buffer_adaptive = false;  // every write it can, whatever it costs
  EXPECT_TRUE(o.Normalize().ok());
  return o;
}

// kKeys keys on disk, none resident.
void Fill(MemoryPageStore* disk, std::unique_ptr<PagedStore>* store) {
  ASSERT_OK(PagedStore::Open(WritePath(), disk, store));
  for (int i = 0; i < kKeys; i += 2)
    ASSERT_OK((*store)->Put(Key(i), "v0").status);
  (*store)->Flush();
  (*store)->engine().EvictAllClean();
}

// Regression: a flush made to free memory stored the dirty pages but not
// the buffered writes, so after a crash a later write survived and an
// earlier one was lost (the README promises the state of a save, never a
// mix). Every flush now logs the buffer's new entries as a log run.
TEST(WritePathTest, AFlushToFreeMemoryStoresTheBufferedWritesBeforeIt) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_NO_FATAL_FAILURE(Fill(&disk, &store));
  WriteResult early = store->Put(Key(1), "early");
  ASSERT_OK(early.status);
  ASSERT_TRUE(early.buffered);  // its page is not resident
  std::string v;
  ASSERT_OK(store->Get(Key(kKeys - 2), &v));  // brings that page in
  WriteResult late = store->Put(Key(kKeys - 2), "late");
  ASSERT_OK(late.status);
  ASSERT_FALSE(late.buffered);
  ASSERT_TRUE(store->engine().HasDirtyPages(Engine::FlushPurpose::kMakeRoom));
  store->MakeRoomFlush();
  store.reset();  // a crash: no flush after that one
  ASSERT_OK(PagedStore::Open(WritePath(), &disk, &store));
  ASSERT_OK(store->Get(Key(kKeys - 2), &v));
  EXPECT_EQ(v, "late");
  ASSERT_OK(store->Get(Key(1), &v));
  EXPECT_EQ(v, "early");
}

// A key whose newest version is in a run newer than its page is read from
// the run page alone: one load, not the page and the run page.
TEST(WritePathTest, AKeyARunHoldsLoadsOnePage) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_NO_FATAL_FAILURE(Fill(&disk, &store));
  for (int i = 1; i < kKeys; i += 2) ASSERT_OK(store->Put(Key(i), "v1").status);
  store->Flush();
  ASSERT_GT(store->engine().Stats().run_pages, 0u);
  size_t most = 0;
  for (int i = 1; i < kKeys; i += 2) {
    store->engine().EvictAllClean();
    size_t before = store->pages_loaded;
    std::string v;
    ASSERT_OK(store->Get(Key(i), &v));
    ASSERT_EQ(v, "v1");
    most = std::max(most, store->pages_loaded - before);
  }
  EXPECT_EQ(most, 1u);
}

TEST(WritePathTest, BufferedPutsCountAsKeysAcrossAReopenUntilApplied) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_NO_FATAL_FAILURE(Fill(&disk, &store));
  ASSERT_EQ(store->engine().Stats().live_keys, size_t{kKeys / 2});
  for (int i = 1; i < kKeys; i += 2)
    ASSERT_OK(store->Put(Key(i), "new").status);
  EngineStats s = store->engine().Stats();
  EXPECT_EQ(s.live_keys, size_t{kKeys});
  EXPECT_GT(s.buffered_writes + s.run_pages, 0u);
  store->Flush();
  store.reset();
  ASSERT_OK(PagedStore::Open(WritePath(), &disk, &store));
  s = store->engine().Stats();
  EXPECT_EQ(s.live_keys, size_t{kKeys});
  EXPECT_GT(s.run_pages, 0u);
  EXPECT_EQ(s.pages, store->engine().ListPages().size() + s.run_pages);
  // Everything applied and the runs dropped: exact, from the pages alone.
  for (int i = 0; i < kKeys; ++i) {
    std::string v;
    ASSERT_OK(store->Get(Key(i), &v));
  }
  std::vector<Record> all;
  ASSERT_OK(store->Scan(ScanOptions(), &all));
  store->Flush();
  s = store->engine().Stats();
  EXPECT_EQ(s.run_pages, 0u);
  EXPECT_EQ(s.live_keys, size_t{kKeys});
  EXPECT_EQ(all.size(), size_t{kKeys});
}

// xorshift64 (Marsaglia 2003): the next of a fixed sequence.
uint64_t NextRandom(uint64_t* x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

// Page loads and stores of a random-order load of `keys` keys, driven as
// the JS layer drives it (writes wait for a pass past the stall point;
// due passes run between writes).
size_t RandomLoadIo(Options o, int keys) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  EXPECT_OK(PagedStore::Open(o, &disk, &store));
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < keys; ++i) {
    while (store->engine().WriteStall()) {
      EXPECT_OK(store->Compact());
      store->MakeRoomFlush();
    }
    EXPECT_OK(store
                  ->Put(Key(static_cast<int>(NextRandom(&x) % 1000000)),
                        std::string(40, 'v'))
                  .status);
    if (i % 64 == 0 && store->engine().CompactionDue()) {
      EXPECT_OK(store->Compact());
    }
  }
  store->Flush();
  return store->pages_loaded + store->pages_stored;
}

// Regression: with the write path on, a store much larger than what
// MaxRuns memtables hold was rewritten whole by a compaction pass every
// MaxRuns seals: 1M random keys at a budget of 64 pages loaded at a tenth of
// the speed without the write path, and a writer flushing every 200 writes
// at a budget of 8 took 7x longer. Buffering now stops where it no longer
// pays (Options::write_buffer_adaptive).
TEST(WritePathTest, ARandomLoadPastTheBreakEvenCostsNoMoreThanWithoutIt) {
  Options off = testing::SmallPages(8);
  Options on = off;
  on.write_buffer_pages = 4;
  ASSERT_OK(on.Normalize());
  constexpr int kLoad = 20000;  // about 4,000 pages of 256 bytes
  size_t io_off = RandomLoadIo(off, kLoad);
  size_t io_on = RandomLoadIo(on, kLoad);
  std::printf("[ io       ] %d random puts: %zu page I/O off, %zu on\n", kLoad,
              io_off, io_on);
  EXPECT_LE(io_on, io_off + io_off / 4);
}

// Regression: the break-even used the base pages the runs reached, counted
// while the runs held most of the data (so the base had few pages); once a
// pass applied them, the base had many more pages and buffering stopped for
// good: 100k awaited random sets at the default budget took the page-load
// path from 25k keys on (76,920 flushes; now 1,474).
TEST(WritePathTest, RandomWritesBelowTheBreakEvenStayBufferedAfterAPass) {
  Options o = testing::SmallPages(50);
  o.write_buffer_pages = 25;
  ASSERT_OK(o.Normalize());
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(o, &disk, &store));
  uint64_t x = 88172645463325252ull;
  size_t buffered_late = 0;
  constexpr int kPuts = 6000;
  for (int i = 0; i < kPuts; ++i) {
    while (store->engine().WriteStall()) {
      ASSERT_OK(store->Compact());
      store->MakeRoomFlush();
    }
    WriteResult r =
        store->Put(Key(static_cast<int>(NextRandom(&x) % 3000)), "v");
    ASSERT_OK(r.status);
    if (i >= kPuts / 2 && r.buffered) ++buffered_late;
    if (i % 64 == 0 && store->engine().CompactionDue()) {
      ASSERT_OK(store->Compact());
    }
  }
  size_t pages = store->engine().ListPages().size();
  std::printf("[ buffered ] %zu of the last %d puts, %zu base pages\n",
              buffered_late, kPuts / 2, pages);
  EXPECT_GT(buffered_late, static_cast<size_t>(kPuts / 4));
}

// Below the break-even the buffer takes the writes whose page is not
// resident.
TEST(WritePathTest, ASmallStoreBuffersWritesWhosePageIsNotResident) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  Options o = WritePath();
  o.write_buffer_adaptive = true;
  ASSERT_OK(PagedStore::Open(o, &disk, &store));
  for (int i = 0; i < 60; i += 2) ASSERT_OK(store->Put(Key(i), "v").status);
  store->Flush();
  store->engine().EvictAllClean();
  EXPECT_TRUE(store->Put(Key(1), "w").buffered);
}

}  // namespace
}  // namespace paging_storage

namespace paging_storage {
namespace {

// Puts new keys (odd, from `from` on) until the memtable is sealed into a
// closed run (a make-room flush took it whole).
void SealOneRun(PagedStore* store, int* from) {
  size_t before = 0;
  for (;;) {
    ASSERT_OK(store->Put(Key(*from), "f").status);
    *from += 2;
    size_t now = store->engine().Stats().buffered_writes;
    if (now < before) return;
    before = now;
  }
}

// Regression (tiered merging): a merged run holds the entries of every run
// it was merged from, also those a base page applied before the merge. A
// key the page applied from one of them, then deleted and purged, came back
// when the page applied the merged run (or a read found it there): the
// page now applies only the entries newer than the last source it applied
// (Engine: AppliedFloor).
TEST(WritePathTest,
     AMergedRunDoesNotBringBackAKeyPurgedSinceItsPageAppliedASource) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_NO_FATAL_FAILURE(Fill(&disk, &store));
  const std::string x = Key(1);
  ASSERT_TRUE(store->Put(x, "old").buffered);
  store->Flush();  // a log run of one page: a run of its own at a reopen
  store.reset();
  ASSERT_OK(PagedStore::Open(WritePath(), &disk, &store));
  // Its page applies that run, then deletes and purges the key.
  WriteResult del = store->Delete(x);
  ASSERT_OK(del.status);
  ASSERT_TRUE(del.existed);
  size_t purged = 0;
  ASSERT_OK(store->Purge(UINT64_MAX, &purged));
  ASSERT_GE(purged, 1u);
  store->Flush();
  store->engine().EvictAllClean();
  // Four runs larger than the first: the four oldest are the cheapest to
  // merge, the first among them.
  int from = 2 * kKeys + 1;
  for (int run = 0; run < 4; ++run) {
    ASSERT_NO_FATAL_FAILURE(SealOneRun(store.get(), &from));
  }
  ASSERT_TRUE(store->engine().CompactionDue());
  // The merge, in steps with saves between them.
  for (int i = 0; i < 100 && store->engine().CompactionDue(); ++i) {
    ASSERT_OK(store->Compact());
    store->MakeRoomFlush();
  }
  ASSERT_FALSE(store->engine().CompactionDue());
  std::string v;
  EXPECT_TRUE(store->Get(x, &v).IsNotFound()) << v;
  store->engine().EvictAllClean();
  EXPECT_TRUE(store->Get(x, &v).IsNotFound()) << v;
  std::vector<Record> all;
  ASSERT_OK(store->Scan(ScanOptions{}, &all));
  for (const Record& r : all) EXPECT_NE(r.key, x);
}

}  // namespace
}  // namespace paging_storage

namespace paging_storage {
namespace {

// Regression: passes alone (the one-level design) rewrote every base page
// once per MaxRuns runs, so a random load into a store far larger than the
// runs paid about one page load and store per key whether buffered or not
// (1M keys at a budget of 64 pages: 1.16 page I/O per key, as many as with
// the write path off). Runs are now merged with each other (tiered) until
// they hold as many pages as the base, and a pass comes then.
TEST(WritePathTest, ARandomLoadFarLargerThanTheRunsMergesRunsBeforeAPass) {
  Options o;
  o.peer_id = "me";
  o.max_memory_pages = 64;
  o.write_buffer_pages = 32;
  ASSERT_OK(o.Normalize());
  // About 5,500 pages of 4 KiB: a run holds ~1,900 keys (41 pages), so
  // ~130 runs' worth; passes only: 148,687 page I/O, merged: 59,357.
  constexpr int kLoad = 300000;
  size_t io = RandomLoadIo(o, kLoad);
  std::printf("[ io       ] %d random puts: %zu page I/O\n", kLoad, io);
  EXPECT_LT(io, static_cast<size_t>(kLoad) / 4);
}

}  // namespace
}  // namespace paging_storage
