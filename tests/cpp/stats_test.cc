// Engine::StatsJson and Engine::Clock: the counters as JSON, and the clock
// that is the greatest timestamp issued or seen.
#include <gtest/gtest.h>

#include "paging_storage/hlc.h"
#include "test_util.h"

namespace paging_storage {
namespace {

TEST(StatsTest, StatsJsonHasTheCounters) {
  std::unique_ptr<Engine> e;
  ASSERT_OK(Engine::Create(testing::SmallPages(), &e));
  ASSERT_OK(e->Put("a", "1", 1, nullptr).status);
  std::string stats = e->StatsJson();
  EXPECT_NE(stats.find("\"liveKeys\":1"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"memoryPressure\""), std::string::npos);
  EXPECT_NE(stats.find("\"hlc\":\"0000000000010000\""), std::string::npos)
      << stats;
}

TEST(StatsTest, ClockIsTheGreatestTimestampIssuedOrSeen) {
  std::unique_ptr<Engine> e;
  ASSERT_OK(Engine::Create(testing::SmallPages(), &e));
  EXPECT_EQ(e->Clock(), 0u);
  WriteResult w = e->Put("a", "1", 5, nullptr);
  ASSERT_OK(w.status);
  EXPECT_EQ(e->Clock(), w.version.hlc);
  // A remote write from the future moves the clock forward...
  Record remote{"b", "2", {Hlc::Pack(1000, 3), "other"}, false};
  ASSERT_OK(e->MergeRemote(remote, 5, nullptr).status);
  EXPECT_EQ(e->Clock(), Hlc::Pack(1000, 3));
  // ...and the next local write lands after it.
  w = e->Put("c", "3", 5, nullptr);
  EXPECT_GT(w.version.hlc, Hlc::Pack(1000, 3));
  EXPECT_EQ(e->Clock(), w.version.hlc);
  EXPECT_EQ(e->Clock(), e->Stats().hlc);
}

}  // namespace
}  // namespace paging_storage
