// The wasm boundary's ring and sync codecs (wasm/sync_codec.h): round trips,
// and malformed bytes (truncated, oversized counts, mutants, noise) refused
// with InvalidArgument, never a crash or an over-read (run under ASan).
#include "sync_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "coding.h"
#include "test_util.h"

namespace paging_storage {
namespace {

std::string ValidRequest() {
  std::string b;
  PutVarint64(&b, 3);  // rf
  PutVarint64(&b, 2);  // self
  PutLengthPrefixed(&b, "k000100");
  PutVarint64(&b, 2);    // count
  PutVarint64(&b, 1);    // peer
  b.push_back(8);        // bits
  PutVarint64(&b, 200);  // prefix
  b.push_back(0);
  PutVarint64(&b, 4);
  b.push_back(0);
  PutVarint64(&b, 0);
  b.push_back(1);
  return b;
}

TEST(SyncCodecTest, DecodesARequest) {
  SyncRequest r;
  ASSERT_OK(DecodeSyncRequest(ValidRequest(), &r));
  EXPECT_EQ(r.rf, 3u);
  EXPECT_EQ(r.self, 2u);
  EXPECT_EQ(r.start, "k000100");
  ASSERT_EQ(r.queries.size(), 2u);
  EXPECT_EQ(r.queries[0].peer, 1u);
  EXPECT_EQ(r.queries[0].bits, 8);
  EXPECT_EQ(r.queries[0].prefix, 200u);
  EXPECT_FALSE(r.queries[0].entries);
  EXPECT_EQ(r.queries[1].peer, 4u);
  EXPECT_TRUE(r.queries[1].entries);
}

TEST(SyncCodecTest, RefusesEveryTruncationAndTrailingBytes) {
  std::string valid = ValidRequest();
  for (size_t n = 0; n < valid.size(); ++n) {
    SyncRequest r;
    EXPECT_TRUE(DecodeSyncRequest(valid.substr(0, n), &r).IsInvalidArgument())
        << n;
  }
  SyncRequest r;
  EXPECT_TRUE(DecodeSyncRequest(valid + "x", &r).IsInvalidArgument());
  std::string bad_flag = valid;
  bad_flag.back() = 2;
  EXPECT_TRUE(DecodeSyncRequest(bad_flag, &r).IsInvalidArgument());
}

TEST(SyncCodecTest, RefusesHugeCounts) {
  std::string b;
  PutVarint64(&b, 3);
  PutVarint64(&b, 0);
  PutLengthPrefixed(&b, "");
  PutVarint64(&b, uint64_t{1} << 40);
  SyncRequest r;
  EXPECT_TRUE(DecodeSyncRequest(b, &r).IsInvalidArgument());
  std::string m;
  PutVarint64(&m, uint64_t{1} << 40);
  std::vector<std::string> members;
  std::vector<uint8_t> weights;
  EXPECT_TRUE(DecodeRingMembers(m, &members, &weights).IsInvalidArgument());
  // self above 32 bits
  std::string big;
  PutVarint64(&big, 3);
  PutVarint64(&big, uint64_t{1} << 33);
  PutLengthPrefixed(&big, "");
  PutVarint64(&big, 0);
  EXPECT_TRUE(DecodeSyncRequest(big, &r).IsInvalidArgument());
}

TEST(SyncCodecTest, RequestRoundTripsThroughItsEncoder) {
  SyncRequest r;
  ASSERT_OK(DecodeSyncRequest(ValidRequest(), &r));
  std::string again;
  EncodeSyncRequest(r, &again);
  EXPECT_EQ(again, ValidRequest());
}

// Mutants and pure noise are refused with InvalidArgument or canonical:
// re-encoding what was accepted gives the same bytes (no trailing garbage).
TEST(SyncCodecTest, MutantsAreRefusedOrCanonical) {
  std::mt19937_64 rng(42);
  std::string request = ValidRequest();
  std::string members;
  EncodeRingMembers({"alice", "bob", "carol"}, {1, 0, 4}, &members);
  int rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string b;
    if (i % 4 == 0) {
      b.assign(rng() % 40, '\0');
      for (char& c : b) c = static_cast<char>(rng());
    } else {
      b = testing::MutateBytes(i % 2 ? request : members, rng);
    }
    SyncRequest r;
    std::string again;
    Status s = DecodeSyncRequest(b, &r);
    if (s.ok()) {
      EncodeSyncRequest(r, &again);
      ASSERT_EQ(again, b) << i;
    } else {
      ASSERT_TRUE(s.IsInvalidArgument());
      ++rejected;
    }
    std::vector<std::string> ids;
    std::vector<uint8_t> weights;
    s = DecodeRingMembers(b, &ids, &weights);
    if (s.ok()) {
      again.clear();
      EncodeRingMembers(ids, weights, &again);
      ASSERT_EQ(again, b) << i;
    } else {
      ASSERT_TRUE(s.IsInvalidArgument());
    }
  }
  EXPECT_GT(rejected, 10000);
}

TEST(SyncCodecTest, MembersRoundTrip) {
  std::string b;
  PutVarint64(&b, 2);
  PutLengthPrefixed(&b, "alice");
  PutLengthPrefixed(&b, "bob");
  std::vector<std::string> members;
  std::vector<uint8_t> weights;
  ASSERT_OK(DecodeRingMembers(b, &members, &weights));
  EXPECT_EQ(members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(weights.empty());
  std::string again;
  EncodeRingMembers(members, weights, &again);
  EXPECT_EQ(again, b);
  // One weight byte per member, or none.
  ASSERT_OK(
      DecodeRingMembers(b + std::string("\x00\x03", 2), &members, &weights));
  EXPECT_EQ(weights, (std::vector<uint8_t>{0, 3}));
  EXPECT_TRUE(
      DecodeRingMembers(b + "z", &members, &weights).IsInvalidArgument());
  EXPECT_TRUE(
      DecodeRingMembers(b + "zzz", &members, &weights).IsInvalidArgument());
  EXPECT_TRUE(DecodeRingMembers("", &members, &weights).IsInvalidArgument());
}

TEST(SyncCodecTest, EncodesReplicasAndShares) {
  std::string out;
  EncodeReplicas({{2, 0}, {}, {130}}, &out);
  EXPECT_EQ(out, std::string("\x03\x02\x02\x00\x00\x01\x82\x01", 8));
  out.clear();
  EncodeShares({0.5, 1.0}, &out);
  Reader in(out);
  uint64_t count = 0, bits = 0;
  ASSERT_TRUE(in.GetVarint64(&count) && in.GetFixed64(&bits));
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(bits, 0x3fe0000000000000u);  // 0.5
  ASSERT_TRUE(in.GetFixed64(&bits));
  EXPECT_EQ(bits, 0x3ff0000000000000u);  // 1.0
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(SyncCodecTest, EncodesAnswers) {
  // Only the answers that hold something, with their query index: the
  // first and last, not the empty ones between.
  std::vector<SyncQuery> qs = {
      {1, 0, 0, false}, {1, 4, 1, false}, {1, 4, 3, true}, {1, 4, 2, true}};
  std::vector<SyncAnswer> answers(4);
  answers[0].child_count[3] = 5;
  answers[0].child_digest[3] = 0x0102030405060708ull;
  Record& e = answers[3].entries.emplace_back();
  e.key = "k";
  e.version = {7, "peer"};
  e.tombstone = true;

  std::string out;
  EncodeSyncResponse(Status::NotResident(), 9, "resume-key", qs, answers, &out);
  Reader in(out);
  uint8_t code = 0, tomb = 0;
  uint64_t page = 0, count = 0, n = 0, hlc = 0;
  std::string_view resume, key, origin;
  ASSERT_TRUE(in.GetByte(&code) && in.GetVarint64(&page) &&
              in.GetLengthPrefixed(&resume) && in.GetVarint64(&count));
  EXPECT_EQ(code, 4);
  EXPECT_EQ(page, 9u);
  EXPECT_EQ(resume, "resume-key");
  EXPECT_EQ(count, 2u);
  uint64_t index = 9;
  ASSERT_TRUE(in.GetVarint64(&index));
  EXPECT_EQ(index, 0u);
  for (size_t c = 0; c < kSyncChildren; ++c) {
    uint64_t digest = 0;
    ASSERT_TRUE(in.GetVarint64(&n) && in.GetFixed64(&digest));
    EXPECT_EQ(n, c == 3 ? 5u : 0u);
    EXPECT_EQ(digest, c == 3 ? 0x0102030405060708ull : 0u);
  }
  ASSERT_TRUE(in.GetVarint64(&index));
  EXPECT_EQ(index, 3u);
  ASSERT_TRUE(in.GetVarint64(&n) && in.GetLengthPrefixed(&key) &&
              in.GetFixed64(&hlc) && in.GetLengthPrefixed(&origin) &&
              in.GetByte(&tomb));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(key, "k");
  EXPECT_EQ(hlc, 7u);
  EXPECT_EQ(origin, "peer");
  EXPECT_EQ(tomb, 1);
  EXPECT_EQ(in.remaining(), 0u);

  out.clear();
  EncodeSyncResponse(Status::InvalidArgument("bad"), 0, "", qs, {}, &out);
  Reader err(out);
  std::string_view message;
  ASSERT_TRUE(err.GetByte(&code) && err.GetLengthPrefixed(&message) &&
              err.GetVarint64(&count));
  EXPECT_EQ(code, 3);
  EXPECT_EQ(message, "bad");
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(err.remaining(), 0u);
}

}  // namespace
}  // namespace paging_storage
