// JSON export/import and stats, with nlohmann_json.
//
// Written to never throw: the wasm build has exceptions disabled, where a
// throw inside nlohmann aborts. So: parse with allow_exceptions=false, test
// every type before reading a value, and validate UTF-8 before dump().
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine_impl.h"
#include "paging_storage/engine.h"
#include "utf8.h"

namespace paging_storage {
namespace {

constexpr const char* kFormat = "paging-storage";
constexpr int kFormatVersion = 1;

std::string HlcToHex(uint64_t hlc) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, hlc);
  return buf;
}

bool HexToHlc(const std::string& hex, uint64_t* out) {
  if (hex.size() != 16) return false;
  uint64_t v = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

}  // namespace

Status Engine::RecordsToJson(const std::vector<Record>& records,
                             std::string* json) {
  nlohmann::json entries = nlohmann::json::array();
  for (const Record& r : records) {
    if (r.tombstone) continue;
    if (!IsValidUtf8(r.key) || !IsValidUtf8(r.value) ||
        !IsValidUtf8(r.version.origin)) {
      return Status::InvalidArgument("export: '" + r.key +
                                     "' holds bytes that are not UTF-8");
    }
    entries.push_back({{"key", r.key},
                       {"value", r.value},
                       {"hlc", HlcToHex(r.version.hlc)},
                       {"origin", r.version.origin}});
  }
  nlohmann::json doc = {{"format", kFormat},
                        {"version", kFormatVersion},
                        {"entries", std::move(entries)}};
  *json = doc.dump();
  return Status::OK();
}

Status Engine::ParseRecordsJson(std::string_view json,
                                std::vector<WriteOp>* ops) {
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("import: not JSON");
  if (!doc.is_object()) {
    return Status::InvalidArgument("import: not a JSON object");
  }
  auto format = doc.find("format");
  auto version = doc.find("version");
  auto entries = doc.find("entries");
  if (format == doc.end() || !format->is_string() ||
      format->get_ref<const std::string&>() != kFormat) {
    return Status::InvalidArgument("import: not a paging-storage export");
  }
  if (version == doc.end() || !version->is_number_integer() ||
      version->get<int64_t>() != kFormatVersion) {
    return Status::InvalidArgument("import: unsupported export version");
  }
  if (entries == doc.end() || !entries->is_array()) {
    return Status::InvalidArgument("import: entries is not an array");
  }
  std::vector<WriteOp> parsed;
  parsed.reserve(entries->size());
  size_t index = 0;
  for (const nlohmann::json& e : *entries) {
    std::string where = "import: entry " + std::to_string(index++);
    if (!e.is_object())
      return Status::InvalidArgument(where + " not an object");
    auto key = e.find("key");
    auto value = e.find("value");
    auto hlc = e.find("hlc");
    auto origin = e.find("origin");
    if (key == e.end() || !key->is_string()) {
      return Status::InvalidArgument(where + ": key is not a string");
    }
    if (value == e.end() || !value->is_string()) {
      return Status::InvalidArgument(where + ": value is not a string");
    }
    WriteOp op;
    op.record.key = key->get<std::string>();
    op.record.value = value->get<std::string>();
    bool has_hlc = hlc != e.end();
    bool has_origin = origin != e.end();
    if (has_hlc != has_origin) {
      return Status::InvalidArgument(where + ": hlc and origin go together");
    }
    if (has_hlc) {
      if (!hlc->is_string() ||
          !HexToHlc(hlc->get<std::string>(), &op.record.version.hlc) ||
          op.record.version.hlc == 0) {
        return Status::InvalidArgument(where + ": hlc is not 16 hex digits");
      }
      if (!origin->is_string() ||
          origin->get_ref<const std::string&>().empty()) {
        return Status::InvalidArgument(where + ": origin is not a string");
      }
      op.type = WriteOp::Type::kMerge;
      op.record.version.origin = origin->get<std::string>();
    } else {
      op.type = WriteOp::Type::kPut;
    }
    parsed.push_back(std::move(op));
  }
  *ops = std::move(parsed);
  return Status::OK();
}

std::string Engine::StatsJson() const {
  EngineStats s = Stats();
  nlohmann::json j = {{"pages", s.pages},
                      {"liveKeys", s.live_keys},
                      {"tombstones", s.tombstones},
                      {"bytes", s.bytes},
                      {"residentPages", s.resident_pages},
                      {"residentBytes", s.resident_bytes},
                      {"dirtyPages", s.dirty_pages},
                      {"corruptPages", s.corrupt_pages},
                      {"maxMemoryPages", s.max_memory_pages},
                      {"memoryPressure", s.memory_pressure},
                      {"hlc", HlcToHex(s.hlc)}};
  return j.dump();
}

}  // namespace paging_storage
