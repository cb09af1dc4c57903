// Status: the outcome of an engine operation, as a value.
//
// The engine never throws across its public functions; every fallible call
// returns a Status. Codes are stable numbers: the wasm boundary passes them to
// JavaScript as-is, so never renumber an existing code.
//
// Thread rule: a Status is a plain value; copies are independent.
#ifndef PAGING_STORAGE_STATUS_H_
#define PAGING_STORAGE_STATUS_H_

#include <string>
#include <string_view>

namespace paging_storage {

class Status {
 public:
  enum class Code : int {
    kOk = 0,
    kNotFound = 1,         // the key has no live value
    kCorruption = 2,       // bytes failed validation (checksum, lengths, ...)
    kInvalidArgument = 3,  // the caller passed something the engine refuses
    kNotResident = 4,      // a page must be loaded first (see Engine)
    kBusy = 5,             // the operation cannot run in the current state
    // New codes continue the sequence: codes are 0..kLastCode, no gaps.
    kLastCode = kBusy,
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg = {}) {
    return Status(Code::kNotFound, msg);
  }
  static Status Corruption(std::string_view msg) {
    return Status(Code::kCorruption, msg);
  }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status NotResident(std::string_view msg = {}) {
    return Status(Code::kNotResident, msg);
  }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  // The Status for a code read from bytes (the message is dropped for OK);
  // false, *out untouched, when `code` is no Code.
  static bool FromCode(int code, std::string_view msg, Status* out);

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotResident() const { return code_ == Code::kNotResident; }
  bool IsBusy() const { return code_ == Code::kBusy; }

  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK", or "<CodeName>: <message>".
  std::string ToString() const;
  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_STATUS_H_
