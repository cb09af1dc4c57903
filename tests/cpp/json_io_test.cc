#include <gtest/gtest.h>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

TEST(JsonIoTest, ExportImportRoundTripAcrossPages) {
  MemoryPageStore disk_a, disk_b;
  std::unique_ptr<PagedStore> a, b;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk_a, &a));
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(
        a->Put(Key(i), "{\"n\":" + std::to_string(i) + ",\"s\":\"\\u00e9\"}")
            .status);
  }
  ASSERT_OK(a->Delete(Key(5)).status);
  std::string json;
  ASSERT_OK(a->ExportJson(&json));

  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk_b, &b));
  std::vector<WriteResult> results;
  ASSERT_OK(b->ImportJson(json, &results));
  ASSERT_EQ(results.size(), 199u);
  for (const WriteResult& r : results) EXPECT_TRUE(r.applied);
  std::vector<Record> ra, rb;
  ASSERT_OK(a->Scan(ScanOptions{}, &ra));
  ASSERT_OK(b->Scan(ScanOptions{}, &rb));
  ASSERT_EQ(ra.size(), rb.size());
  for (size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i].key, rb[i].key);
    EXPECT_EQ(ra[i].value, rb[i].value);
    EXPECT_EQ(CompareVersions(ra[i].version, rb[i].version), 0);
  }
  // Importing the same backup again changes nothing: versions are equal.
  ASSERT_OK(b->ImportJson(json, &results));
  for (const WriteResult& r : results) EXPECT_FALSE(r.applied);
}

TEST(JsonIoTest, ImportNeverOverwritesNewerWrites) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> s;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(), &disk, &s));
  ASSERT_OK(s->Put("k", "old").status);
  std::string backup;
  ASSERT_OK(s->ExportJson(&backup));
  ASSERT_OK(s->Put("k", "new").status);
  std::vector<WriteResult> results;
  ASSERT_OK(s->ImportJson(backup, &results));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].applied);
  std::string v;
  ASSERT_OK(s->Get("k", &v));
  EXPECT_EQ(v, "new");
}

TEST(JsonIoTest, EntriesWithoutVersionsArePlainPuts) {
  std::vector<WriteOp> ops;
  ASSERT_OK(Engine::ParseRecordsJson(
      R"({"format":"paging-storage","version":1,"entries":[{"key":"a","value":"1"}]})",
      &ops));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].type, WriteOp::Type::kPut);
}

TEST(JsonIoTest, MalformedInputIsRejectedWithAReason) {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      R"({"format":"other","version":1,"entries":[]})",
      R"({"format":"paging-storage","version":2,"entries":[]})",
      R"({"format":"paging-storage","version":1,"entries":{}})",
      R"({"format":"paging-storage","version":1,"entries":[1]})",
      R"({"format":"paging-storage","version":1,"entries":[{"key":1,"value":"x"}]})",
      R"({"format":"paging-storage","version":1,"entries":[{"key":"k"}]})",
      R"({"format":"paging-storage","version":1,"entries":[{"key":"k","value":"v","hlc":"12"}]})",
      R"({"format":"paging-storage","version":1,"entries":[{"key":"k","value":"v","hlc":"zzzzzzzzzzzzzzzz","origin":"a"}]})",
      R"({"format":"paging-storage","version":1,"entries":[{"key":"k","value":"v","hlc":"0000000000000001","origin":""}]})",
      "{\"format\":\"paging-storage\",\"version\":1,\"entries\":[{\"key\":"
      "\"\xff\",\"value\":\"v\"}]}",
      R"({"format":"paging-storage","version":1,"entries":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]})",
  };
  for (const char* text : bad) {
    std::vector<WriteOp> ops;
    Status s = Engine::ParseRecordsJson(text, &ops);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_FALSE(s.message().empty());
  }
}

TEST(JsonIoTest, ExportRefusesNonUtf8Values) {
  std::string json;
  Record r{"k", "\xff", {1, "a"}, false};
  EXPECT_TRUE(Engine::RecordsToJson({r}, &json).IsInvalidArgument());
}

TEST(JsonIoTest, StatsJsonHasTheCounters) {
  std::unique_ptr<Engine> e;
  ASSERT_OK(Engine::Create(testing::SmallPages(), &e));
  ASSERT_OK(e->Put("a", "1", 1, nullptr).status);
  std::string stats = e->StatsJson();
  EXPECT_NE(stats.find("\"liveKeys\":1"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"memoryPressure\""), std::string::npos);
}

}  // namespace
}  // namespace paging_storage
