// Native engine benchmark (`npm run bench`): put, get, delete and range scan
// at 10k, 100k and 1M keys with 100-byte values, memory per key, and a 1M-key
// store paged through 64 resident pages. Prints Google Benchmark's table,
// then a summary against the targets of the engine milestone.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "file_page_store.h"
#include "paged_store.h"
#include "paging_storage/engine.h"

namespace paging_storage {
namespace {

constexpr uint64_t kWallMs = 1'700'000'000'000;
const std::string kValue(100, 'v');

std::string Key(int64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "key%08lld", static_cast<long long>(i));
  return buf;
}

std::vector<int64_t> Shuffled(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));
  return order;
}

// Every page stays resident: measures the engine, not the paging loop.
Options AllResident() {
  Options o;
  o.peer_id = "bench-peer-0123456789abcdef0123456789abcdef";
  o.max_memory_pages = 1 << 30;
  return o;
}

std::unique_ptr<Engine> Filled(int64_t n,
                               const std::vector<std::string>& keys) {
  std::unique_ptr<Engine> e;
  Engine::Create(AllResident(), &e);
  for (int64_t i = 0; i < n; ++i) e->Put(keys[i], kValue, kWallMs, nullptr);
  return e;
}

std::vector<std::string> KeysInRandomOrder(int64_t n) {
  std::vector<std::string> keys;
  keys.reserve(static_cast<size_t>(n));
  for (int64_t i : Shuffled(n, 42)) keys.push_back(Key(i));
  return keys;
}

size_t HeapInUse() { return mallinfo2().uordblks; }

// Summary rows: name -> items per second, or a measured value.
std::map<std::string, double>& Summary() {
  static std::map<std::string, double> summary;
  return summary;
}

void BM_Put(benchmark::State& state) {
  int64_t n = state.range(0);
  std::vector<std::string> keys = KeysInRandomOrder(n);
  for (auto _ : state) {
    std::unique_ptr<Engine> e;
    Engine::Create(AllResident(), &e);
    for (int64_t i = 0; i < n; ++i) {
      WriteResult r = e->Put(keys[i], kValue, kWallMs, nullptr);
      benchmark::DoNotOptimize(r);
    }
    state.PauseTiming();
    e.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_Get(benchmark::State& state) {
  int64_t n = state.range(0);
  std::vector<std::string> keys = KeysInRandomOrder(n);
  std::unique_ptr<Engine> e = Filled(n, keys);
  std::vector<std::string> probe = KeysInRandomOrder(n);
  std::string value;
  int64_t done = 0;
  for (auto _ : state) {
    for (const std::string& k : probe) {
      Status s = e->Get(k, &value, nullptr);
      benchmark::DoNotOptimize(s);
    }
    done += n;
  }
  state.SetItemsProcessed(done);
}

void BM_Delete(benchmark::State& state) {
  int64_t n = state.range(0);
  std::vector<std::string> keys = KeysInRandomOrder(n);
  std::vector<std::string> victims = KeysInRandomOrder(n);
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Engine> e = Filled(n, keys);
    state.ResumeTiming();
    for (const std::string& k : victims) {
      WriteResult r = e->Delete(k, kWallMs, nullptr);
      benchmark::DoNotOptimize(r);
    }
    state.PauseTiming();
    e.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// Scans of 100 keys from random starting points; items = keys returned.
void BM_Scan100(benchmark::State& state) {
  int64_t n = state.range(0);
  std::vector<std::string> keys = KeysInRandomOrder(n);
  std::unique_ptr<Engine> e = Filled(n, keys);
  std::mt19937_64 rng(7);
  ScanResult out;
  int64_t items = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) {
      ScanOptions o;
      o.start = Key(static_cast<int64_t>(rng() % static_cast<uint64_t>(n)));
      o.limit = 100;
      e->Scan(o, &out);
      items += static_cast<int64_t>(out.records.size());
    }
  }
  state.SetItemsProcessed(items);
}

// Heap bytes per key with every page resident.
void BM_MemoryPerKey(benchmark::State& state) {
  int64_t n = state.range(0);
  std::vector<std::string> keys = KeysInRandomOrder(n);
  for (auto _ : state) {
    size_t before = HeapInUse();
    std::unique_ptr<Engine> e = Filled(n, keys);
    size_t after = HeapInUse();
    state.counters["bytes_per_key"] =
        static_cast<double>(after - before) / static_cast<double>(n);
    state.counters["pages"] = static_cast<double>(e->Stats().pages);
    Summary()["memory_per_key/" + std::to_string(n)] =
        state.counters["bytes_per_key"];
  }
}

// 1M keys through a budget of 64 resident pages; page bytes go to a file.
// Loads in key order (a bulk load), then reads 200k random keys, each
// likely a page load from the file.
void BM_Paged1M(benchmark::State& state) {
  const int64_t n = 1'000'000;
  const size_t budget = 64;
  for (auto _ : state) {
    bench::FilePageStore disk;
    Options o = AllResident();
    o.max_memory_pages = budget;
    size_t heap_before = HeapInUse();
    std::unique_ptr<testing::PagedStore> store;
    testing::PagedStore::Open(o, &disk, &store);
    size_t max_resident = 0, max_resident_bytes = 0;
    auto load_start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < n; ++i) {
      store->Put(Key(i), kValue);
      if (i % 1000 == 0) {
        EngineStats s = store->engine().Stats();  // O(pages): sample it
        max_resident = std::max(max_resident, s.resident_pages);
        max_resident_bytes = std::max(max_resident_bytes, s.resident_bytes);
      }
    }
    store->Flush();
    auto load_end = std::chrono::steady_clock::now();
    std::vector<int64_t> order = Shuffled(n, 3);
    std::string value;
    int found = 0;
    for (int i = 0; i < 200'000; ++i) {
      found += store->Get(Key(order[i]), &value).ok();
      if (i % 1000 == 0) {
        EngineStats s = store->engine().Stats();
        max_resident = std::max(max_resident, s.resident_pages);
        max_resident_bytes = std::max(max_resident_bytes, s.resident_bytes);
      }
    }
    auto read_end = std::chrono::steady_clock::now();
    size_t heap_after = HeapInUse();
    EngineStats s = store->engine().Stats();
    auto secs = [](auto a, auto b) {
      return std::chrono::duration<double>(b - a).count();
    };
    Summary()["paged_load_ops"] = n / secs(load_start, load_end);
    Summary()["paged_read_ops"] = 200'000 / secs(load_end, read_end);
    Summary()["paged_pages"] = static_cast<double>(s.pages);
    state.counters["found"] = found;
    state.counters["pages"] = static_cast<double>(s.pages);
    state.counters["max_resident_pages"] = static_cast<double>(max_resident);
    state.counters["max_resident_bytes"] =
        static_cast<double>(max_resident_bytes);
    state.counters["heap_bytes_per_key"] =
        static_cast<double>(heap_after - heap_before) / n;
    Summary()["paged_max_resident_bytes"] =
        static_cast<double>(max_resident_bytes);
    Summary()["paged_budget_bytes"] = static_cast<double>(budget * o.page_size);
    Summary()["paged_heap_bytes_per_key"] =
        static_cast<double>(heap_after - heap_before) / n;
    Summary()["paged_found"] = found;
  }
}

BENCHMARK(BM_Put)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK(BM_Get)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(
    benchmark::kMillisecond);
BENCHMARK(BM_Delete)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK(BM_Scan100)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryPerKey)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Paged1M)->Iterations(1)->Unit(benchmark::kMillisecond);

// Captures items_per_second per run for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) {
        Summary()[run.benchmark_name()] = it->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

void PrintSummary() {
  auto& s = Summary();
  auto has = [&](const std::string& name) { return s.count(name) > 0; };
  auto cell = [&](const std::string& name) {
    char buf[32];
    if (has(name)) {
      std::snprintf(buf, sizeof(buf), "%14.0f", s[name]);
    } else {
      std::snprintf(buf, sizeof(buf), "%14s", "not run");
    }
    return std::string(buf);
  };
  std::printf("\nSummary (ops/s; 100-byte values; random key order)\n");
  std::printf("%-10s %14s %14s %14s\n", "op", "10k keys", "100k keys",
              "1M keys");
  for (const char* op : {"Put", "Get", "Delete", "Scan100"}) {
    // Put and Delete run a fixed 3 iterations; the name says so.
    std::string suffix = std::string(op) == "Put" || std::string(op) == "Delete"
                             ? "/iterations:3"
                             : "";
    std::string base = std::string("BM_") + op + "/";
    std::printf("%-10s %s %s %s\n", op, cell(base + "10000" + suffix).c_str(),
                cell(base + "100000" + suffix).c_str(),
                cell(base + "1000000" + suffix).c_str());
  }
  auto target = [&](const char* what, const std::string& name, double goal) {
    if (!has(name)) {
      std::printf("  %-42s : not run\n", what);
      return;
    }
    std::printf("  %-42s : %12.0f  %s\n", what, s[name],
                s[name] >= goal ? "MET" : "MISSED");
  };
  std::printf("\nTargets\n");
  target("put @100k  >= 1,000,000 ops/s", "BM_Put/100000/iterations:3", 1e6);
  target("get @100k  >= 3,000,000 ops/s", "BM_Get/100000", 3e6);
  if (has("paged_max_resident_bytes")) {
    double resident = s["paged_max_resident_bytes"];
    double budget = s["paged_budget_bytes"];
    std::printf(
        "  1M keys, maxMemoryPages 64: max resident page bytes %.0f <= %.0f "
        "(64 x pageSize)  %s\n",
        resident, budget, resident <= budget ? "MET" : "MISSED");
    std::printf(
        "  1M keys paged (%.0f pages): ascending load %.0f ops/s, random "
        "reads %.0f ops/s (%.0f of 200000 found), heap %.1f bytes/key "
        "(directory + file index)\n",
        s["paged_pages"], s["paged_load_ops"], s["paged_read_ops"],
        s["paged_found"], s["paged_heap_bytes_per_key"]);
  }
  if (has("memory_per_key/100000")) {
    std::printf(
        "  memory per key, all resident: %.1f bytes (100k), %.1f bytes "
        "(1M)\n",
        s["memory_per_key/100000"], s["memory_per_key/1000000"]);
  }
}

}  // namespace
}  // namespace paging_storage

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  paging_storage::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  paging_storage::PrintSummary();
  benchmark::Shutdown();
  return 0;
}
