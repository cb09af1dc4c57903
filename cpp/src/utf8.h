// UTF-8 validation for keys (the JS layer hands keys over as UTF-8).
#ifndef PAGING_STORAGE_UTF8_H_
#define PAGING_STORAGE_UTF8_H_

#include <string_view>

namespace paging_storage {

// True when `s` is well-formed UTF-8: no overlong forms, no surrogates, no
// code points above U+10FFFF, no truncated sequences.
bool IsValidUtf8(std::string_view s);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_UTF8_H_
