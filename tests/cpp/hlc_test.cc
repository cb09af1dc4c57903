#include "paging_storage/hlc.h"

#include <gtest/gtest.h>

namespace paging_storage {
namespace {

TEST(HlcTest, PackOrdersByWallThenLogical) {
  EXPECT_LT(Hlc::Pack(1000, 5), Hlc::Pack(1001, 0));
  EXPECT_LT(Hlc::Pack(1000, 0), Hlc::Pack(1000, 1));
  EXPECT_EQ(Hlc::WallMs(Hlc::Pack(123456, 7)), 123456u);
  EXPECT_EQ(Hlc::Logical(Hlc::Pack(123456, 7)), 7u);
}

TEST(HlcTest, FollowsWallClockWhenItAdvances) {
  Hlc clock;
  EXPECT_EQ(clock.Now(1000), Hlc::Pack(1000, 0));
  EXPECT_EQ(clock.Now(2000), Hlc::Pack(2000, 0));
}

TEST(HlcTest, StrictlyIncreasesWhenWallStandsStillOrGoesBack) {
  Hlc clock;
  uint64_t a = clock.Now(5000);
  uint64_t b = clock.Now(5000);
  uint64_t c = clock.Now(10);  // the wall clock jumped back
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(Hlc::WallMs(c), 5000u);
  EXPECT_EQ(Hlc::Logical(c), 2u);
}

TEST(HlcTest, NowExceedsEveryRemoteTimestampSeen) {
  Hlc clock;
  uint64_t remote = Hlc::Pack(9'000'000, 42);  // a peer far ahead of us
  clock.Update(remote);
  uint64_t local = clock.Now(1000);
  EXPECT_GT(local, remote);
  // An older remote timestamp does not move the clock back.
  clock.Update(Hlc::Pack(1, 0));
  EXPECT_GT(clock.Now(1000), local);
}

TEST(HlcTest, LogicalOverflowCarriesIntoMilliseconds) {
  Hlc clock;
  clock.Update(Hlc::Pack(7, 0xffff));
  uint64_t t = clock.Now(7);
  EXPECT_EQ(t, Hlc::Pack(8, 0));
}

TEST(HlcTest, WallBeyond48BitsIsClamped) {
  Hlc clock;
  uint64_t t = clock.Now(UINT64_MAX);
  EXPECT_EQ(Hlc::WallMs(t), Hlc::kMaxWallMs);
}

}  // namespace
}  // namespace paging_storage
