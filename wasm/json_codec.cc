#include "json_codec.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "paging_storage/hlc.h"
#include "paging_storage/sync_scan.h"
#include "wire_format.h"

namespace paging_storage {

Status ParseOptions(std::string_view json, Options* out) {
  auto doc = nlohmann::json::parse(json.begin(), json.end(), nullptr,
                                   /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("options: not a JSON object");
  }
  auto size_field = [&](const char* name, size_t* field) -> bool {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) return true;
    // size_t is 32 bits in wasm32: a larger number is refused, not cut.
    if (!it->is_number_unsigned() ||
        it->get<uint64_t>() > std::numeric_limits<size_t>::max()) {
      return false;
    }
    *field = static_cast<size_t>(it->get<uint64_t>());
    return true;
  };
  // Milliseconds (wall clock, drift): up to 2^53, beyond size_t in wasm32.
  auto ms_field = [&](const char* name, uint64_t* field) -> bool {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) return true;
    if (!it->is_number_unsigned() ||
        it->get<uint64_t>() > (uint64_t{1} << 53)) {
      return false;
    }
    *field = it->get<uint64_t>();
    return true;
  };
  auto peer = doc.find("peerId");
  if (peer != doc.end()) {
    if (!peer->is_string()) return Status::InvalidArgument("options: peerId");
    out->peer_id = peer->get<std::string>();
  }
  if (!size_field("pageSize", &out->page_size) ||
      !size_field("splitThreshold", &out->split_threshold) ||
      !size_field("mergeThreshold", &out->merge_threshold) ||
      !size_field("maxMemoryPages", &out->max_memory_pages) ||
      !size_field("writeBufferPages", &out->write_buffer_pages) ||
      !size_field("maxKeyBytes", &out->max_key_bytes) ||
      !size_field("maxValueBytes", &out->max_value_bytes) ||
      !ms_field("maxClockDriftMs", &out->max_clock_drift_ms) ||
      !ms_field("openWallMs", &out->open_wall_ms)) {
    return Status::InvalidArgument("options: sizes must be whole numbers");
  }
  return Status::OK();
}

std::string PagesJson(const std::vector<PageInfo>& pages) {
  nlohmann::json out = nlohmann::json::array();
  for (const PageInfo& p : pages) {
    // Lower bounds are keys, hence UTF-8 ("" for the first page).
    out.push_back({{"id", p.id},
                   {"lowerKey", p.lower_key},
                   {"keyCount", p.live_count},
                   {"entryCount", p.entry_count},
                   {"bytes", p.bytes},
                   {"lastModifiedMs", Hlc::WallMs(p.max_hlc)},
                   {"resident", p.resident},
                   {"dirty", p.dirty},
                   {"corrupt", p.corrupt},
                   {"mergePending", p.merge_pending}});
  }
  return out.dump();
}

std::string ConstantsJson() {
  using Code = Status::Code;
  auto code = [](Code c) { return static_cast<int>(c); };
  auto num = [](unsigned v) { return v; };
  nlohmann::json status = {{"ok", code(Code::kOk)},
                           {"notFound", code(Code::kNotFound)},
                           {"corruption", code(Code::kCorruption)},
                           {"invalidArgument", code(Code::kInvalidArgument)},
                           {"notResident", code(Code::kNotResident)},
                           {"busy", code(Code::kBusy)}};
  nlohmann::json op_type = {{"put", num(wire::kPut)},
                            {"delete", num(wire::kDelete)},
                            {"merge", num(wire::kMerge)},
                            {"forget", num(wire::kForget)},
                            {"tombstone", num(wire::kTombstone)},
                            {"restamp", num(wire::kRestamp)}};
  nlohmann::json result_flags = {{"existed", num(wire::kExisted)},
                                 {"applied", num(wire::kApplied)},
                                 {"hasVersion", num(wire::kHasVersion)},
                                 {"buffered", num(wire::kBuffered)},
                                 {"otherValue", num(wire::kOtherValue)}};
  nlohmann::json scan_flags = {{"hasEnd", num(wire::kHasEnd)},
                               {"reverse", num(wire::kReverse)},
                               {"tombstones", num(wire::kTombstones)}};
  nlohmann::json record_flags = {{"tombstone", num(wire::kRecordTombstone)}};
  nlohmann::json j = {{"status", status},
                      {"syncChildren", num(kSyncChildren)},
                      {"syncBitsPerLevel", num(kSyncBitsPerLevel)},
                      {"syncMaxBits", num(kSyncMaxBits)},
                      {"maxVirtualNodes", num(wire::kMaxVirtualNodes)},
                      {"hlcLogicalBits", num(Hlc::kLogicalBits)},
                      {"opType", op_type},
                      {"resultFlags", result_flags},
                      {"scanFlags", scan_flags},
                      {"recordFlags", record_flags}};
  return j.dump();
}

}  // namespace paging_storage
