// The wasm boundary's JSON texts (wasm/json_codec.h): options parsed or
// refused with a reason, the page list, and the constants JS checks its
// copies against.
#include "json_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "paging_storage/hlc.h"
#include "paging_storage/sync_scan.h"
#include "test_util.h"
#include "wire_format.h"

namespace paging_storage {
namespace {

TEST(JsonCodecTest, ParsesEveryOptionAndKeepsDefaultsForAbsentOnes) {
  Options o;
  ASSERT_OK(ParseOptions(
      R"({"peerId":"p","pageSize":8192,"splitThreshold":6000,
          "mergeThreshold":null,"maxMemoryPages":1000,"maxKeyBytes":64,
          "maxValueBytes":100,"unknown":[1]})",
      &o));
  EXPECT_EQ(o.peer_id, "p");
  EXPECT_EQ(o.page_size, 8192u);
  EXPECT_EQ(o.split_threshold, 6000u);
  EXPECT_EQ(o.merge_threshold, Options().merge_threshold);
  EXPECT_EQ(o.max_memory_pages, 1000u);
  EXPECT_EQ(o.max_key_bytes, 64u);
  EXPECT_EQ(o.max_value_bytes, 100u);
  Options defaults;
  ASSERT_OK(ParseOptions("{}", &defaults));
  EXPECT_EQ(defaults.peer_id, Options().peer_id);
}

TEST(JsonCodecTest, RefusesMalformedOptionsWithAReason) {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      "1",
      R"({"peerId":1})",
      R"({"pageSize":-1})",
      R"({"pageSize":1.5})",
      R"({"pageSize":"4096"})",
      R"({"maxMemoryPages":true})",
      R"({"maxKeyBytes":{}})",
  };
  for (const char* text : bad) {
    Options o;
    Status s = ParseOptions(text, &o);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_EQ(s.message().rfind("options: ", 0), 0u) << s.message();
  }
}

TEST(JsonCodecTest, MutatedOptionsNeverCrash) {
  const std::string valid =
      R"({"peerId":"p\u00e9","pageSize":4096,"maxMemoryPages":[1,{"a":2}]})";
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    Options o;
    Status s = ParseOptions(testing::MutateBytes(valid, rng), &o);
    ASSERT_TRUE(s.ok() || s.IsInvalidArgument()) << s.ToString();
  }
}

TEST(JsonCodecTest, ConstantsAreTheCppOnes) {
  auto j = nlohmann::json::parse(ConstantsJson());
  using Code = Status::Code;
  EXPECT_EQ(j["status"]["ok"], static_cast<int>(Code::kOk));
  EXPECT_EQ(j["status"]["notFound"], 1);
  EXPECT_EQ(j["status"]["corruption"], 2);
  EXPECT_EQ(j["status"]["invalidArgument"], 3);
  EXPECT_EQ(j["status"]["notResident"], static_cast<int>(Code::kNotResident));
  EXPECT_EQ(j["status"]["busy"], static_cast<int>(Code::kBusy));
  EXPECT_EQ(j["status"].size(), static_cast<size_t>(Code::kLastCode) + 1);
  EXPECT_EQ(j["syncChildren"], kSyncChildren);
  EXPECT_EQ(j["syncBitsPerLevel"], kSyncBitsPerLevel);
  EXPECT_EQ(j["syncMaxBits"], kSyncMaxBits);
  EXPECT_EQ(j["maxVirtualNodes"], 4096);
  EXPECT_EQ(j["hlcLogicalBits"], Hlc::kLogicalBits);
  EXPECT_EQ(j["opType"], nlohmann::json({{"put", 0},
                                         {"delete", 1},
                                         {"merge", 2},
                                         {"forget", 3},
                                         {"tombstone", 4},
                                         {"restamp", 5}}));
  EXPECT_EQ(j["resultFlags"], nlohmann::json({{"existed", 1},
                                              {"applied", 2},
                                              {"hasVersion", 4},
                                              {"buffered", 8},
                                              {"otherValue", 16}}));
  EXPECT_EQ(j["scanFlags"],
            nlohmann::json({{"hasEnd", 1}, {"reverse", 2}, {"tombstones", 4}}));
  EXPECT_EQ(j["recordFlags"], nlohmann::json({{"tombstone", 1}}));
  // Whole numbers, as JS compares them with ===.
  EXPECT_TRUE(j["maxVirtualNodes"].is_number_integer());
}

TEST(JsonCodecTest, PagesJsonListsTheDirectory) {
  std::unique_ptr<Engine> engine;
  ASSERT_OK(Engine::Create(testing::SmallPages(), &engine));
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(engine->Put(testing::Key(i), "v", 1 << 20, nullptr).status);
  }
  auto pages = nlohmann::json::parse(PagesJson(engine->ListPages()));
  ASSERT_TRUE(pages.is_array());
  ASSERT_EQ(pages.size(), engine->PageCount());
  EXPECT_EQ(pages[0]["lowerKey"], "");
  size_t keys = 0;
  for (const auto& p : pages) {
    keys += p["keyCount"].get<size_t>();
    EXPECT_EQ(p["lastModifiedMs"], 1 << 20);
    EXPECT_TRUE(p["resident"].get<bool>());
    EXPECT_TRUE(p["dirty"].get<bool>());
    EXPECT_FALSE(p["corrupt"].get<bool>());
    EXPECT_TRUE(p.contains("mergePending") && p.contains("bytes") &&
                p.contains("entryCount") && p.contains("id"));
  }
  EXPECT_EQ(keys, 30u);
}

}  // namespace
}  // namespace paging_storage
