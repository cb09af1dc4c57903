// The JavaScript benchmark's workload run directly on the engine, compiled
// twice from this one file: natively (build/bench) and with Emscripten
// (build/wasm, run under Node). The two runs compare the engine itself,
// native vs wasm, with no boundary crossing in either.
//
// Keys "user:<i>" in order, values the JSON text of { name: 'user' + i,
// age: i }, every page resident. Prints one JSON line: {"set":..,"get":..}
// (ops/s, best of 5 rounds).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "paging_storage/engine.h"

using paging_storage::Engine;
using paging_storage::Options;

int main() {
  constexpr int kN = 100000;
  std::vector<std::pair<std::string, std::string>> work;
  work.reserve(kN);
  for (int i = 0; i < kN; ++i) {
    std::string id = std::to_string(i);
    work.emplace_back("user:" + id,
                      "{\"name\":\"user" + id + "\",\"age\":" + id + "}");
  }
  Options options;
  options.peer_id = "bench";
  options.max_memory_pages = 1 << 30;
  double best_set = 0, best_get = 0;
  size_t found = 0;
  for (int round = 0; round < 5; ++round) {
    std::unique_ptr<Engine> e;
    if (!Engine::Create(options, &e).ok()) return 1;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& [k, v] : work) e->Put(k, v, 1'700'000'000'000, nullptr);
    auto t1 = std::chrono::steady_clock::now();
    std::string value;
    for (const auto& [k, v] : work) found += e->Get(k, &value, nullptr).ok();
    auto t2 = std::chrono::steady_clock::now();
    double set_s = std::chrono::duration<double>(t1 - t0).count();
    double get_s = std::chrono::duration<double>(t2 - t1).count();
    if (kN / set_s > best_set) best_set = kN / set_s;
    if (kN / get_s > best_get) best_get = kN / get_s;
  }
  if (found != 5u * kN) return 2;
  std::printf("{\"set\":%.0f,\"get\":%.0f}\n", best_set, best_get);
  return 0;
}
