#include "paging_storage/status.h"

namespace paging_storage {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      return "NotFound";
    case Code::kCorruption:
      return "Corruption";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotResident:
      return "NotResident";
    case Code::kBusy:
      return "Busy";
  }
  return "Unknown";
}

bool Status::FromCode(int code, std::string_view msg, Status* out) {
  if (code < 0 || code > static_cast<int>(Code::kLastCode)) return false;
  *out = code == 0 ? Status() : Status(static_cast<Code>(code), msg);
  return true;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = CodeName(code_);
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

}  // namespace paging_storage
