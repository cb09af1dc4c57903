// The conversions both handles share between C++ values and the JavaScript
// values embind passes: a Status as {code, message}, bytes as a fresh
// Uint8Array, a JS number as an unsigned integer.
//
// Not thread-safe (emscripten::val never is); JS is single-threaded.
#ifndef PAGING_STORAGE_WASM_JS_VALUES_H_
#define PAGING_STORAGE_WASM_JS_VALUES_H_

#include <emscripten/val.h>

#include <cstdint>
#include <string>

#include "paging_storage/status.h"

namespace paging_storage {

// {code: number, message: string}
emscripten::val StatusVal(const Status& s);

// A Uint8Array copy that JS owns: memory growth cannot detach it, and no
// view into wasm memory escapes.
emscripten::val BytesVal(const std::string& bytes);

// A JS number as an unsigned integer without undefined behaviour: NaN and
// values below 1 give 0, fractions are truncated, values above `max` give
// `max`.
uint64_t ClampToUnsigned(double number, uint64_t max);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_JS_VALUES_H_
