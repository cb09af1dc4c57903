// The byte formats that cross the wasm boundary, one Uint8Array each way.
// Encoded and decoded in C++ by wire_codec.h (engine calls) and
// sync_codec.{h,cc} (ring and sync); their JavaScript side lives in
// js/engine/. Change both sides together.
// Primitives as in cpp/src/coding.h (fixed-width little-endian, minimal
// LEB128 varints, varstring := length:varint bytes). Every production is
// exact: a decoder refuses bytes left over after it.
//
// EngineHandle (engine_handle.h):
//   ops        := op*                                (to the end of input)
//   op         := 0 key:varstring value:varstring                  put
//               | 1 key:varstring                                  delete
//               | 2 key:varstring hlc:fixed64 origin:varstring
//                   tombstone:byte [value:varstring if !tombstone] merge
//               | 3 key:varstring hlc:fixed64 origin:varstring     forget
//               | 4 key:varstring                                  tombstone
//                   (a delete that writes its tombstone even when no
//                   live value is here)
//               | 5 key:varstring hlc:fixed64 origin:varstring floor:fixed64
//                                                                  restamp
//                   (if the stored version is (hlc, origin): stamp it
//                   again past floor; WriteOp::Type::kRestamp)
//   results    := code:byte state:byte pages:varint next:varint
//                 missing_page:varint count:varint result{count}
//   pages      := the number of pages after the call
//   state      := 1 if the engine is over its page budget after the call,
//                 so the caller knows to flush without asking
//   result     := code:byte flags:byte [hlc:fixed64 origin:varstring]
//                 [message:varstring if code is neither 0 nor 4]
//                 [page:varint if code == 4: skipped, waiting on that page]
//                 flags: 1 existed, 2 applied, 4 version follows (only
//                 with code 0 and hlc != 0); origin "" stands for the local
//                 peer. A malformed batch (code neither 0 nor 4) answers
//                 state 0, next 0, missing_page 0 and one result carrying
//                 the code and message, flags 0.
//
//   keys       := count:varint key:varstring{count}
//                 (a malformed `keys` is answered as count 0)
//   values     := state:byte count:varint value{count}
//   value      := 0 value:varstring | 1 | 4 page:varint
//               | code:byte message:varstring   (2, 3, 5: another error)
//                 4 with page 0: the answer is full (about 8 MiB), ask
//                 that key again (also in `lookup`)
//
//   scan       := flags:byte start:varstring [end:varstring] limit:varint
//                 flags: 1 has end, 2 reverse, 4 include tombstones
//   scanned    := code:byte [missing_page:varint resume:scan if code == 4]
//                 (missing_page 0: the answer is full, about 8 MiB: scan
//                 again from resume without loading anything)
//                 [message:varstring if code is another error]
//                 count:varint record{count}
//   record     := key:varstring flags:byte hlc:fixed64 origin:varstring
//                 [value:varstring if !(flags & 1)]    flags: 1 tombstone
//
//   records    := count:varint varstring{count}   (directory records)
//
//   looked     := state:byte count:varint lookup{count}    (answers `keys`)
//   lookup     := 0 hlc:fixed64 origin:varstring tombstone:byte
//                   [value:varstring if !tombstone]
//               | 1 | 4 page:varint | code:byte message:varstring
//                 origin is the stored peer id, the local one included
//
//   flush      := state:varstring count:varint page{count}
//                 deleted:varint id:varint{deleted}         (_collectFlush)
//   page       := id:varint bytes:varstring record:varstring
//                 state: the engine state record; per dirty page its bytes
//                 and directory record; deleted: pages merged away (delete
//                 their bytes and records). Kept by the handle until
//                 _commitFlush.
//                 _collectFlushOf(ids) answers the same for the flush
//                 families named (ids from _flushFamilies).
//   ids        := count:varint id:varint{count}
//                 (_pagesAhead, _pagesWantedForMerges, _flushFamilies,
//                 _collectFlushOf's argument)
//   purge      := horizon:fixed64 want:varint start:varstring
//                 (_purgeTombstones: remove tombstones with hlc < horizon
//                 from key `start` on; want: at most this many pages to
//                 name when it stops)
//   purged     := code:byte count:varint
//                 [resume:varstring ids if code == 4]
//                 [message:varstring if code is another error]
//                 count: tombstones removed by the call; on code 4 load the
//                 ids (the first is needed first) and call again from resume
//   clock      := hlc:fixed64    the greatest HLC timestamp issued or seen
//
// RingHandle (ring_handle.h; paging_storage/ring.h), and sync
// (paging_storage/sync_scan.h):
//   members    := count:varint id:varstring{count} [weight:byte{count}]
//                 (_init) ids non-empty and strictly increasing in byte
//                 order; member index i is the i-th id; weights (default
//                 all 1): 0 a full replica, 1..16 tokens per virtual node
//                 (paging_storage/ring.h)
//   replicas   := count:varint (n:varint index:varint{n}){count}
//                 one entry per key of `keys`, replicas in ring order
//                 (_replicasFor)
//   shares     := count:varint share:fixed64{count}             (_shares)
//                 one IEEE-754 double per member (its bits, little-endian)
//   sync       := rf:varint self:varint start:varstring count:varint
//                 query{count}
//                 EngineHandle._syncScan(ring, sync): self and each peer
//                 are member indices of that RingHandle
//   query      := peer:varint bits:byte prefix:varint entries:byte
//                 bits: 0, 4, ..., 28; entries: 0 digests, 1 entries
//   synced     := code:byte [missing_page:varint resume:varstring if code
//                 == 4] [message:varstring if code is another error]
//                 count:varint (index:varint answer){count}
//                 (count 0 on such errors): only the answers that hold
//                 something, by query index, ascending; the others are
//                 empty (counts 0, digests 0, no entries)
//   answer     := (count:varint digest:fixed64){16}        if !entries
//               | n:varint (key:varstring hlc:fixed64 origin:varstring
//                   tombstone:byte){n}                      if entries
//                 on code 4 the answers are partial sums: call again from
//                 resume after loading the page, then XOR the digests, add
//                 the counts and concatenate the entries
//
// Codes are Status::Code values. `_constants()` returns these constants as
// JSON (json_codec.h), so the JavaScript side can check its copies.
#ifndef PAGING_STORAGE_WASM_WIRE_FORMAT_H_
#define PAGING_STORAGE_WASM_WIRE_FORMAT_H_

#include <cstdint>

namespace paging_storage {
namespace wire {

enum OpType : uint8_t {
  kPut = 0,
  kDelete = 1,
  kMerge = 2,
  kForget = 3,
  kTombstone = 4,
  kRestamp = 5
};
// kBuffered: WriteResult::buffered (the write path took a put without
// reading its key: kExisted is unknown, reported clear). kOtherValue:
// WriteResult::other_value (a merge of the stored version with another value).
enum ResultFlags : uint8_t {
  kExisted = 1,
  kApplied = 2,
  kHasVersion = 4,
  kBuffered = 8,
  kOtherValue = 16
};
enum ScanFlags : uint8_t { kHasEnd = 1, kReverse = 2, kTombstones = 4 };
// The flags of a `scanned` record.
enum RecordFlags : uint8_t { kRecordTombstone = 1 };

// Ring tokens per member accepted by RingHandle._init.
constexpr uint32_t kMaxVirtualNodes = 4096;
// The sync tree: kSyncChildren (16) children per node, 4 bits per level, at
// most kSyncMaxBits (28) bits fixed (paging_storage/sync_scan.h).

}  // namespace wire
}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_WIRE_FORMAT_H_
