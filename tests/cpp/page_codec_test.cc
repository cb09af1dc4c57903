#include "page_codec.h"

#include <gtest/gtest.h>

#include <string>

#include "coding.h"
#include "hash.h"
#include "manifest_codec.h"

namespace paging_storage {
namespace {

class PageCodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    page_ = std::make_unique<Page>(7, &origins_);
    Entry a{"alpha", "{\"x\":1}", 100, origins_.Intern("peer-a"), false};
    Entry b{"beta", "", 101, origins_.Intern("peer-b"), true};
    Entry c{"gamma", std::string(300, '\0'), 102, origins_.Intern("peer-a"),
            false};
    page_->Upsert(a);
    page_->Upsert(b);
    page_->Upsert(c);
    EncodePage(*page_, origins_, &bytes_);
  }

  // Re-seals `body` (bytes without the checksum) with a valid checksum.
  static std::string Seal(std::string body) {
    uint64_t h = Hash64(body);
    PutFixed64(&body, h);
    return body;
  }

  OriginTable origins_;
  std::unique_ptr<Page> page_;
  std::string bytes_;
};

TEST_F(PageCodecTest, RoundTrip) {
  OriginTable other;  // a fresh engine interns the ids in its own order
  other.Intern("unrelated");
  std::unique_ptr<Page> decoded;
  ASSERT_TRUE(DecodePage(bytes_, &other, &decoded).ok());
  ASSERT_EQ(decoded->size(), 3u);
  EXPECT_EQ(decoded->id(), 7u);
  EXPECT_EQ(decoded->digest(), page_->digest());
  EXPECT_EQ(decoded->bytes(), page_->bytes());
  EXPECT_EQ(decoded->live_count(), 2u);
  EXPECT_TRUE(decoded->entries()[1].tombstone);
  EXPECT_EQ(other.Name(decoded->entries()[1].origin), "peer-b");
  EXPECT_EQ(decoded->entries()[2].value, std::string(300, '\0'));
  std::string again;
  EncodePage(*decoded, other, &again);
  EXPECT_EQ(again, bytes_);
}

TEST_F(PageCodecTest, EmptyPageRoundTrips) {
  Page empty(1, &origins_);
  std::string bytes;
  EncodePage(empty, origins_, &bytes);
  std::unique_ptr<Page> decoded;
  ASSERT_TRUE(DecodePage(bytes, &origins_, &decoded).ok());
  EXPECT_EQ(decoded->size(), 0u);
}

TEST_F(PageCodecTest, EveryTruncationIsCorruption) {
  for (size_t n = 0; n < bytes_.size(); ++n) {
    std::unique_ptr<Page> decoded;
    Status s = DecodePage(bytes_.substr(0, n), &origins_, &decoded);
    EXPECT_TRUE(s.IsCorruption()) << "length " << n;
  }
}

TEST_F(PageCodecTest, EveryBitFlipIsCorruption) {
  for (size_t i = 0; i < bytes_.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes_;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      std::unique_ptr<Page> decoded;
      EXPECT_TRUE(DecodePage(bad, &origins_, &decoded).IsCorruption())
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST_F(PageCodecTest, AbsurdLengthsWithValidChecksum) {
  // magic, format, page id 7, origin count 2^60.
  std::string body;
  PutFixed32(&body, kPageMagic);
  body.push_back(1);
  PutVarint64(&body, 7);
  PutVarint64(&body, 1ull << 60);
  std::unique_ptr<Page> decoded;
  Status s = DecodePage(Seal(body), &origins_, &decoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("origin count"), std::string::npos);

  // One origin, then an entry count far beyond the input.
  body.clear();
  PutFixed32(&body, kPageMagic);
  body.push_back(1);
  PutVarint64(&body, 7);
  PutVarint64(&body, 1);
  PutLengthPrefixed(&body, "p");
  PutVarint64(&body, 1ull << 40);
  s = DecodePage(Seal(body), &origins_, &decoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("entry count"), std::string::npos);
}

TEST_F(PageCodecTest, StructuralErrorsBehindValidChecksum) {
  std::string body = bytes_.substr(0, bytes_.size() - 8);
  std::unique_ptr<Page> decoded;
  // Trailing garbage.
  EXPECT_TRUE(DecodePage(Seal(body + "x"), &origins_, &decoded).IsCorruption());
  // Unknown format version.
  std::string v2 = body;
  v2[4] = 2;
  EXPECT_TRUE(DecodePage(Seal(v2), &origins_, &decoded).IsCorruption());
  // Page id 0.
  std::string id0 = body;
  id0[5] = 0;
  EXPECT_TRUE(DecodePage(Seal(id0), &origins_, &decoded).IsCorruption());
}

TEST_F(PageCodecTest, KeysOutOfOrderAreCorruption) {
  OriginTable origins;
  Page page(3, &origins);
  // Build an unsorted page by appending directly (bypassing Upsert's order).
  page.Append(Entry{"b", "1", 1, origins.Intern("p"), false});
  page.Append(Entry{"a", "2", 2, origins.Intern("p"), false});
  std::string bytes;
  EncodePage(page, origins, &bytes);
  std::unique_ptr<Page> decoded;
  Status s = DecodePage(bytes, &origins, &decoded);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("order"), std::string::npos);
}

TEST(ManifestCodecTest, StatesWithoutUserDataReadAsEmpty) {
  // An engine state written before user_data existed: the same fields,
  // sealed without it.
  std::string state;
  PutFixed32(&state, kEngineStateMagic);
  state.push_back(static_cast<char>(kManifestFormatVersion));
  PutVarint64(&state, 4);
  PutFixed64(&state, 55);
  PutVarint64(&state, 1);
  PutFixed64(&state, DirectoryEntryDigest("", 2));
  PutFixed64(&state, Hash64(state));
  std::string record;
  EncodeDirectoryRecord(ManifestPage{"", 2, {0, 0, kPageOverhead, 0}}, &record);
  Manifest m;
  m.user_data = "x";
  ASSERT_TRUE(DecodeManifest(state, {record}, &m).ok());
  EXPECT_EQ(m.user_data, "");
  EXPECT_EQ(m.hlc, 55u);
}

TEST(ManifestCodecTest, RunPagesAndAppliedSeqsRoundTrip) {
  ManifestPage base{"", 3, {2, 1, 200, 99}};
  base.applied_seq = 2;
  ManifestPage run_a{"", 5, {1, 1, 100, 7}};
  run_a.run_seq = 2;
  ManifestPage run_b{"k", 6, {1, 1, 100, 8}};
  run_b.run_seq = 2;
  ManifestPage older{"", 4, {1, 1, 100, 6}};
  older.run_seq = 1;
  std::vector<std::string> records(4);
  const ManifestPage* all[] = {&run_b, &base, &older, &run_a};
  uint64_t digest = 0;
  for (size_t i = 0; i < 4; ++i) {
    EncodeDirectoryRecord(*all[i], &records[i]);
    digest ^= DirectoryEntryDigest(all[i]->lower_key, all[i]->id);
  }
  auto decode = [&](uint64_t next_run_seq, Manifest* m) {
    std::string state;
    EncodeEngineState(10, 1, DirectoryShape{4, digest}, "", &state,
                      next_run_seq);
    std::vector<std::string_view> views(records.begin(), records.end());
    return DecodeManifest(state, views, m);
  };
  Manifest m;
  ASSERT_TRUE(decode(3, &m).ok());
  EXPECT_EQ(m.next_run_seq, 3u);
  ASSERT_EQ(m.pages.size(), 1u);
  EXPECT_EQ(m.pages[0].applied_seq, 2u);
  ASSERT_EQ(m.run_pages.size(), 3u);  // by run, then lower key
  EXPECT_EQ(m.run_pages[0].id, 4u);
  EXPECT_EQ(m.run_pages[1].id, 5u);
  EXPECT_EQ(m.run_pages[2].id, 6u);
  EXPECT_EQ(m.run_pages[2].run_seq, 2u);
  // A run (or an applied seq) the state never sealed is corruption.
  EXPECT_TRUE(decode(2, &m).IsCorruption());
}

TEST(ManifestCodecTest, RunCountsRoundTripAndBadOnesAreCorruption) {
  ManifestPage base{"", 3, {2, 1, 200, 99}};
  std::string record;
  EncodeDirectoryRecord(base, &record);
  uint64_t digest = DirectoryEntryDigest("", 3);
  auto decode = [&](const std::vector<RunCount>& runs, Manifest* m) {
    std::string state;
    EncodeEngineState(10, 1, DirectoryShape{1, digest}, "", &state, 5, runs);
    return DecodeManifest(state, {record}, m);
  };
  Manifest m;
  ASSERT_TRUE(decode({{1, 7}, {4, 0}}, &m).ok());
  ASSERT_EQ(m.runs.size(), 2u);
  EXPECT_EQ(m.runs[0].seq, 1u);
  EXPECT_EQ(m.runs[0].unapplied_puts, 7u);
  EXPECT_EQ(m.runs[1].seq, 4u);
  ASSERT_TRUE(decode({}, &m).ok());
  EXPECT_TRUE(decode({{4, 1}, {2, 1}}, &m).IsCorruption());  // not rising
  EXPECT_TRUE(decode({{5, 1}}, &m).IsCorruption());          // never sealed
}

TEST(ManifestCodecTest, MergedRunsRoundTripAndBadOnesAreCorruption) {
  ManifestPage base{"", 3, {2, 1, 200, 99}};
  std::string record;
  EncodeDirectoryRecord(base, &record);
  uint64_t digest = DirectoryEntryDigest("", 3);
  auto decode = [&](const std::vector<MergedRun>& merged, Manifest* m) {
    std::string state;
    EncodeEngineState(10, 1, DirectoryShape{1, digest}, "", &state, 9, {{1, 0}},
                      merged);
    return DecodeManifest(state, {record}, m);
  };
  Manifest m;
  ASSERT_TRUE(decode({{5, {{1, 100}, {3, 300}}}, {8, {}}}, &m).ok());
  ASSERT_EQ(m.merged.size(), 2u);
  EXPECT_EQ(m.merged[0].run_seq, 5u);
  ASSERT_EQ(m.merged[0].sources.size(), 2u);
  EXPECT_EQ(m.merged[0].sources[1].seq, 3u);
  EXPECT_EQ(m.merged[0].sources[1].max_hlc, 300u);
  EXPECT_TRUE(m.merged[1].sources.empty());  // an unfinished merge
  EXPECT_TRUE(decode({{8, {}}, {5, {}}}, &m).IsCorruption());  // not rising
  EXPECT_TRUE(decode({{9, {}}}, &m).IsCorruption());           // never issued
  EXPECT_TRUE(decode({{5, {{3, 1}, {2, 1}}}}, &m).IsCorruption());  // sources
  EXPECT_TRUE(decode({{5, {{9, 1}}}}, &m).IsCorruption());  // never sealed
}

TEST(ManifestCodecTest, RecordsWithoutRunsKeepTheirFormat1Bytes) {
  // A base page that applied no run encodes as before runs existed, so
  // stores written earlier and later read alike.
  std::string plain, with_runs;
  ManifestPage p{"a", 7, {1, 1, 100, 5}};
  EncodeDirectoryRecord(p, &plain);
  p.applied_seq = 1;
  EncodeDirectoryRecord(p, &with_runs);
  EXPECT_EQ(with_runs.size(), plain.size() + 2);
  ManifestPage back;
  ASSERT_TRUE(DecodeDirectoryRecord(plain, &back).ok());
  EXPECT_EQ(back.run_seq, 0u);
  EXPECT_EQ(back.applied_seq, 0u);
  ASSERT_TRUE(DecodeDirectoryRecord(with_runs, &back).ok());
  EXPECT_EQ(back.applied_seq, 1u);
}

TEST(ManifestCodecTest, AssemblesAndValidatesDirectoryRecords) {
  ManifestPage first{"", 3, {2, 1, 200, 99}};
  ManifestPage second{"m", 9, {1, 1, 100, 7}};
  std::string state;
  EncodeEngineState(10, 12345,
                    DirectoryShape{2, DirectoryEntryDigest("", 3) ^
                                          DirectoryEntryDigest("m", 9)},
                    "mark", &state);
  auto encode = [](std::vector<ManifestPage> pages) {
    std::vector<std::string> out;
    for (const ManifestPage& p : pages) {
      out.emplace_back();
      EncodeDirectoryRecord(p, &out.back());
    }
    return out;
  };
  auto decode = [&](const std::vector<std::string>& records, Manifest* m) {
    std::vector<std::string_view> views(records.begin(), records.end());
    return DecodeManifest(state, views, m);
  };
  Manifest m;
  // Records come back in any order; the manifest is in key order.
  ASSERT_TRUE(decode(encode({second, first}), &m).ok());
  ASSERT_EQ(m.pages.size(), 2u);
  EXPECT_EQ(m.pages[0].id, 3u);
  EXPECT_EQ(m.pages[1].lower_key, "m");
  EXPECT_EQ(m.hlc, 12345u);
  EXPECT_EQ(m.next_page_id, 10u);
  EXPECT_EQ(m.user_data, "mark");

  ManifestPage bad = second;
  bad.lower_key = "";  // two pages claim the first keys
  EXPECT_TRUE(decode(encode({first, bad}), &m).IsCorruption());
  bad = second;
  bad.id = 3;  // duplicate id
  EXPECT_TRUE(decode(encode({first, bad}), &m).IsCorruption());
  bad = second;
  bad.id = 10;  // never issued
  EXPECT_TRUE(decode(encode({first, bad}), &m).IsCorruption());
  EXPECT_TRUE(decode(encode({second}), &m).IsCorruption());  // no "" page
  EXPECT_TRUE(decode({}, &m).IsCorruption());
  bad = first;
  bad.summary.live_count = 3;  // more live keys than entries
  EXPECT_TRUE(decode(encode({bad, second}), &m).IsCorruption());
  bad = second;
  bad.lower_key = "n";  // a record from another directory
  EXPECT_TRUE(decode(encode({first, bad}), &m).IsCorruption());
  std::vector<std::string> damaged = encode({first});
  damaged[0][6] ^= 1;
  EXPECT_TRUE(decode(damaged, &m).IsCorruption());
}

}  // namespace
}  // namespace paging_storage
