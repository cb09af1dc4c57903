#include "js_values.h"

namespace paging_storage {

using emscripten::val;

val StatusVal(const Status& s) {
  val out = val::object();
  out.set("code", static_cast<int>(s.code()));
  out.set("message", s.message());
  return out;
}

val BytesVal(const std::string& bytes) {
  return val(emscripten::typed_memory_view(
                 bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data())))
      .call<val>("slice");
}

uint64_t ClampToUnsigned(double number, uint64_t max) {
  if (!(number >= 1)) return 0;  // NaN too
  // static_cast<double>(max) may round up; `number` is then still below
  // 2^64, so the cast is defined.
  if (number >= static_cast<double>(max)) return max;
  return static_cast<uint64_t>(number);
}

}  // namespace paging_storage
