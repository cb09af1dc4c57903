// The memtable of the log-structured write path: order, replacement,
// ranges taken out, byte accounting.
#include "write_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paging_storage {
namespace {

Entry Put(std::string key, std::string value, uint64_t hlc) {
  Entry e;
  e.key = std::move(key);
  e.value = std::move(value);
  e.hlc = hlc;
  return e;
}

std::vector<std::string> Keys(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const Entry& e : entries) out.push_back(e.key);
  return out;
}

size_t SumBytes(const WriteBuffer& b) {
  size_t n = 0;
  for (const auto& [key, e] : b.entries()) n += e.Bytes();
  return n;
}

TEST(WriteBufferTest, KeepsOneEntryPerKeyTheLatest) {
  WriteBuffer b;
  b.Put(Put("b", "1", 10));
  b.Put(Put("a", "2", 11));
  b.Put(Put("b", "three", 12));
  ASSERT_EQ(b.size(), 2u);
  ASSERT_NE(b.Find("b"), nullptr);
  EXPECT_EQ(b.Find("b")->value, "three");
  EXPECT_EQ(b.Find("b")->hlc, 12u);
  EXPECT_EQ(b.Find("c"), nullptr);
  EXPECT_EQ(b.bytes(), SumBytes(b));
}

TEST(WriteBufferTest, TombstonesAreBufferedLikePuts) {
  WriteBuffer b;
  b.Put(Put("k", "v", 1));
  Entry t = Put("k", "", 2);
  t.tombstone = true;
  b.Put(t);
  ASSERT_NE(b.Find("k"), nullptr);
  EXPECT_TRUE(b.Find("k")->tombstone);
  EXPECT_EQ(b.bytes(), SumBytes(b));
}

TEST(WriteBufferTest, TakeRemovesARangeInKeyOrder) {
  WriteBuffer b;
  for (std::string k : {"d", "a", "c", "b", "e"}) b.Put(Put(k, "v", 1));
  std::vector<Entry> out;
  std::string upper = "d";
  b.Take("b", &upper, &out);
  EXPECT_EQ(Keys(out), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.bytes(), SumBytes(b));
  out.clear();
  b.Take("", nullptr, &out);  // no upper bound: the rest
  EXPECT_EQ(Keys(out), (std::vector<std::string>{"a", "d", "e"}));
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.bytes(), 0u);
}

TEST(WriteBufferTest, TakeOfAnEmptyRangeTakesNothing) {
  WriteBuffer b;
  b.Put(Put("m", "v", 1));
  std::vector<Entry> out;
  std::string upper = "m";
  b.Take("a", &upper, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(b.size(), 1u);
}

TEST(WriteBufferTest, RemoveIfUnchangedKeepsALaterWrite) {
  WriteBuffer b;
  b.Put(Put("k", "old", 5));
  b.Put(Put("k", "new", 6));
  EXPECT_FALSE(b.RemoveIfUnchanged("k", 5, 0));
  EXPECT_EQ(b.size(), 1u);
  EXPECT_TRUE(b.RemoveIfUnchanged("k", 6, 0));
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.bytes(), 0u);
  EXPECT_FALSE(b.RemoveIfUnchanged("missing", 1, 0));
}

TEST(WriteBufferTest, CountsAsWholePagesOfTheBudget) {
  WriteBuffer b;
  EXPECT_EQ(b.Pages(4096), 0u);
  b.Put(Put("k", std::string(100, 'x'), 1));
  EXPECT_EQ(b.Pages(4096), 1u);
  b.Put(Put("j", std::string(4096, 'x'), 1));
  EXPECT_EQ(b.Pages(4096), 2u);
}

}  // namespace
}  // namespace paging_storage
