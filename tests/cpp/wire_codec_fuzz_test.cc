// Malformed input for every decoder of wasm/wire_codec.h: each truncation of
// a valid input is refused (for `ops`, read to the end of input, exactly the
// ones that cut between two ops are whole), trailing bytes are refused, and
// 20,000 seeded random mutations per decoder never crash or over-read (the
// ASan/UBSan run checks that) and are either refused with InvalidArgument or
// canonical: encoding what was decoded gives back the very same bytes, so no
// trailing garbage or alternative encoding is ever accepted.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"
#include "wire_codec.h"

namespace paging_storage {
namespace {

struct Production {
  std::string name;
  std::vector<std::string> samples;  // valid inputs
  // Decodes; when that succeeds, encodes the result again into *again.
  std::function<Status(std::string_view, std::string* again)> round_trip;
};

template <typename T>
std::string Encoded(void (*encode)(const T&, std::string*), const T& value) {
  std::string out;
  encode(value, &out);
  return out;
}

std::vector<WriteOp> SampleOps() {
  std::vector<WriteOp> ops(4);
  ops[0].record = {"a", "{\"n\":1}", {}, false};
  ops[1].type = WriteOp::Type::kDelete;
  ops[1].record.key = "b";
  ops[2].type = WriteOp::Type::kMerge;
  ops[2].record = {"c", std::string(130, 'v'), {0x0102030405060708, "p2"}};
  ops[3].type = WriteOp::Type::kMerge;
  ops[3].record = {"d", "", {9, "p3"}, true};
  return ops;
}

KeyAnswers SampleAnswers() {
  KeyAnswers a;
  a.over_budget = true;
  a.answers.resize(5);
  a.answers[0].record = {"", "value", {7, "peer"}, false};
  a.answers[1].status = Status::NotFound();
  a.answers[2].status = Status::NotResident();
  a.answers[2].missing_page = 300;
  a.answers[3].status = Status::Corruption("bad page");
  a.answers[4].record = {"", "", {8, "me"}, true};
  return a;
}

ScanOptions SampleScan() {
  ScanOptions o;
  o.start = "k1";
  o.end = "k9";
  o.has_end = true;
  o.reverse = true;
  o.include_tombstones = true;
  o.limit = 200;
  return o;
}

std::vector<Production> Productions() {
  std::vector<Production> out;
  std::vector<WriteOp> ops = SampleOps();
  out.push_back({"ops",
                 {Encoded(EncodeOps, ops),
                  Encoded<std::vector<WriteOp>>(EncodeOps, {ops[3]})},
                 [](std::string_view b, std::string* again) {
                   std::vector<WriteOp> v;
                   Status s = DecodeOps(b, &v);
                   if (s.ok()) EncodeOps(v, again);
                   return s;
                 }});

  BatchReply reply;
  reply.status = Status::NotResident();
  reply.pages = 200;
  reply.batch.next = 2;
  reply.batch.missing_page = 5;
  reply.batch.results.resize(2);
  reply.batch.results[0].applied = true;
  reply.batch.results[0].version = {77, "peer"};
  reply.batch.results[1].status = Status::InvalidArgument("key is empty");
  std::string results, malformed;
  EncodeResults(reply, "me", &results);
  EncodeResults(
      MakeBatchReply(Status::InvalidArgument("ops: truncated"), false, 3, {}),
      "me", &malformed);
  out.push_back({"results",
                 {results, malformed},
                 [](std::string_view b, std::string* again) {
                   BatchReply r;
                   Status s = DecodeResults(b, &r);
                   if (s.ok()) EncodeResults(r, "", again);
                   return s;
                 }});

  out.push_back({"keys",
                 {Encoded<std::vector<std::string_view>>(
                      EncodeKeys, {"a", "", std::string_view("\0b", 2)}),
                  std::string(1, '\0')},
                 [](std::string_view b, std::string* again) {
                   std::vector<std::string_view> v;
                   Status s = DecodeKeys(b, &v);
                   if (s.ok()) EncodeKeys(v, again);
                   return s;
                 }});
  out.push_back({"values",
                 {Encoded(EncodeValues, SampleAnswers())},
                 [](std::string_view b, std::string* again) {
                   KeyAnswers a;
                   Status s = DecodeValues(b, &a);
                   if (s.ok()) EncodeValues(a, again);
                   return s;
                 }});
  out.push_back({"looked",
                 {Encoded(EncodeLooked, SampleAnswers())},
                 [](std::string_view b, std::string* again) {
                   KeyAnswers a;
                   Status s = DecodeLooked(b, &a);
                   if (s.ok()) EncodeLooked(a, again);
                   return s;
                 }});
  out.push_back(
      {"scan",
       {Encoded(EncodeScan, SampleScan()), Encoded(EncodeScan, ScanOptions{})},
       [](std::string_view b, std::string* again) {
         ScanOptions o;
         Status s = DecodeScan(b, &o);
         if (s.ok()) EncodeScan(o, again);
         return s;
       }});

  ScanReply scanned;
  scanned.status = Status::NotResident();
  scanned.result.missing_page = 4;
  scanned.result.resume = SampleScan();
  scanned.result.records = {{"a", "1", {3, "p"}, false},
                            {"b", "", {4, "q"}, true}};
  ScanReply failed;
  failed.status = Status::Corruption("page 4");
  out.push_back(
      {"scanned",
       {Encoded(EncodeScanned, scanned), Encoded(EncodeScanned, failed)},
       [](std::string_view b, std::string* again) {
         ScanReply r;
         Status s = DecodeScanned(b, &r);
         if (s.ok()) EncodeScanned(r, again);
         return s;
       }});

  out.push_back({"records",
                 {Encoded<std::vector<std::string_view>>(EncodeRecords,
                                                         {"r1", "r22", ""})},
                 [](std::string_view b, std::string* again) {
                   std::vector<std::string_view> v;
                   Status s = DecodeRecords(b, &v);
                   if (s.ok()) EncodeRecords(v, again);
                   return s;
                 }});

  FlushBatch flush;
  flush.engine_state = "state";
  flush.pages.push_back({3, "page-3", "rec-3", 0});
  flush.pages.push_back({200, std::string(140, 'p'), "rec", 0});
  flush.deleted_pages = {5, 1000};
  out.push_back(
      {"flush",
       {Encoded(EncodeFlush, flush), Encoded<FlushBatch>(EncodeFlush, {})},
       [](std::string_view b, std::string* again) {
         FlushBatch f;
         Status s = DecodeFlush(b, &f);
         if (s.ok()) EncodeFlush(f, again);
         return s;
       }});
  out.push_back({"ids",
                 {Encoded<std::vector<PageId>>(EncodeIds, {1, 300, 1u << 30})},
                 [](std::string_view b, std::string* again) {
                   std::vector<PageId> v;
                   Status s = DecodeIds(b, &v);
                   if (s.ok()) EncodeIds(v, again);
                   return s;
                 }});
  PurgeRequest purge{0x0102030405060708, 16, "k000123"};
  out.push_back({"purge",
                 {Encoded(EncodePurgeRequest, purge),
                  Encoded<PurgeRequest>(EncodePurgeRequest, {})},
                 [](std::string_view b, std::string* again) {
                   PurgeRequest r;
                   Status s = DecodePurgeRequest(b, &r);
                   if (s.ok()) EncodePurgeRequest(r, again);
                   return s;
                 }});
  PurgeReply stopped;
  stopped.status = Status::NotResident();
  stopped.result.purged = 300;
  stopped.result.resume_start = "k5";
  stopped.result.missing_pages = {7, 9, 1u << 20};
  PurgeReply done;
  done.result.purged = 2;
  PurgeReply broken;
  broken.status = Status::Corruption("page 3 failed to load");
  out.push_back({"purged",
                 {Encoded(EncodePurged, stopped), Encoded(EncodePurged, done),
                  Encoded(EncodePurged, broken)},
                 [](std::string_view b, std::string* again) {
                   PurgeReply r;
                   Status s = DecodePurged(b, &r);
                   if (s.ok()) EncodePurged(r, again);
                   return s;
                 }});
  std::string clock;
  EncodeClock(0x00ff00ff00ff00ff, &clock);
  out.push_back({"clock", {clock}, [](std::string_view b, std::string* again) {
                   uint64_t hlc = 0;
                   Status s = DecodeClock(b, &hlc);
                   if (s.ok()) EncodeClock(hlc, again);
                   return s;
                 }});
  return out;
}

class WireCodecFuzzTest : public ::testing::TestWithParam<size_t> {
 protected:
  const Production& production() const { return productions_[GetParam()]; }
  std::vector<Production> productions_ = Productions();
};

TEST_P(WireCodecFuzzTest, SamplesRoundTripExactly) {
  for (const std::string& sample : production().samples) {
    std::string again;
    ASSERT_OK(production().round_trip(sample, &again));
    EXPECT_EQ(again, sample);
  }
}

TEST_P(WireCodecFuzzTest, EveryTruncationIsRefused) {
  std::vector<WriteOp> ops = SampleOps();
  std::vector<size_t> op_ends;  // `ops` prefixes that hold whole ops
  std::string encoded;
  for (const WriteOp& op : ops) {
    EncodeOps({op}, &encoded);
    op_ends.push_back(encoded.size());
  }
  for (const std::string& sample : production().samples) {
    for (size_t n = 0; n < sample.size(); ++n) {
      std::string again;
      Status s = production().round_trip(sample.substr(0, n), &again);
      bool whole_ops =
          production().name == "ops" &&
          (n == 0 || (sample == encoded &&
                      std::count(op_ends.begin(), op_ends.end(), n) == 1));
      if (whole_ops) {
        EXPECT_TRUE(s.ok()) << n;
      } else {
        EXPECT_TRUE(s.IsInvalidArgument())
            << "prefix " << n << " of " << sample.size();
        EXPECT_FALSE(s.message().empty());
      }
    }
  }
}

TEST_P(WireCodecFuzzTest, TrailingBytesAreRefused) {
  for (const std::string& sample : production().samples) {
    // None of these is a whole op either: `ops` refuses them as truncated.
    for (std::string tail :
         {std::string(1, '\0'), std::string("x"), std::string("\xff\xff"),
          std::string("\x01\x05"
                      "ab")}) {
      std::string again;
      Status s = production().round_trip(sample + tail, &again);
      EXPECT_TRUE(s.IsInvalidArgument()) << tail.size();
    }
  }
}

TEST_P(WireCodecFuzzTest, MutantsAreRefusedOrCanonical) {
  const Production& p = production();
  std::mt19937_64 rng(20261130 + GetParam());
  int rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string mutant =
        testing::MutateBytes(p.samples[i % p.samples.size()], rng);
    std::string again;
    Status s = p.round_trip(mutant, &again);
    if (s.ok()) {
      ASSERT_EQ(again, mutant) << "accepted a non-canonical mutant " << i;
    } else {
      ++rejected;
      ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
    }
  }
  // Edits inside a value or a key can stay valid; most mutants must not.
  EXPECT_GT(rejected, 10000) << p.name;
  RecordProperty("rejected", rejected);
}

INSTANTIATE_TEST_SUITE_P(EveryDecoder, WireCodecFuzzTest,
                         ::testing::Range(size_t{0}, Productions().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return Productions()[info.param].name;
                         });

}  // namespace
}  // namespace paging_storage
