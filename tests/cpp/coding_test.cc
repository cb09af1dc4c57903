#include "coding.h"

#include <gtest/gtest.h>

#include <string>

namespace paging_storage {
namespace {

TEST(CodingTest, VarintRoundTripAtBoundaries) {
  const uint64_t values[] = {0,          1,          127,
                             128,        16383,      16384,
                             UINT32_MAX, 1ull << 53, UINT64_MAX - 1,
                             UINT64_MAX};
  std::string buf;
  for (uint64_t v : values) PutVarint64(&buf, v);
  Reader in(buf);
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(in.GetVarint64(&got));
    EXPECT_EQ(got, v);
  }
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(CodingTest, TruncatedVarintFails) {
  std::string buf;
  PutVarint64(&buf, 1ull << 40);
  buf.pop_back();
  Reader in(buf);
  uint64_t v;
  EXPECT_FALSE(in.GetVarint64(&v));
  EXPECT_FALSE(in.ok());
}

TEST(CodingTest, OverlongVarintFails) {
  std::string buf(11, '\xff');
  Reader in(buf);
  uint64_t v;
  EXPECT_FALSE(in.GetVarint64(&v));
  // A 10th byte carrying more than the top bit overflows 64 bits.
  std::string ten(9, '\xff');
  ten.push_back('\x02');
  Reader in2(ten);
  EXPECT_FALSE(in2.GetVarint64(&v));
}

TEST(CodingTest, LengthPrefixLongerThanInputFails) {
  std::string buf;
  PutVarint64(&buf, 1000);
  buf += "short";
  Reader in(buf);
  std::string_view s;
  EXPECT_FALSE(in.GetLengthPrefixed(&s));
}

TEST(CodingTest, Varint32RejectsLargeValues) {
  std::string buf;
  PutVarint64(&buf, uint64_t{UINT32_MAX} + 1);
  Reader in(buf);
  uint32_t v;
  EXPECT_FALSE(in.GetVarint32(&v));
}

TEST(CodingTest, FixedWidthIsLittleEndian) {
  std::string buf;
  PutFixed32(&buf, 0x04030201);
  EXPECT_EQ(buf, std::string("\x01\x02\x03\x04", 4));
  Reader in(buf);
  uint32_t v;
  ASSERT_TRUE(in.GetFixed32(&v));
  EXPECT_EQ(v, 0x04030201u);
}

TEST(CodingTest, CountBeyondWhatTheInputCanHoldFails) {
  std::string buf;
  PutVarint64(&buf, 3);
  buf += "abcdef";
  size_t n = 0;
  Reader fits(buf);
  ASSERT_TRUE(fits.GetCount(2, &n));
  EXPECT_EQ(n, 3u);
  Reader too_many(buf);
  EXPECT_FALSE(too_many.GetCount(3, &n));
  EXPECT_FALSE(too_many.ok());
  std::string huge;
  PutVarint64(&huge, UINT64_MAX);
  Reader in(huge);
  EXPECT_FALSE(in.GetCount(1, &n));
}

}  // namespace
}  // namespace paging_storage
