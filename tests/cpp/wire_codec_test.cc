// The wasm boundary's engine-call codecs (wasm/wire_codec.h): every
// production round-trips field by field, the formats that existed before the
// codec moved keep their bytes, and the codecs drive a real engine the way
// EngineHandle does. Malformed input is in wire_codec_fuzz_test.cc.
#include "wire_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coding.h"
#include "test_util.h"

namespace paging_storage {
namespace {

WriteOp Op(WriteOp::Type type, std::string key, std::string value = "",
           Version version = {}, bool tombstone = false) {
  WriteOp op;
  op.type = type;
  op.record = {std::move(key), std::move(value), std::move(version), tombstone};
  return op;
}

void ExpectSameRecord(const Record& a, const Record& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.version.hlc, b.version.hlc);
  EXPECT_EQ(a.version.origin, b.version.origin);
  EXPECT_EQ(a.tombstone, b.tombstone);
}

TEST(WireCodecTest, OpsRoundTripEveryOpType) {
  std::vector<WriteOp> ops = {
      Op(WriteOp::Type::kPut, "a", "{\"n\":1}"),
      Op(WriteOp::Type::kDelete, "b"),
      Op(WriteOp::Type::kTombstone, "b2"),
      Op(WriteOp::Type::kMerge, "c", "x", {0x0102030405060708, "peer-2"}),
      Op(WriteOp::Type::kMerge, "d", "", {9, "peer-3"}, /*tombstone=*/true),
      Op(WriteOp::Type::kPut, "k\xc3\xa9", std::string(300, '\0')),
  };
  std::string bytes;
  EncodeOps(ops, &bytes);
  std::vector<WriteOp> got;
  ASSERT_OK(DecodeOps(bytes, &got));
  ASSERT_EQ(got.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ(got[i].type, ops[i].type) << i;
    ExpectSameRecord(got[i].record, ops[i].record);
  }
  // A merge tombstone is type, key, hlc, origin and the flag: no value.
  std::string tombstone;
  EncodeOps({ops[4]}, &tombstone);
  EXPECT_EQ(tombstone, std::string("\x02\x01"
                                   "d\x09\0\0\0\0\0\0\0\x06peer-3\x01",
                                   19));
  ASSERT_OK(DecodeOps("", &got));
  EXPECT_TRUE(got.empty());
}

TEST(WireCodecTest, OpsDecoderNamesWhatIsWrong) {
  std::vector<WriteOp> ops;
  Status s = DecodeOps(std::string("\x07\x01k", 3), &ops);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "ops: unknown op type");
  s = DecodeOps(std::string("\x02\x01k\1\0\0\0\0\0\0\0\0\x02", 13), &ops);
  EXPECT_EQ(s.message(), "ops: merge tombstone flag");
  s = DecodeOps(std::string("\x00\x01k", 3), &ops);
  EXPECT_EQ(s.message(), "ops: truncated put");
}

BatchReply SampleReply() {
  BatchReply reply;
  reply.status = Status::NotResident();
  reply.over_budget = true;
  reply.pages = 300;
  reply.batch.next = 4;
  reply.batch.missing_page = 17;
  std::vector<WriteResult>& r = reply.batch.results;
  r.resize(5);
  r[0].existed = r[0].applied = true;
  r[0].version = {0x1122334455667788, "me"};  // the local peer
  r[1].applied = true;
  r[1].version = {5, "other"};
  r[2].status = Status::InvalidArgument("key is empty");
  r[3].existed = true;      // a stale merge: nothing applied, no version
  r[3].other_value = true;  // of the stored version, with another value
  r[4].status = Status::NotResident("page 23");  // skipped: its page
  r[4].missing_page = 23;
  return reply;
}

TEST(WireCodecTest, ResultsRoundTripKeepsFlagsVersionsAndMessages) {
  std::string bytes;
  EncodeResults(SampleReply(), "me", &bytes);
  BatchReply got;
  ASSERT_OK(DecodeResults(bytes, &got));
  EXPECT_TRUE(got.status.IsNotResident());
  EXPECT_TRUE(got.over_budget);
  EXPECT_EQ(got.pages, 300u);
  EXPECT_EQ(got.batch.next, 4u);
  EXPECT_EQ(got.batch.missing_page, 17u);
  const std::vector<WriteResult>& r = got.batch.results;
  ASSERT_EQ(r.size(), 5u);
  EXPECT_TRUE(r[0].existed && r[0].applied && r[0].status.ok());
  EXPECT_EQ(r[0].version.hlc, 0x1122334455667788u);
  EXPECT_EQ(r[0].version.origin, "");  // "" stands for the local peer
  EXPECT_EQ(r[1].version.origin, "other");
  EXPECT_FALSE(r[1].existed);
  EXPECT_TRUE(r[2].status.IsInvalidArgument());
  EXPECT_EQ(r[2].status.message(), "key is empty");
  EXPECT_TRUE(r[3].existed);
  EXPECT_TRUE(r[3].other_value);
  EXPECT_FALSE(r[1].other_value);
  EXPECT_FALSE(r[3].applied);
  EXPECT_EQ(r[3].version.hlc, 0u);
  EXPECT_TRUE(r[4].status.IsNotResident());
  EXPECT_EQ(r[4].missing_page, 23u) << "a skipped op names its page";
}

TEST(WireCodecTest, ResultsKeepTheirBytes) {
  std::string bytes;
  EncodeResults(SampleReply(), "me", &bytes);
  std::string want = "\x04\x01";  // NotResident, over budget
  PutVarint64(&want, 300);
  want += "\x04\x11\x05";  // next, missing_page, count
  want += std::string("\x00\x07", 2);
  PutFixed64(&want, 0x1122334455667788);
  want.push_back('\0');  // origin "": the local peer
  want += std::string("\x00\x06", 2);
  PutFixed64(&want, 5);
  PutLengthPrefixed(&want, "other");
  want += std::string("\x03\x00", 2);
  PutLengthPrefixed(&want, "key is empty");
  want += std::string("\x00\x11", 2);      // existed, other value
  want += std::string("\x04\x00\x17", 3);  // skipped: its page, no message
  EXPECT_EQ(bytes, want);
}

TEST(WireCodecTest, MalformedBatchIsOneResultCarryingTheError) {
  BatchResult partial;
  partial.next = 2;
  partial.results.resize(2);
  BatchReply reply = MakeBatchReply(Status::InvalidArgument("ops: truncated"),
                                    /*over_budget=*/true, 7, partial);
  std::string bytes;
  EncodeResults(reply, "me", &bytes);
  // code, state 0, pages, next 0, missing 0, one result: code, flags 0, text.
  std::string want("\x03\x00\x07\x00\x00\x01\x03\x00", 8);
  PutLengthPrefixed(&want, "ops: truncated");
  EXPECT_EQ(bytes, want);

  BatchReply got;
  ASSERT_OK(DecodeResults(bytes, &got));
  EXPECT_TRUE(got.status.IsInvalidArgument());
  ASSERT_EQ(got.batch.results.size(), 1u);
  EXPECT_EQ(got.batch.results[0].status.message(), "ops: truncated");
}

TEST(WireCodecTest, MakeBatchReplyKeepsAStoppedBatch) {
  BatchResult batch;
  batch.next = 1;
  batch.missing_page = 9;
  batch.results.resize(1);
  BatchReply reply = MakeBatchReply(Status::NotResident(), true, 3, batch);
  EXPECT_TRUE(reply.over_budget);
  EXPECT_EQ(reply.pages, 3u);
  EXPECT_EQ(reply.batch.next, 1u);
  EXPECT_EQ(reply.batch.missing_page, 9u);
  EXPECT_EQ(reply.batch.results.size(), 1u);
}

TEST(WireCodecTest, KeysRoundTrip) {
  std::string long_key(300, 'k');
  std::vector<std::string_view> keys = {"a", "", "\xd0\xba", long_key};
  std::string bytes;
  EncodeKeys(keys, &bytes);
  std::vector<std::string_view> got;
  ASSERT_OK(DecodeKeys(bytes, &got));
  EXPECT_EQ(got, keys);
}

KeyAnswers SampleAnswers() {
  KeyAnswers a;
  a.over_budget = true;
  a.answers.resize(7);
  a.answers[0].record.value.assign("v\0v", 3);
  a.answers[0].record.version = {7, "peer"};
  a.answers[1].status = Status::NotFound();
  a.answers[2].status = Status::NotResident();
  a.answers[2].missing_page = uint64_t{1} << 40;
  a.answers[3].status = Status::Corruption("page 3: checksum");
  a.answers[4].status = Status::InvalidArgument("key is empty");
  a.answers[5].status = Status::Busy("busy");
  a.answers[6].record = {"", "", {8, "me"}, true};
  return a;
}

TEST(WireCodecTest, ValuesRoundTripEveryAnswerKind) {
  std::string bytes;
  EncodeValues(SampleAnswers(), &bytes);
  KeyAnswers got;
  ASSERT_OK(DecodeValues(bytes, &got));
  EXPECT_TRUE(got.over_budget);
  ASSERT_EQ(got.answers.size(), 7u);
  EXPECT_EQ(got.answers[0].record.value, std::string("v\0v", 3));
  EXPECT_TRUE(got.answers[1].status.IsNotFound());
  EXPECT_TRUE(got.answers[2].status.IsNotResident());
  EXPECT_EQ(got.answers[2].missing_page, uint64_t{1} << 40);
  EXPECT_TRUE(got.answers[3].status.IsCorruption());
  EXPECT_EQ(got.answers[3].status.message(), "page 3: checksum");
  EXPECT_TRUE(got.answers[4].status.IsInvalidArgument());
  EXPECT_TRUE(got.answers[5].status.IsBusy());
  // `values` carries the value only (a tombstone is never OK from Get).
  EXPECT_EQ(got.answers[0].record.version.hlc, 0u);
  EXPECT_EQ(std::string(bytes.data(), 2), "\x01\x07");
  EXPECT_EQ(bytes.substr(2, 5), std::string("\x00\x03v\0v", 5));
}

TEST(WireCodecTest, LookedRoundTripLiveAndTombstoneRecords) {
  KeyAnswers sample = SampleAnswers();
  std::string bytes;
  EncodeLooked(sample, &bytes);
  KeyAnswers got;
  ASSERT_OK(DecodeLooked(bytes, &got));
  ASSERT_EQ(got.answers.size(), 7u);
  ExpectSameRecord(got.answers[0].record, sample.answers[0].record);
  ExpectSameRecord(got.answers[6].record, sample.answers[6].record);
  EXPECT_EQ(got.answers[2].missing_page, uint64_t{1} << 40);
  EXPECT_EQ(got.answers[3].status.message(), "page 3: checksum");
}

TEST(WireCodecTest, ScanRoundTripWithEndReverseAndTombstones) {
  ScanOptions o;
  o.start = "a";
  o.end = "m";
  o.has_end = true;
  o.reverse = true;
  o.include_tombstones = true;
  o.limit = 1000;
  std::string bytes;
  EncodeScan(o, &bytes);
  EXPECT_EQ(bytes, std::string("\x07\x01"
                               "a\x01m\xe8\x07"));
  ScanOptions got;
  ASSERT_OK(DecodeScan(bytes, &got));
  EXPECT_EQ(got.start, "a");
  EXPECT_EQ(got.end, "m");
  EXPECT_TRUE(got.has_end && got.reverse && got.include_tombstones);
  EXPECT_EQ(got.limit, 1000u);

  ScanOptions open;  // no end: none written, whatever `end` holds
  open.end = "ignored";
  bytes.clear();
  EncodeScan(open, &bytes);
  EXPECT_EQ(bytes, std::string("\x00\x00\x00", 3));
  ASSERT_OK(DecodeScan(bytes, &got));
  EXPECT_FALSE(got.has_end || got.reverse || got.include_tombstones);
  EXPECT_EQ(got.end, "");
}

TEST(WireCodecTest, ScannedRoundTripOkResumeAndError) {
  ScanReply reply;
  reply.result.records = {{"a", "1", {3, "p"}, false},
                          {"b", "", {4, "q"}, true}};
  std::string bytes;
  EncodeScanned(reply, &bytes);
  ScanReply got;
  ASSERT_OK(DecodeScanned(bytes, &got));
  EXPECT_TRUE(got.status.ok());
  ASSERT_EQ(got.result.records.size(), 2u);
  ExpectSameRecord(got.result.records[0], reply.result.records[0]);
  ExpectSameRecord(got.result.records[1], reply.result.records[1]);

  reply.status = Status::NotResident();
  reply.result.missing_page = 12;
  reply.result.resume.start = "b\x01";
  reply.result.resume.reverse = true;
  reply.result.resume.limit = 5;
  bytes.clear();
  EncodeScanned(reply, &bytes);
  ASSERT_OK(DecodeScanned(bytes, &got));
  EXPECT_TRUE(got.status.IsNotResident());
  EXPECT_EQ(got.result.missing_page, 12u);
  EXPECT_EQ(got.result.resume.start, "b\x01");
  EXPECT_TRUE(got.result.resume.reverse);
  EXPECT_EQ(got.result.resume.limit, 5u);
  EXPECT_EQ(got.result.records.size(), 2u);

  ScanReply error;
  error.status = Status::Corruption("page 4 failed to load");
  bytes.clear();
  EncodeScanned(error, &bytes);
  std::string want = "\x02";
  PutLengthPrefixed(&want, "page 4 failed to load");
  want.push_back('\0');
  EXPECT_EQ(bytes, want);
  ASSERT_OK(DecodeScanned(bytes, &got));
  EXPECT_EQ(got.status.message(), "page 4 failed to load");
}

TEST(WireCodecTest, RecordsRoundTrip) {
  std::vector<std::string_view> records = {"r1", std::string_view("\0\1", 2),
                                           ""};
  std::string bytes;
  EncodeRecords(records, &bytes);
  std::vector<std::string_view> got;
  ASSERT_OK(DecodeRecords(bytes, &got));
  EXPECT_EQ(got, records);
}

TEST(WireCodecTest, FlushRoundTripInTheDocumentedLayout) {
  FlushBatch batch;
  batch.engine_state = "state";
  batch.pages.push_back({3, "page-3", "rec-3", 77});
  batch.pages.push_back({uint64_t{1} << 50, std::string(200, 'p'), "r", 1});
  batch.deleted_pages = {5, 6};
  std::string bytes;
  EncodeFlush(batch, &bytes);
  std::string want;
  PutLengthPrefixed(&want, "state");
  PutVarint64(&want, 2);
  PutVarint64(&want, 3);
  PutLengthPrefixed(&want, "page-3");
  PutLengthPrefixed(&want, "rec-3");
  PutVarint64(&want, uint64_t{1} << 50);
  PutLengthPrefixed(&want, std::string(200, 'p'));
  PutLengthPrefixed(&want, "r");
  want += "\x02\x05\x06";
  EXPECT_EQ(bytes, want);

  FlushBatch got;
  ASSERT_OK(DecodeFlush(bytes, &got));
  EXPECT_EQ(got.engine_state, "state");
  ASSERT_EQ(got.pages.size(), 2u);
  EXPECT_EQ(got.pages[1].id, uint64_t{1} << 50);
  EXPECT_EQ(got.pages[1].bytes, std::string(200, 'p'));
  EXPECT_EQ(got.pages[0].directory_record, "rec-3");
  EXPECT_EQ(got.pages[0].change_seq, 0u);  // does not cross the boundary
  EXPECT_EQ(got.deleted_pages, (std::vector<PageId>{5, 6}));
}

TEST(WireCodecTest, IdsAndClockRoundTrip) {
  std::string bytes;
  EncodeIds({1, 128, uint64_t{1} << 53}, &bytes);
  std::vector<PageId> ids;
  ASSERT_OK(DecodeIds(bytes, &ids));
  EXPECT_EQ(ids, (std::vector<PageId>{1, 128, uint64_t{1} << 53}));

  bytes.clear();
  EncodeClock(0x0102030405060708, &bytes);
  EXPECT_EQ(bytes, "\x08\x07\x06\x05\x04\x03\x02\x01");  // little-endian
  uint64_t hlc = 0;
  ASSERT_OK(DecodeClock(bytes, &hlc));
  EXPECT_EQ(hlc, 0x0102030405060708u);
}

// What EngineHandle does, natively: bytes in, engine, bytes out, and a
// flush reopened from its own `flush` bytes.
TEST(WireCodecTest, DrivesTheEngineThroughTheWireFormats) {
  std::unique_ptr<Engine> engine;
  ASSERT_OK(Engine::Create(testing::SmallPages(), &engine));
  std::vector<WriteOp> ops;
  for (int i = 0; i < 40; ++i) {
    ops.push_back(Op(WriteOp::Type::kPut, testing::Key(i), "value"));
  }
  ops.push_back(Op(WriteOp::Type::kDelete, testing::Key(3)));
  std::string ops_bytes, results;
  EncodeOps(ops, &ops_bytes);
  std::vector<WriteOp> decoded;
  ASSERT_OK(DecodeOps(ops_bytes, &decoded));
  BatchResult batch;
  Status s = engine->ApplyBatch(decoded, 0, 1000, &batch);
  EncodeResults(
      MakeBatchReply(s, engine->OverBudget(), engine->PageCount(), batch),
      engine->options().peer_id, &results);
  BatchReply reply;
  ASSERT_OK(DecodeResults(results, &reply));
  ASSERT_OK(reply.status);
  EXPECT_EQ(reply.batch.results.size(), 41u);
  EXPECT_EQ(reply.batch.results[0].version.origin, "");
  EXPECT_EQ(reply.pages, engine->PageCount());
  EXPECT_GT(reply.pages, 1u);

  std::string flush_bytes;
  FlushBatch flush;
  engine->CollectFlush(&flush);
  EncodeFlush(flush, &flush_bytes);
  engine->CommitFlush(flush);
  FlushBatch stored;
  ASSERT_OK(DecodeFlush(flush_bytes, &stored));
  std::vector<std::string_view> dir;
  for (const FlushBatch::PageBytes& p : stored.pages) {
    dir.push_back(p.directory_record);
  }
  std::string records;
  EncodeRecords(dir, &records);
  std::vector<std::string_view> views;
  ASSERT_OK(DecodeRecords(records, &views));
  std::unique_ptr<Engine> reopened;
  ASSERT_OK(Engine::Open(testing::SmallPages(), stored.engine_state, views,
                         &reopened));
  EXPECT_EQ(reopened->PageCount(), engine->PageCount());
  EXPECT_EQ(reopened->Clock(), engine->Clock());
  for (const FlushBatch::PageBytes& p : stored.pages) {
    ASSERT_OK(reopened->LoadPage(p.id, p.bytes));
  }
  ScanResult scanned;
  ASSERT_OK(reopened->Scan(ScanOptions{}, &scanned));
  EXPECT_EQ(scanned.records.size(), 39u);
}

}  // namespace
}  // namespace paging_storage
