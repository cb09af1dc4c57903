// EngineHandle: the engine as JavaScript sees it, through embind. It owns one
// Engine and converts between the engine's C++ types and the byte formats of
// wire_format.h. Every method returns a value; nothing throws into JS.
//
// Ownership: JS creates a handle with `new`, and the single JS class that
// holds it (js/engine/wasm-engine.js) calls delete() on shutdown.
// Bytes come in as a std::string (embind copies the Uint8Array) and go out
// as a fresh Uint8Array copy, never a view into wasm memory.
//
// Not thread-safe; JS is single-threaded.
#ifndef PAGING_STORAGE_WASM_ENGINE_HANDLE_H_
#define PAGING_STORAGE_WASM_ENGINE_HANDLE_H_

#include <emscripten/val.h>

#include <memory>
#include <string>
#include <string_view>

#include "paging_storage/engine.h"
#include "paging_storage/ring.h"

namespace paging_storage {

class EngineHandle {
 public:
  // Both return {code, message}. options_json: {"peerId", "pageSize",
  // "splitThreshold", "mergeThreshold", "maxMemoryPages", "maxKeyBytes",
  // "maxValueBytes"} (absent: engine defaults). `records` is the wire
  // format's `records`.
  emscripten::val Create(const std::string& options_json);
  emscripten::val Open(const std::string& options_json,
                       const std::string& engine_state,
                       const std::string& records);

  // wire: ops -> results
  emscripten::val ApplyBatch(const std::string& ops, double wall_ms);
  // wire: keys -> values
  emscripten::val GetMany(const std::string& keys);
  // wire: scan -> scanned
  emscripten::val Scan(const std::string& scan);
  // wire: keys -> looked (stored records, tombstones included)
  emscripten::val LookupMany(const std::string& keys);

  // ---- Ring and sync (the handle owns one Ring; default empty, 128
  // vnodes) ----

  // wire: members; {code, message}. virtual_nodes in [1, kMaxVirtualNodes].
  // On error the ring is left as it was.
  emscripten::val SetRing(const std::string& members, double virtual_nodes);
  // wire: keys -> replicas
  emscripten::val ReplicasFor(const std::string& keys, double rf);
  // wire: shares
  emscripten::val RingShare(double rf) const;
  // wire: sync -> synced
  emscripten::val SyncScan(const std::string& request);

  // {code, message}
  emscripten::val LoadPage(double id, const std::string& bytes);
  // [{id, bytes, record}], deleted: [ids], state: Uint8Array}; the batch is
  // kept until CommitFlush.
  emscripten::val CollectFlush();
  void CommitFlush();
  double EvictAllClean();
  bool OverBudget() const;
  bool HasDirtyPages() const;
  emscripten::val PagesWantedForMerges() const;
  // Engine::PagesAhead; ids as numbers.
  emscripten::val PagesAhead(double first, double limit, bool descending) const;

  std::string StatsJson() const;
  std::string ListPagesJson() const;
  emscripten::val CheckInvariants() const;

 private:
  // Frames wire `keys` -> `values`-shaped output: state:byte count:varint,
  // then per_key(key, &out) appends each key's answer; state = over budget.
  template <typename PerKey>
  emscripten::val KeyBatch(const std::string& keys_bytes, PerKey per_key);

  std::unique_ptr<Engine> engine_;
  FlushBatch pending_flush_;
  Ring ring_;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_ENGINE_HANDLE_H_
