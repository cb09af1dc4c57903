// The consistent-hash ring: input validation, determinism (a protocol
// property), replica-set shape, key movement on joins and leaves, and load
// balance with the default 128 virtual nodes.
#include "paging_storage/ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;

// n peer ids shaped like PeerPigeon's (40 hex digits), sorted.
std::vector<std::string> PeerIds(size_t n, uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%016llx%016llx%08llx",
                  static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng() & 0xffffffffu));
    ids.push_back(buf);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The replica set of `key` as member ids, ordered by id.
std::set<std::string> ReplicaIds(const Ring& ring, const std::string& key,
                                 size_t rf) {
  std::vector<uint32_t> idx;
  ring.ReplicasFor(key, rf, &idx);
  std::set<std::string> out;
  for (uint32_t m : idx) out.insert(ring.members()[m]);
  return out;
}

double CoefficientOfVariation(const std::vector<double>& xs) {
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= xs.size();
  double var = 0;
  for (double x : xs) var += (x - mean) * (x - mean);
  var /= xs.size();
  return std::sqrt(var) / mean;
}

TEST(RingTest, RejectsUnsortedDuplicateAndEmptyIds) {
  Ring ring;
  ASSERT_OK(ring.SetMembers({"a", "b", "c"}));
  EXPECT_TRUE(ring.SetMembers({"b", "a"}).IsInvalidArgument());
  EXPECT_TRUE(ring.SetMembers({"a", "a"}).IsInvalidArgument());
  EXPECT_TRUE(ring.SetMembers({"a", ""}).IsInvalidArgument());
  EXPECT_TRUE(ring.SetMembers({""}).IsInvalidArgument());
  // Byte order: "\xff" sorts after "z" (unsigned bytes).
  EXPECT_OK(Ring().SetMembers({"z", "\xff"}));
  EXPECT_TRUE(Ring().SetMembers({"\xff", "z"}).IsInvalidArgument());
  // A refused membership leaves the old one in place.
  EXPECT_EQ(ring.members(), (std::vector<std::string>{"a", "b", "c"}));
  std::vector<uint32_t> out;
  ring.ReplicasFor("k", 3, &out);
  EXPECT_EQ(out.size(), 3u);
}

TEST(RingTest, SameMembersSameAnswersWhateverTheArrivalOrder) {
  std::vector<std::string> ids = PeerIds(12);
  std::vector<std::string> shuffled = ids;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
  // Callers sort (the API requires it); arrival order must not matter.
  std::sort(shuffled.begin(), shuffled.end());
  Ring a, b;
  ASSERT_OK(a.SetMembers(ids));
  ASSERT_OK(b.SetMembers(shuffled));
  std::vector<uint32_t> ra, rb;
  for (int i = 0; i < 2000; ++i) {
    a.ReplicasFor(Key(i), 3, &ra);
    b.ReplicasFor(Key(i), 3, &rb);
    ASSERT_EQ(ra, rb) << Key(i);
  }
  EXPECT_EQ(a.ReplicaShare(3), b.ReplicaShare(3));
}

// Pins the token functions and the walk: these values are the protocol.
// If this fails, peers built before and after the change disagree on
// placement; bump the protocol version instead of updating the numbers.
TEST(RingTest, TokensArePinned) {
  EXPECT_EQ(Ring::KeyToken(""), 0x99832edc9adfd3ecull);
  EXPECT_EQ(Ring::KeyToken("k000001"), 0xc772dcd55b811418ull);
  EXPECT_EQ(Ring::VnodeToken("peer", 0), 0xa56989fd5aa473a9ull);
  EXPECT_EQ(Ring::VnodeToken("peer", 127), 0x728c809b4b4f9756ull);
  Ring ring;
  ASSERT_OK(ring.SetMembers({"alice", "bob", "carol", "dave", "erin"}));
  std::vector<uint32_t> out;
  ring.ReplicasFor("k000001", 3, &out);
  EXPECT_EQ(out, (std::vector<uint32_t>{2, 0, 3}));
}

TEST(RingTest, ReplicasAreDistinctAndFollowTheCircle) {
  Ring ring(16);
  std::vector<std::string> ids = PeerIds(7);
  ASSERT_OK(ring.SetMembers(ids));
  // The walk, done the slow way.
  std::vector<std::pair<uint64_t, uint32_t>> circle;
  for (uint32_t m = 0; m < ids.size(); ++m) {
    for (uint32_t v = 0; v < 16; ++v) {
      circle.emplace_back(Ring::VnodeToken(ids[m], v), m);
    }
  }
  std::sort(circle.begin(), circle.end());
  std::vector<uint32_t> got;
  for (int i = 0; i < 1000; ++i) {
    for (size_t rf : {1, 3, 7, 20}) {
      uint64_t t = Ring::KeyToken(Key(i));
      size_t first = 0;
      while (first < circle.size() && circle[first].first < t) ++first;
      std::vector<uint32_t> want;
      for (size_t j = 0; want.size() < std::min<size_t>(rf, 7); ++j) {
        uint32_t m = circle[(first + j) % circle.size()].second;
        if (std::find(want.begin(), want.end(), m) == want.end()) {
          want.push_back(m);
        }
      }
      ring.ReplicasFor(Key(i), rf, &got);
      ASSERT_EQ(got, want) << Key(i) << " rf " << rf;
    }
  }
}

TEST(RingTest, SmallRings) {
  Ring ring;
  std::vector<uint32_t> out{9};
  ring.ReplicasFor("k", 3, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(ring.ReplicaShare(3).empty());

  ASSERT_OK(ring.SetMembers({"only"}));
  ring.ReplicasFor("k", 3, &out);
  EXPECT_EQ(out, std::vector<uint32_t>{0});
  ring.ReplicasFor("k", 0, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_DOUBLE_EQ(ring.ReplicaShare(3)[0], 1.0);

  ASSERT_OK(ring.SetMembers({"x", "y"}));
  ring.ReplicasFor("k", 5, &out);  // rf > N: every member once
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1}));

  ASSERT_OK(ring.SetMembers({}));
  ring.ReplicasFor("k", 3, &out);
  EXPECT_TRUE(out.empty());

  Ring one_vnode(0);  // 0 is taken as 1
  EXPECT_EQ(one_vnode.virtual_nodes(), 1u);
  ASSERT_OK(one_vnode.SetMembers({"solo"}));
  EXPECT_DOUBLE_EQ(one_vnode.ReplicaShare(1)[0], 1.0);
}

TEST(RingTest, SharesSumToReplicationFactor) {
  Ring ring;
  ASSERT_OK(ring.SetMembers(PeerIds(10)));
  for (size_t rf : {1, 2, 3, 10, 15}) {
    double sum = 0;
    for (double s : ring.ReplicaShare(rf)) sum += s;
    EXPECT_NEAR(sum, std::min<size_t>(rf, 10), 1e-9) << "rf " << rf;
  }
}

// One member of 30 joining or leaving should move about rf/N of the keys
// (those whose replica set includes it), not reshuffle everything.
TEST(RingTest, JoinAndLeaveMoveAboutRfOverNOfTheKeys) {
  constexpr int kKeys = 20000;
  std::vector<std::string> ids = PeerIds(31);
  std::vector<std::string> thirty(ids.begin(), ids.begin() + 30);
  Ring before, joined, left;
  ASSERT_OK(before.SetMembers(thirty));
  ASSERT_OK(joined.SetMembers(ids));  // ids[30] joins
  std::vector<std::string> twenty_nine = thirty;
  twenty_nine.erase(twenty_nine.begin() + 11);  // ids[11] leaves
  ASSERT_OK(left.SetMembers(twenty_nine));
  for (size_t rf : {1, 3}) {
    int moved_join = 0, moved_leave = 0;
    for (int i = 0; i < kKeys; ++i) {
      std::string key = "user/" + std::to_string(i);
      std::set<std::string> b = ReplicaIds(before, key, rf);
      if (b != ReplicaIds(joined, key, rf)) ++moved_join;
      if (b != ReplicaIds(left, key, rf)) ++moved_leave;
    }
    double join = double(moved_join) / kKeys;
    double leave = double(moved_leave) / kKeys;
    double want_join = double(rf) / 31, want_leave = double(rf) / 30;
    std::printf(
        "[ring] rf=%zu: join moves %.4f of keys (rf/(N+1)=%.4f), leave "
        "moves %.4f (rf/N=%.4f)\n",
        rf, join, want_join, leave, want_leave);
    EXPECT_NEAR(join, want_join, 0.25 * want_join) << "rf " << rf;
    EXPECT_NEAR(leave, want_leave, 0.25 * want_leave) << "rf " << rf;
  }
}

TEST(RingTest, LoadBalanceWith128VirtualNodes) {
  Ring ring;  // 128 vnodes
  ASSERT_OK(ring.SetMembers(PeerIds(30)));
  for (size_t rf : {1, 3}) {
    double share_cv = CoefficientOfVariation(ring.ReplicaShare(rf));
    std::vector<double> counts(30, 0);
    std::vector<uint32_t> out;
    for (int i = 0; i < 20000; ++i) {
      ring.ReplicasFor("user/" + std::to_string(i), rf, &out);
      for (uint32_t m : out) counts[m] += 1;
    }
    double count_cv = CoefficientOfVariation(counts);
    std::printf(
        "[ring] 30 members x 128 vnodes, rf=%zu: std-dev/mean of share "
        "%.4f, of key counts (20000 keys) %.4f\n",
        rf, share_cv, count_cv);
    EXPECT_LE(share_cv, 0.10) << "rf " << rf;
    // rf 1 key counts carry ~2% sampling noise on top of the share's spread.
    if (rf == 3) EXPECT_LE(count_cv, 0.10);
  }
}

TEST(RingTest, WeightsAreCheckedOnePerMember) {
  Ring ring;
  EXPECT_TRUE(ring.SetMembers({"a", "b"}, {1}).IsInvalidArgument());
  EXPECT_TRUE(ring.SetMembers({"a", "b"}, {1, 17}).IsInvalidArgument());
  ASSERT_OK(ring.SetMembers({"a", "b"}, {0, 16}));
  EXPECT_EQ(ring.weights(), (std::vector<uint8_t>{0, 16}));
  ASSERT_OK(ring.SetMembers({"a", "b"}));
  EXPECT_EQ(ring.weights(), (std::vector<uint8_t>{1, 1}));
}

// A full replica is in every replica set, after the rf members the circle
// gives; the others' sets are those of the ring without it.
TEST(RingTest, AFullReplicaHoldsEveryKeyBesideTheCircle) {
  std::vector<std::string> ids = PeerIds(6);
  std::vector<std::string> others(ids.begin(), ids.end() - 1);
  Ring with;
  std::vector<uint8_t> weights(ids.size(), 1);
  weights.back() = Ring::kFullReplica;
  ASSERT_OK(with.SetMembers(ids, weights));
  Ring without;
  ASSERT_OK(without.SetMembers(others));
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint32_t> a, b;
    with.ReplicasFor(Key(i), 3, &a);
    without.ReplicasFor(Key(i), 3, &b);
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a.back(), ids.size() - 1);
    EXPECT_EQ(std::vector<uint32_t>(a.begin(), a.end() - 1), b) << i;
  }
  std::vector<double> share = with.ReplicaShare(3);
  EXPECT_DOUBLE_EQ(share.back(), 1.0);
  double sum = 0;
  for (double x : share) sum += x;
  EXPECT_NEAR(sum, 4.0, 1e-9);
  // Only full replicas: each holds everything.
  Ring servers;
  ASSERT_OK(servers.SetMembers({"s1", "s2"}, {0, 0}));
  std::vector<uint32_t> r;
  servers.ReplicasFor("k", 3, &r);
  EXPECT_EQ(r, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(servers.ReplicaShare(3), (std::vector<double>{1.0, 1.0}));
}

// Weight w: w times the tokens, about w times the share; the others keep
// their tokens (a weight-1 ring answers as before weights existed).
TEST(RingTest, AWeightedMemberTakesAboutItsWeightInShare) {
  std::vector<std::string> ids = PeerIds(5);
  std::vector<uint8_t> weights(ids.size(), 1);
  weights[2] = 4;
  Ring ring;
  ASSERT_OK(ring.SetMembers(ids, weights));
  std::vector<double> share = ring.ReplicaShare(1);
  double rest = 0;
  for (size_t i = 0; i < ids.size(); ++i) rest += i == 2 ? 0 : share[i];
  // 4 of 8 tokens' worth: about half of the key space.
  EXPECT_NEAR(share[2], 0.5, 0.08);
  EXPECT_NEAR(rest, 0.5, 0.08);
  Ring plain;
  ASSERT_OK(plain.SetMembers(ids));
  Ring ones;
  ASSERT_OK(ones.SetMembers(ids, std::vector<uint8_t>(ids.size(), 1)));
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(ReplicaIds(plain, Key(i), 3), ReplicaIds(ones, Key(i), 3));
  }
}

}  // namespace
}  // namespace paging_storage
