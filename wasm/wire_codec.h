// The byte formats of the engine calls (grammar in wire_format.h): each
// production has an encoder and a decoder. The handle decodes what JS sends
// (ops, keys, scan, records) and encodes what it answers (results, values,
// looked, scanned, flush, ids, clock); the other direction serves the native
// tests and keeps each grammar checkable both ways. Free of emscripten, so
// tests/cpp/wire_codec_test.cc builds and fuzzes it natively. Implemented
// over three files by concern: wire_codec.cc (ops, results, keys, values,
// looked), wire_codec_scan.cc (scan, scanned) and wire_codec_paging.cc
// (records, flush, ids, clock).
//
// Decoders never read past their input and never crash: any malformed input,
// bytes left over included, is InvalidArgument naming what was wrong. What a
// decoder accepts is canonical: encoding the result gives the same bytes.
// Views returned by decoders point into the input, which the caller keeps
// alive. Encoders append to *out. Stateless; thread-safe.
#ifndef PAGING_STORAGE_WASM_WIRE_CODEC_H_
#define PAGING_STORAGE_WASM_WIRE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paging_storage/status.h"
#include "paging_storage/types.h"

namespace paging_storage {

// The reply to _applyBatch, as `results` carries it.
struct BatchReply {
  Status status;  // the header code: OK, NotResident, or a malformed batch
  bool over_budget = false;  // state
  uint64_t pages = 0;        // the page count after the call
  BatchResult batch;         // results, next, missing_page
};

// One key's answer in `values` or `looked`.
struct KeyAnswer {
  Status status;                  // OK, NotFound, NotResident, or another error
  PageId missing_page = kNoPage;  // when NotResident
  Record record;                  // when OK; `values` carries record.value only
};

// `values` or `looked`: one answer per key of `keys`.
struct KeyAnswers {
  bool over_budget = false;  // state
  std::vector<KeyAnswer> answers;
};

// The reply to _scan, as `scanned` carries it.
struct ScanReply {
  Status status;      // OK, NotResident (missing_page, resume), or an error
  ScanResult result;  // records, missing_page, resume
};

// ops := op* (to the end of input). *ops is replaced.
Status DecodeOps(std::string_view bytes, std::vector<WriteOp>* ops);
// REQUIRES: a kMerge op's record.version.hlc holds its version.
void EncodeOps(const std::vector<WriteOp>& ops, std::string* out);

// The reply for an ApplyBatch that returned `s`: the batch as it is when s
// is OK or NotResident; otherwise (malformed ops, a bad start) the malformed
// form: state 0, next 0, missing_page 0, one result carrying s, flags 0.
BatchReply MakeBatchReply(const Status& s, bool over_budget, uint64_t pages,
                          BatchResult batch);
// results. A version whose origin equals local_peer is written with origin
// "" (the decoder gives "" back).
void EncodeResults(const BatchReply& reply, std::string_view local_peer,
                   std::string* out);
Status DecodeResults(std::string_view bytes, BatchReply* out);

// keys := count:varint key:varstring{count}. *keys is replaced.
Status DecodeKeys(std::string_view bytes, std::vector<std::string_view>* keys);
void EncodeKeys(const std::vector<std::string_view>& keys, std::string* out);

// Writes `values` or `looked` one answer at a time, straight from the
// engine's answers (the hot path of _getMany / _lookupMany: no KeyAnswers in
// between). REQUIRES: exactly `count` calls to Add, then Finish.
class KeyAnswerWriter {
 public:
  // Appends the header to *out, which must outlive the writer.
  KeyAnswerWriter(size_t count, bool looked, std::string* out);
  // record: its value (values) or the whole record (looked) when s is OK.
  void Add(const Status& s, PageId missing_page, const Record& record);
  // Sets the state byte.
  void Finish(bool over_budget);

 private:
  bool looked_;
  size_t start_;  // offset of the state byte in *out_
  std::string* out_;
};

// values: per answer, its status and record.value (NotResident: the page;
// NotFound: nothing; another error: the message).
void EncodeValues(const KeyAnswers& answers, std::string* out);
Status DecodeValues(std::string_view bytes, KeyAnswers* out);

// looked: as values, but an OK answer carries the whole record (hlc, stored
// origin, tombstone, value unless a tombstone).
void EncodeLooked(const KeyAnswers& answers, std::string* out);
Status DecodeLooked(std::string_view bytes, KeyAnswers* out);

// scan := flags:byte start:varstring [end:varstring] limit:varint
// REQUIRES (encoder): o.limit fits 64 bits (size_t does).
Status DecodeScan(std::string_view bytes, ScanOptions* out);
void EncodeScan(const ScanOptions& o, std::string* out);

// scanned: the status, on NotResident the page and the resume scan, on
// another error the message, then the records.
void EncodeScanned(const ScanReply& reply, std::string* out);
Status DecodeScanned(std::string_view bytes, ScanReply* out);

// records := count:varint varstring{count}. *records is replaced.
Status DecodeRecords(std::string_view bytes,
                     std::vector<std::string_view>* records);
void EncodeRecords(const std::vector<std::string_view>& records,
                   std::string* out);

// flush: the engine state, every page (id, bytes, directory record) and the
// deleted ids. change_seq does not cross the boundary: the decoder leaves 0.
void EncodeFlush(const FlushBatch& batch, std::string* out);
Status DecodeFlush(std::string_view bytes, FlushBatch* out);

// ids := count:varint id:varint{count}
void EncodeIds(const std::vector<PageId>& ids, std::string* out);
Status DecodeIds(std::string_view bytes, std::vector<PageId>* ids);

// purge := horizon:fixed64 want:varint start:varstring
struct PurgeRequest {
  uint64_t horizon = 0;
  uint64_t want = 0;
  std::string start;
};
void EncodePurgeRequest(const PurgeRequest& request, std::string* out);
Status DecodePurgeRequest(std::string_view bytes, PurgeRequest* out);

// purged: the call's status, the count, and on NotResident where to resume
// and the pages to load (PurgeResult); on another error the message.
struct PurgeReply {
  Status status;
  PurgeResult result;
};
void EncodePurged(const PurgeReply& reply, std::string* out);
Status DecodePurged(std::string_view bytes, PurgeReply* out);

// clock := hlc:fixed64
void EncodeClock(uint64_t hlc, std::string* out);
Status DecodeClock(std::string_view bytes, uint64_t* hlc);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_WIRE_CODEC_H_
