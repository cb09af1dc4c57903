// The clock bound (Options::max_clock_drift_ms, cpp/src/clock_bound.h):
// no version from the future is merged, and a store whose clock ran far
// ahead recovers at its next open while its later local writes still win.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "paging_storage/hlc.h"
#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

constexpr uint64_t kWall = 1'700'000'000'000;
constexpr uint64_t kDrift = 60'000;
constexpr uint64_t kTwoHours = 2 * 3600 * 1000;

Options Bounded(uint64_t open_wall_ms, bool write_path = false) {
  Options o = testing::SmallPages(4);
  o.max_clock_drift_ms = kDrift;
  o.open_wall_ms = open_wall_ms;
  if (write_path) {
    o.write_buffer_pages = 2;
    o.write_buffer_adaptive = false;
  }
  return o;
}

Record Remote(const std::string& key, uint64_t hlc) {
  Record r;
  r.key = key;
  r.value = "remote";
  r.version.hlc = hlc;
  r.version.origin = "peer-b";
  return r;
}

TEST(ClockBoundTest, MergeBeyondTheDriftIsRefusedAndTheClockStays) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(Bounded(kWall), &disk, &store));
  store->clock_ms = kWall;
  WriteResult far = store->Merge(Remote("k", UINT64_MAX));
  EXPECT_TRUE(far.status.IsInvalidArgument()) << far.status.ToString();
  far = store->Merge(Remote("k", Hlc::Pack(kWall + kDrift + 1, 0)));
  EXPECT_TRUE(far.status.IsInvalidArgument()) << far.status.ToString();
  EXPECT_LE(Hlc::WallMs(store->engine().Clock()), kWall + kDrift);
  // Within the drift: merged, and the clock follows it (an HLC).
  ASSERT_OK(store->Merge(Remote("k", Hlc::Pack(kWall + kDrift, 7))).status);
  EXPECT_EQ(store->engine().Clock(), Hlc::Pack(kWall + kDrift, 7));
  std::string v;
  ASSERT_OK(store->Get("k", &v));
  EXPECT_EQ(v, "remote");
  EXPECT_OK(store->engine().CheckInvariants());
}

// A wall clock that ran two hours fast for some writes, then was set right:
// before the bound, the clock stayed two hours ahead for good and every
// later write was refused by peers as from the future.
void WriteWithFastClock(MemoryPageStore* disk, bool write_path) {
  std::unique_ptr<PagedStore> store;
  Options unbounded = Bounded(0, write_path);
  unbounded.max_clock_drift_ms = 0;  // as an older version: no bound
  ASSERT_OK(PagedStore::Open(unbounded, disk, &store));
  store->clock_ms = kWall + kTwoHours;
  for (int i = 0; i < 300; ++i) ASSERT_OK(store->Put(Key(i), "fast").status);
  store->Flush();
  if (write_path) {  // writes buffered into runs, over pages not resident
    store->engine().EvictAllClean();
    for (int i = 0; i < 300; i += 3) {
      WriteResult w = store->Put(Key(i), "fast");
      ASSERT_OK(w.status);
      ASSERT_TRUE(w.buffered);
    }
    store->Flush();
  }
  EXPECT_GT(Hlc::WallMs(store->engine().Clock()), kWall + kTwoHours - 1);
}

TEST(ClockBoundTest, StoreOpenedWithClockFarAheadRecovers) {
  MemoryPageStore disk;
  ASSERT_NO_FATAL_FAILURE(WriteWithFastClock(&disk, false));
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(Bounded(kWall), &disk, &store));
  store->clock_ms = kWall;
  EXPECT_LE(Hlc::WallMs(store->engine().Clock()), kWall + kDrift);
  WriteResult fresh = store->Put("fresh", "now");
  ASSERT_OK(fresh.status);
  EXPECT_LE(Hlc::WallMs(fresh.version.hlc), kWall + kDrift);
  // Loaded entries stamped beyond the bound are restamped below the writes
  // made since open, and never move the clock.
  Record r;
  ASSERT_OK(store->Lookup(Key(5), &r));
  EXPECT_EQ(r.value, "fast");
  EXPECT_LT(r.version.hlc, fresh.version.hlc);
  EXPECT_LE(Hlc::WallMs(store->engine().Clock()), kWall + kDrift);
  // A local write over one of them wins, and survives a reopen.
  ASSERT_OK(store->Put(Key(5), "later").status);
  store->Flush();
  store.reset();
  ASSERT_OK(PagedStore::Open(Bounded(kWall), &disk, &store));
  std::string v;
  ASSERT_OK(store->Get(Key(5), &v));
  EXPECT_EQ(v, "later");
  ASSERT_OK(store->Get(Key(6), &v));
  EXPECT_EQ(v, "fast");
  EXPECT_OK(store->engine().CheckInvariants());
}

// With runs of the write path stored, the clock cannot restart at once: a
// run's "applied" floor orders its entries by hlc. It stays up, buffers no
// write and asks for a compaction pass; once the runs are applied and
// dropped it restarts, and what was written meanwhile is kept.
TEST(ClockBoundTest, RunsOnDiskDelayTheRecoveryUntilAPassAppliesThem) {
  MemoryPageStore disk;
  ASSERT_NO_FATAL_FAILURE(WriteWithFastClock(&disk, true));
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(Bounded(kWall, true), &disk, &store));
  store->clock_ms = kWall;
  Engine& e = store->engine();
  ASSERT_GT(e.Stats().run_pages, 0u);
  EXPECT_TRUE(e.CompactionDue());
  EXPECT_GT(Hlc::WallMs(e.Clock()), kWall + kDrift);  // pending
  WriteResult meanwhile = store->Put(Key(200), "meanwhile");
  ASSERT_OK(meanwhile.status);
  ASSERT_OK(store->Compact());
  store->Flush();
  EXPECT_EQ(e.Stats().run_pages, 0u);
  EXPECT_LE(Hlc::WallMs(e.Clock()), kWall + kDrift);
  WriteResult after = store->Put(Key(201), "after");
  ASSERT_OK(after.status);
  EXPECT_LE(Hlc::WallMs(after.version.hlc), kWall + kDrift);
  std::string v;
  ASSERT_OK(store->Get(Key(200), &v));
  EXPECT_EQ(v, "meanwhile");
  ASSERT_OK(store->Get(Key(202), &v));
  EXPECT_EQ(v, "fast");
  store->Flush();
  store.reset();
  ASSERT_OK(PagedStore::Open(Bounded(kWall, true), &disk, &store));
  for (int i = 0; i < 300; ++i) {
    ASSERT_OK(store->Get(Key(i), &v));
    EXPECT_EQ(v, i == 200 ? "meanwhile" : i == 201 ? "after" : "fast") << i;
  }
  EXPECT_LE(Hlc::WallMs(store->engine().Clock()), kWall + kDrift);
  EXPECT_OK(store->engine().CheckInvariants());
}

// A replica kept a version forged ahead of this peer's write: the write is
// stamped again past it (within the bound), only while it is still the
// key's stored version.
TEST(ClockBoundTest, RestampStampsTheSameValueAgainPastTheFloor) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(Bounded(kWall), &disk, &store));
  store->clock_ms = kWall;
  WriteResult w = store->Put("k", "mine");
  ASSERT_OK(w.status);
  const uint64_t forged = Hlc::Pack(kWall + kDrift - 1000, 3);
  WriteOp op;
  op.type = WriteOp::Type::kRestamp;
  op.record.key = "k";
  op.record.version = w.version;
  op.floor_hlc = forged;
  std::vector<WriteResult> results;
  ASSERT_OK(store->ApplyBatch({op}, &results));
  ASSERT_TRUE(results[0].applied);
  EXPECT_GT(results[0].version.hlc, forged);
  EXPECT_EQ(results[0].version.origin, w.version.origin);
  Record r;
  ASSERT_OK(store->Lookup("k", &r));
  EXPECT_EQ(r.value, "mine");
  EXPECT_EQ(r.version.hlc, results[0].version.hlc);
  // The version asked about is gone now: a second restamp does nothing.
  ASSERT_OK(store->ApplyBatch({op}, &results));
  EXPECT_FALSE(results[0].applied);
  // A floor beyond the bound moves the clock only to the bound.
  op.record.version = r.version;
  op.floor_hlc = UINT64_MAX;
  ASSERT_OK(store->ApplyBatch({op}, &results));
  ASSERT_TRUE(results[0].applied);
  EXPECT_LE(Hlc::WallMs(results[0].version.hlc), kWall + kDrift + 1);
  // A tombstone is stamped again as a tombstone.
  WriteResult d = store->Delete("k");
  ASSERT_OK(d.status);
  op.record.version = d.version;
  op.floor_hlc = 0;
  ASSERT_OK(store->ApplyBatch({op}, &results));
  ASSERT_TRUE(results[0].applied);
  ASSERT_OK(store->Lookup("k", &r));
  EXPECT_TRUE(r.tombstone);
  EXPECT_OK(store->engine().CheckInvariants());
}

}  // namespace
}  // namespace paging_storage
