#include "coding.h"

#include <cstring>

namespace paging_storage {

void PutFixed32(std::string* dst, uint32_t value) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(value >> (8 * i));
  dst->append(buf, 4);
}

void PutFixed64(std::string* dst, uint64_t value) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(value >> (8 * i));
  dst->append(buf, 8);
}

void PutVarint64(std::string* dst, uint64_t value) {
  char buf[10];
  int n = 0;
  while (value >= 0x80) {
    buf[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  buf[n++] = static_cast<char>(value);
  dst->append(buf, n);
}

void PutLengthPrefixed(std::string* dst, std::string_view value) {
  PutVarint64(dst, value.size());
  dst->append(value.data(), value.size());
}

bool Reader::GetByte(uint8_t* out) {
  if (rest_.empty()) return Fail();
  *out = static_cast<uint8_t>(rest_[0]);
  rest_.remove_prefix(1);
  return true;
}

bool Reader::GetFixed32(uint32_t* out) {
  if (rest_.size() < 4) return Fail();
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= uint32_t{static_cast<uint8_t>(rest_[i])} << (8 * i);
  }
  rest_.remove_prefix(4);
  *out = v;
  return true;
}

bool Reader::GetFixed64(uint64_t* out) {
  if (rest_.size() < 8) return Fail();
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v |= uint64_t{static_cast<uint8_t>(rest_[i])} << (8 * i);
  }
  rest_.remove_prefix(8);
  *out = v;
  return true;
}

bool Reader::GetVarint64(uint64_t* out) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (rest_.empty()) return Fail();
    uint64_t byte = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    // The 10th byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) return Fail();
    // Only the minimal encoding is accepted: formats stay canonical.
    if (byte == 0 && shift > 0) return Fail();
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = result;
      return true;
    }
  }
  return Fail();
}

bool Reader::GetVarint32(uint32_t* out) {
  uint64_t v;
  if (!GetVarint64(&v)) return false;
  if (v > UINT32_MAX) return Fail();
  *out = static_cast<uint32_t>(v);
  return true;
}

bool Reader::GetLengthPrefixed(std::string_view* out) {
  uint64_t len;
  if (!GetVarint64(&len)) return false;
  if (len > rest_.size()) return Fail();
  *out = rest_.substr(0, static_cast<size_t>(len));
  rest_.remove_prefix(static_cast<size_t>(len));
  return true;
}

bool Reader::GetCount(size_t min_item_bytes, size_t* count) {
  uint64_t n;
  if (!GetVarint64(&n)) return false;
  if (n > rest_.size() / min_item_bytes) return Fail();
  *count = static_cast<size_t>(n);
  return true;
}

}  // namespace paging_storage
