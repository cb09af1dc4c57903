#include "paging_storage/status.h"

#include <gtest/gtest.h>

namespace paging_storage {
namespace {

TEST(StatusTest, FromCodeMapsEveryCodeAndRefusesOthers) {
  Status s;
  for (int code = 0; code <= static_cast<int>(Status::Code::kLastCode);
       ++code) {
    ASSERT_TRUE(Status::FromCode(code, "why", &s)) << code;
    EXPECT_EQ(static_cast<int>(s.code()), code);
    EXPECT_EQ(s.message(), code == 0 ? "" : "why");
  }
  s = Status::Busy("kept");
  EXPECT_FALSE(Status::FromCode(-1, "", &s));
  EXPECT_FALSE(Status::FromCode(6, "", &s));
  EXPECT_FALSE(Status::FromCode(255, "", &s));
  EXPECT_EQ(s.message(), "kept");  // untouched
}

}  // namespace
}  // namespace paging_storage
