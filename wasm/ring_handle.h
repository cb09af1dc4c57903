// RingHandle: one consistent-hash Ring as JavaScript sees it, through embind.
// Immutable once initialized: JS creates a RingHandle per membership,
// _init()s it once, and passes it to EngineHandle._syncScan, whose member
// indices refer to it. A new membership is a new RingHandle. Before a
// successful _init it behaves as an empty ring (no replicas, no shares).
// Converts between the Ring and the byte formats of wire_format.h (members,
// keys -> replicas, shares); nothing throws into JS.
//
// Ownership: JS creates it with `new` and calls delete() once no call that
// was handed it is running; the EngineHandle keeps no reference past a call.
// Bytes come in as a std::string (embind copies the Uint8Array) and go out
// as a fresh Uint8Array copy.
//
// Not thread-safe; JS is single-threaded.
#ifndef PAGING_STORAGE_WASM_RING_HANDLE_H_
#define PAGING_STORAGE_WASM_RING_HANDLE_H_

#include <emscripten/val.h>

#include <string>

#include "paging_storage/ring.h"

namespace paging_storage {

class RingHandle {
 public:
  // wire: members; {code, message}. virtual_nodes: a whole number in
  // [1, wire::kMaxVirtualNodes]. InvalidArgument for a bad argument, or if
  // the ring was already initialized ("a ring is immutable"); a failed call
  // leaves the handle uninitialized.
  emscripten::val Init(const std::string& members, double virtual_nodes);

  // wire: keys -> replicas; rf clamped to [0, 2^20] (NaN: 0), the ring caps
  // it at the member count. A malformed `keys` answers count 0.
  emscripten::val ReplicasFor(const std::string& keys, double rf) const;
  // wire: shares, for replication factor rf (clamped as above).
  emscripten::val Shares(double rf) const;
  // The member count.
  double Size() const;

  const Ring& ring() const { return ring_; }

 private:
  // Invariant: once initialized_, ring_ never changes.
  bool initialized_ = false;
  Ring ring_;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_RING_HANDLE_H_
