// Runs the page and manifest decoders over 100,000+ mutated inputs. Half of
// the mutants get their checksum recomputed, so the structural validation
// behind the checksum is exercised too, not just the checksum. Every
// decode must return a Status (never crash, never read out of bounds: the
// ASan/UBSan run checks that), and any input accepted must be canonical:
// re-encoding it gives the same bytes and the page passes its own Check().
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "coding.h"
#include "hash.h"
#include "manifest_codec.h"
#include "page_codec.h"
#include "test_util.h"

namespace paging_storage {
namespace {

std::vector<std::string> SamplePages(OriginTable* origins) {
  std::vector<std::string> out;
  std::mt19937_64 rng(7);
  for (int n : {0, 1, 3, 12, 40}) {
    Page page(static_cast<PageId>(n + 1), origins);
    for (int i = 0; i < n; ++i) {
      Entry e;
      e.key = "key" + std::to_string(1000 + i * 7);
      e.tombstone = rng() % 5 == 0;
      if (!e.tombstone) e.value.assign(rng() % 40, static_cast<char>(rng()));
      e.hlc = rng();
      e.origin = origins->Intern("peer" + std::to_string(rng() % 3));
      page.Upsert(std::move(e));
    }
    std::string bytes;
    EncodePage(page, *origins, &bytes);
    out.push_back(std::move(bytes));
  }
  return out;
}

std::vector<std::string> SampleDirectoryRecords() {
  std::vector<std::string> out;
  for (const ManifestPage& p :
       {ManifestPage{"", 1, {3, 2, 200, 11}},
        ManifestPage{"k1", 7, {1, 1, 80, 12}},
        ManifestPage{"k5\xc3\xa9", 1ull << 40, {4, 0, 400, 13}}}) {
    std::string bytes;
    EncodeDirectoryRecord(p, &bytes);
    out.push_back(std::move(bytes));
  }
  return out;
}

std::string Reseal(std::string s) {
  if (s.size() < 8) return s;
  s.resize(s.size() - 8);
  uint64_t h = Hash64(s);
  PutFixed64(&s, h);
  return s;
}

TEST(CodecMutationTest, PageDecoderSurvivesMutants) {
  OriginTable origins;
  std::vector<std::string> samples = SamplePages(&origins);
  std::mt19937_64 rng(20261124);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string mutant = testing::MutateBytes(samples[i % samples.size()], rng);
    if (i % 2 == 0) mutant = Reseal(std::move(mutant));
    std::unique_ptr<Page> page;
    Status s = DecodePage(mutant, &origins, &page);
    if (s.ok()) {
      ++accepted;
      ASSERT_TRUE(page->Check().ok()) << "mutant " << i;
      std::string again;
      EncodePage(*page, origins, &again);
      ASSERT_EQ(again, mutant) << "accepted a non-canonical mutant " << i;
    } else {
      ++rejected;
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
    }
  }
  // Resealed value/hlc edits can stay valid; most mutants must not.
  EXPECT_GT(rejected, 80000);
  RecordProperty("accepted", accepted);
}

TEST(CodecMutationTest, DirectoryRecordDecoderSurvivesMutants) {
  std::vector<std::string> samples = SampleDirectoryRecords();
  std::mt19937_64 rng(11);
  int rejected = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string mutant = testing::MutateBytes(samples[i % samples.size()], rng);
    if (i % 2 == 0) mutant = Reseal(std::move(mutant));
    ManifestPage p;
    Status s = DecodeDirectoryRecord(mutant, &p);
    if (s.ok()) {
      std::string again;
      EncodeDirectoryRecord(p, &again);
      ASSERT_EQ(again, mutant) << "accepted a non-canonical record " << i;
    } else {
      ++rejected;
      ASSERT_TRUE(s.IsCorruption());
    }
  }
  EXPECT_GT(rejected, 20000);
}

TEST(CodecMutationTest, EngineStateDecoderSurvivesMutants) {
  std::string state;
  // With every optional section: run counts and merged runs.
  EncodeEngineState(50, 99, DirectoryShape{3, 0}, "u", &state, 12,
                    {{2, 5}, {9, 0}}, {{9, {{1, 100}, {2, 200}}}, {11, {}}});
  std::vector<std::string> records = SampleDirectoryRecords();
  std::vector<std::string_view> views(records.begin(), records.end());
  std::mt19937_64 rng(12);
  for (int i = 0; i < 10000; ++i) {
    std::string mutant = testing::MutateBytes(state, rng);
    if (i % 2 == 0) mutant = Reseal(std::move(mutant));
    Manifest m;
    Status s = DecodeManifest(mutant, views, &m);
    ASSERT_TRUE(s.ok() || s.IsCorruption()) << s.ToString();
  }
}

}  // namespace
}  // namespace paging_storage
