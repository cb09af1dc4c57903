// The byte formats that cross the wasm boundary, one Uint8Array each way.
// Their JavaScript side is js/engine/wire.js; change both together.
// Primitives as in cpp/src/coding.h (fixed-width little-endian, LEB128
// varints, varstring := length:varint bytes).
//
//   ops        := op*                                (to the end of input)
//   op         := 0 key:varstring value:varstring                  put
//               | 1 key:varstring                                  delete
//               | 2 key:varstring hlc:fixed64 origin:varstring
//                   tombstone:byte [value:varstring if !tombstone] merge
//   results    := code:byte state:byte pages:varint next:varint
//                 missing_page:varint count:varint result{count}
//   pages      := the number of pages after the call
//   state      := 1 if the engine is over its page budget after the call,
//                 so the caller knows to flush without asking
//   result     := code:byte flags:byte [hlc:fixed64 origin:varstring]
//                 [message:varstring if code != 0]
//                 flags: 1 existed, 2 applied, 4 version follows;
//                 origin "" stands for the local peer
//
//   keys       := count:varint key:varstring{count}
//   values     := state:byte count:varint value{count}
//   value      := 0 value:varstring | 1 | 4 page:varint
//               | code:byte message:varstring   (2, 3: corrupt, invalid)
//
//   scan       := flags:byte start:varstring [end:varstring] limit:varint
//                 flags: 1 has end, 2 reverse, 4 include tombstones
//   scanned    := code:byte [missing_page:varint resume:scan if code == 4]
//                 [message:varstring if code is 2 or 3]
//                 count:varint record{count}
//   record     := key:varstring flags:byte hlc:fixed64 origin:varstring
//                 [value:varstring if !(flags & 1)]    flags: 1 tombstone
//
//   records    := count:varint varstring{count}   (directory records)
//
// Codes are Status::Code values.
#ifndef PAGING_STORAGE_WASM_WIRE_FORMAT_H_
#define PAGING_STORAGE_WASM_WIRE_FORMAT_H_

#include <cstdint>

namespace paging_storage {
namespace wire {

enum OpType : uint8_t { kPut = 0, kDelete = 1, kMerge = 2 };
enum ResultFlags : uint8_t { kExisted = 1, kApplied = 2, kHasVersion = 4 };
enum ScanFlags : uint8_t { kHasEnd = 1, kReverse = 2, kTombstones = 4 };

}  // namespace wire
}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_WIRE_FORMAT_H_
