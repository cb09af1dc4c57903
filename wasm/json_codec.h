// The JSON texts that cross the wasm boundary: the options JS passes to
// _create/_open, the page list _listPages answers, and the constants
// _constants() reports so the JavaScript side can check its copies of them.
// (Engine::StatsJson writes _stats.) Free of emscripten, so the native tests
// cover it.
//
// Uses nlohmann::json without exceptions: parse with allow_exceptions=false
// and test every type before reading it; nothing throws. Stateless;
// thread-safe.
#ifndef PAGING_STORAGE_WASM_JSON_CODEC_H_
#define PAGING_STORAGE_WASM_JSON_CODEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "paging_storage/options.h"
#include "paging_storage/status.h"
#include "paging_storage/types.h"

namespace paging_storage {

// options := {"peerId": string, "pageSize", "splitThreshold",
//             "mergeThreshold", "maxMemoryPages", "maxKeyBytes",
//             "maxValueBytes", "maxClockDriftMs", "openWallMs": whole
//             numbers (ms up to 2^53)}, every field optional (absent
// or null: *out keeps its value, the engine default). Other fields are
// ignored. InvalidArgument naming the problem for anything else; the values
// themselves are checked by Options::Normalize.
Status ParseOptions(std::string_view json, Options* out);

// [{"id", "lowerKey", "keyCount", "entryCount", "bytes", "lastModifiedMs",
//   "resident", "dirty", "corrupt", "mergePending"}, ...] in directory
// order. REQUIRES: lower keys are UTF-8 (keys are).
std::string PagesJson(const std::vector<PageInfo>& pages);

// {"status": {"ok", "notFound", "corruption", "invalidArgument",
//  "notResident", "busy"}, "syncChildren", "syncBitsPerLevel",
//  "syncMaxBits", "maxVirtualNodes", "hlcLogicalBits", "opType": {"put",
//  "delete", "merge", "forget", "tombstone"}, "resultFlags": {"existed",
//  "applied", "hasVersion"}, "scanFlags": {"hasEnd", "reverse", "tombstones"},
//  "recordFlags":
//  {"tombstone"}}, every value read from its C++ constant.
std::string ConstantsJson();

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_JSON_CODEC_H_
