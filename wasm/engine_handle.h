// EngineHandle: the engine as JavaScript sees it, through embind. It owns
// one Engine and the flush batch in flight; each call decodes its bytes
// (wire_codec.h, sync_codec.h, json_codec.h), calls the engine and encodes
// the answer. The byte formats are in wire_format.h. Every method returns a
// value; nothing throws into JS.
//
// Ownership: JS creates a handle with `new`, and the single JS class that
// holds it calls delete() on shutdown. A RingHandle passed to SyncScan is
// only borrowed for the call.
// Bytes come in as a std::string (embind copies the Uint8Array) or through
// the staging buffer, and go out as a fresh Uint8Array copy, or, for the
// calls marked "replies", in the reply buffer (see Reply).
//
// REQUIRES: Create or Open succeeded before any other call.
// Not thread-safe; JS is single-threaded.
#ifndef PAGING_STORAGE_WASM_ENGINE_HANDLE_H_
#define PAGING_STORAGE_WASM_ENGINE_HANDLE_H_

#include <emscripten/val.h>

#include <memory>
#include <string>

#include "paging_storage/engine.h"
#include "wire_codec.h"

namespace paging_storage {

class RingHandle;

class EngineHandle {
 public:
  // Both return {code, message}. options_json: json_codec.h's `options`.
  // `records` is the wire format's `records`.
  emscripten::val Create(const std::string& options_json);
  emscripten::val Open(const std::string& options_json,
                       const std::string& engine_state,
                       const std::string& records);

  // The staging buffer for the input bytes of the calls below marked
  // "staged": JS calls Stage(room) for room for up to `room` bytes and keeps
  // the address it returns; before each staged call it writes there
  // length:fixed32 (little-endian), then that many bytes (HEAPU8.set), at
  // most `room`. Embind would otherwise copy a Uint8Array into a std::string
  // one byte at a time in JavaScript (Emscripten 3.1.6): a quarter of a
  // paged read's time; and calls that fit the room need no Stage call of
  // their own. The address is valid until the next Stage.
  double Stage(double room);

  // The calls below marked "replies" answer in the handle's reply buffer
  // and return its address: length:fixed32 (little-endian), then that many
  // bytes of the answer. JS reads them before its next call into the module
  // (any call may reuse or move the buffer, and a grown memory replaces the
  // heap views). Embind would otherwise copy each answer out through a
  // typed_memory_view and a JS `slice` call: a tenth of an awaited get.

  // staged wire: ops -> results, replies. wall_ms: the caller's clock
  // (clamped to [0, Hlc::kMaxWallMs]). skip_missing: Engine::ApplyBatch's.
  double ApplyBatch(double wall_ms, bool skip_missing);
  // staged wire: keys -> values, replies (a malformed `keys` answers count 0)
  double GetMany();
  // staged wire: keys -> looked (stored records, tombstones included), replies
  double LookupMany();
  // staged wire: scan -> scanned, replies
  double Scan();
  // staged wire: sync -> synced, over `ring` (member indices refer to it).
  emscripten::val SyncScan(const RingHandle& ring);

  // staged: the page's bytes. {code, message}; an id that is not a page is
  // InvalidArgument.
  emscripten::val LoadPage(double id);
  // wire: flush. The batch is kept until CommitFlush; a second CollectFlush
  // before it replaces the kept batch.
  emscripten::val CollectFlush();
  // wire: ids (Engine::FlushFamilies: the families to store, fewest dirty
  // bytes first).
  emscripten::val FlushFamilies() const;
  // wire: ids -> flush (Engine::CollectFlush of those families; a malformed
  // `ids` collects none). Kept like CollectFlush's.
  emscripten::val CollectFlushOf(const std::string& families);
  // Marks the kept batch stored (Engine::CommitFlush) and drops it.
  // REQUIRES: its bytes were stored.
  void CommitFlush();
  double EvictAllClean();
  // Engine::RetryCorruptPages; the count of corrupt pages.
  double RetryCorruptPages();
  // wire: purge -> purged (Engine::PurgeTombstones)
  emscripten::val PurgeTombstones(const std::string& request);
  // wire: ids (Engine::PagesWantedForMerges)
  emscripten::val PagesWantedForMerges() const;
  // wire: ids (Engine::PagesWantedForCompaction; a negative or NaN limit
  // reads as 0).
  emscripten::val PagesWantedForCompaction(double limit, bool bulk);
  // Engine::CompactionDue, Engine::WriteStall.
  bool CompactionDue(bool bulk) const;
  bool WriteStall() const;
  // More resident pages than max_memory_pages once `incoming` more are
  // loaded (0: now).
  bool OverBudget(double incoming) const;
  bool HasDirtyPages(bool make_room) const;
  // wire: ids (Engine::PagesAhead; a negative or NaN argument reads as 0).
  emscripten::val PagesAhead(double first, double limit, bool descending) const;
  // wire: clock (Engine::Clock).
  emscripten::val Clock() const;
  // Engine::SetUserData / UserData, as strings (UTF-8). Set answers the
  // status code (0, or 2: too long).
  int SetUserData(const std::string& data);
  std::string UserData() const;

  std::string StatsJson() const;
  // json_codec.h's PagesJson.
  // json_codec.h's PagesJson of Engine::ListPages(from, limit).
  std::string ListPagesJson(const std::string& from, double limit) const;
  emscripten::val CheckInvariants() const;

 private:
  // Decodes wire `keys`, asks answer(key, &record, &missing) -> Status for
  // each and writes `values` (looked: `looked`) as it goes.
  template <typename Answer>
  double AnswerKeys(std::string_view keys_bytes, bool looked, Answer answer);

  // Empties the reply buffer and writes its length placeholder; the answer
  // is appended after it. A buffer grown for one large answer is given back
  // once answers are small.
  std::string* StartReply();
  // Fills in the length and returns the buffer's address (see "replies").
  double Reply();

  // wire `flush` of pending_flush_, whose page bytes it then releases.
  emscripten::val EncodedFlush();

  std::unique_ptr<Engine> engine_;
  // The batch of the latest CollectFlush until CommitFlush; empty otherwise.
  FlushBatch pending_flush_;
  // The input of the staged call being made (a length past the room reads
  // as the room).
  std::string_view Staged() const;

  std::string staged_;  // Stage's buffer: length:fixed32, then the input
  // The last _applyBatch's answer, kept so that its results' strings are
  // reused by the next.
  BatchReply batch_reply_;
  std::string reply_;      // the last reply: length:fixed32, then the answer
  size_t last_reply_ = 0;  // bytes of the last reply
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_ENGINE_HANDLE_H_
