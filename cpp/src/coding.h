// Little-endian fixed-width integers, varints and length-prefixed strings:
// the primitives of every byte format in the engine.
//
// Encoders append to a std::string. Decoders read from a Reader, which never
// reads past its end: on any shortfall or malformed varint a Get* returns
// false and the reader is left unusable (ok() false), so decoders can chain
// calls and test once.
#ifndef PAGING_STORAGE_CODING_H_
#define PAGING_STORAGE_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace paging_storage {

void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutVarint64(std::string* dst, uint64_t value);
// varstring := length:varint64 bytes
void PutLengthPrefixed(std::string* dst, std::string_view value);

class Reader {
 public:
  explicit Reader(std::string_view input) : rest_(input) {}

  bool GetByte(uint8_t* out);
  bool GetFixed32(uint32_t* out);
  bool GetFixed64(uint64_t* out);
  bool GetVarint64(uint64_t* out);  // minimal form, no overflow
  bool GetVarint32(uint32_t* out);  // a varint64 that fits 32 bits
  // The view points into the input, which the caller keeps alive.
  bool GetLengthPrefixed(std::string_view* out);
  // A varint count of items that take at least min_item_bytes each; fails
  // when the rest of the input cannot hold that many, so a decoder never
  // allocates for a count its input cannot back. REQUIRES: min_item_bytes
  // >= 1.
  bool GetCount(size_t min_item_bytes, size_t* count);

  size_t remaining() const { return rest_.size(); }
  // The input not read yet.
  std::string_view rest() const { return rest_; }
  bool ok() const { return ok_; }

 private:
  bool Fail() {
    ok_ = false;
    rest_ = {};
    return false;
  }

  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_CODING_H_
