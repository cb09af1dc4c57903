// Engine::StatsJson, with nlohmann_json. Written never to throw (the wasm
// build has exceptions disabled, where a throw inside nlohmann aborts): only
// numbers and ASCII strings go into the document.
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "paging_storage/engine.h"

namespace paging_storage {
namespace {

// 16 lowercase hex digits: a uint64 survives JSON that way, unlike as a
// JavaScript number.
std::string HlcToHex(uint64_t hlc) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, hlc);
  return buf;
}

}  // namespace

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
                      {"bufferedWrites", s.buffered_writes},
                      {"runPages", s.run_pages},
                      {"runMerges", s.run_merges},
                      {"maxMemoryPages", s.max_memory_pages},
                      {"memoryPressure", s.memory_pressure},
                      {"hlc", HlcToHex(s.hlc)}};
  return j.dump();
}

}  // namespace paging_storage
