// Implements wire_codec.h: ops, results, keys, values and looked.
#include "wire_codec.h"

#include <limits>
#include <string>
#include <utility>

#include "coding.h"
#include "wire_format.h"

namespace paging_storage {
namespace {

Status Bad(std::string_view production, std::string_view what) {
  std::string message(production);
  message += ": ";
  message += what;
  return Status::InvalidArgument(message);
}

bool GetSize(Reader* in, size_t* out) {
  uint64_t v = 0;
  if (!in->GetVarint64(&v) || v > std::numeric_limits<size_t>::max()) {
    return false;
  }
  *out = static_cast<size_t>(v);
  return true;
}

void PutState(bool over_budget, std::string* out) {
  out->push_back(over_budget ? 1 : 0);
}

bool GetState(Reader* in, bool* over_budget) {
  uint8_t state = 0;
  if (!in->GetByte(&state) || state > 1) return false;
  *over_budget = state == 1;
  return true;
}

// The tail of a per-key answer: OK's payload is written by the caller;
// NotResident the page, NotFound nothing, another error the message.
void PutNotOk(const Status& s, PageId missing, std::string* out) {
  if (s.IsNotResident()) {
    PutVarint64(out, missing);
  } else if (!s.IsNotFound()) {
    PutLengthPrefixed(out, s.message());
  }
}

// Reads the tail PutNotOk wrote for `code` (not 0) into *a.
bool GetNotOk(Reader* in, uint8_t code, KeyAnswer* a) {
  std::string_view message;
  if (code == static_cast<uint8_t>(Status::Code::kNotResident)) {
    return in->GetVarint64(&a->missing_page) &&
           Status::FromCode(code, {}, &a->status);
  }
  if (code == static_cast<uint8_t>(Status::Code::kNotFound)) {
    return Status::FromCode(code, {}, &a->status);
  }
  return in->GetLengthPrefixed(&message) &&
         Status::FromCode(code, message, &a->status);
}

void EncodeKeyAnswers(const KeyAnswers& answers, bool looked,
                      std::string* out) {
  KeyAnswerWriter w(answers.answers.size(), looked, out);
  for (const KeyAnswer& a : answers.answers) {
    w.Add(a.status, a.missing_page, a.record);
  }
  w.Finish(answers.over_budget);
}

Status DecodeKeyAnswers(std::string_view production, std::string_view bytes,
                        bool looked, KeyAnswers* out) {
  Reader in(bytes);
  size_t count = 0;
  out->answers.clear();
  if (!GetState(&in, &out->over_budget)) return Bad(production, "state");
  if (!in.GetCount(1, &count)) return Bad(production, "bad count");
  out->answers.resize(count);
  for (KeyAnswer& a : out->answers) {
    uint8_t code = 0;
    if (!in.GetByte(&code)) return Bad(production, "truncated");
    if (code != 0) {
      if (!GetNotOk(&in, code, &a)) return Bad(production, "bad answer");
      continue;
    }
    std::string_view value, origin;
    uint8_t tombstone = 0;
    if (looked && (!in.GetFixed64(&a.record.version.hlc) ||
                   !in.GetLengthPrefixed(&origin) || !in.GetByte(&tombstone) ||
                   tombstone > 1)) {
      return Bad(production, "bad record");
    }
    a.record.version.origin.assign(origin);
    a.record.tombstone = tombstone == 1;
    if (!a.record.tombstone) {
      if (!in.GetLengthPrefixed(&value)) return Bad(production, "truncated");
      a.record.value.assign(value);
    }
  }
  if (in.remaining() != 0) return Bad(production, "trailing bytes");
  return Status::OK();
}

}  // namespace

Status DecodeOps(std::string_view bytes, std::vector<WriteOp>* ops) {
  Reader in(bytes);
  ops->clear();
  while (in.remaining() > 0) {
    WriteOp& op = ops->emplace_back();
    uint8_t type = 0;
    std::string_view key, value, origin;
    if (!in.GetByte(&type) || !in.GetLengthPrefixed(&key)) {
      return Bad("ops", "truncated");
    }
    op.record.key.assign(key);
    switch (type) {
      case wire::kPut:
        op.type = WriteOp::Type::kPut;
        if (!in.GetLengthPrefixed(&value)) {
          return Bad("ops", "truncated put");
        }
        op.record.value.assign(value);
        break;
      case wire::kDelete:
        op.type = WriteOp::Type::kDelete;
        break;
      case wire::kTombstone:
        op.type = WriteOp::Type::kTombstone;
        break;
      case wire::kMerge: {
        op.type = WriteOp::Type::kMerge;
        uint8_t tombstone = 0;
        if (!in.GetFixed64(&op.record.version.hlc) ||
            !in.GetLengthPrefixed(&origin) || !in.GetByte(&tombstone)) {
          return Bad("ops", "truncated merge");
        }
        if (tombstone > 1) return Bad("ops", "merge tombstone flag");
        op.record.version.origin.assign(origin);
        op.record.tombstone = tombstone == 1;
        if (!op.record.tombstone) {
          if (!in.GetLengthPrefixed(&value)) {
            return Bad("ops", "truncated merge value");
          }
          op.record.value.assign(value);
        }
        break;
      }
      case wire::kForget:
        op.type = WriteOp::Type::kForget;
        if (!in.GetFixed64(&op.record.version.hlc) ||
            !in.GetLengthPrefixed(&origin)) {
          return Bad("ops", "truncated forget");
        }
        op.record.version.origin.assign(origin);
        break;
      case wire::kRestamp:
        op.type = WriteOp::Type::kRestamp;
        if (!in.GetFixed64(&op.record.version.hlc) ||
            !in.GetLengthPrefixed(&origin) || !in.GetFixed64(&op.floor_hlc)) {
          return Bad("ops", "truncated restamp");
        }
        op.record.version.origin.assign(origin);
        break;
      default:
        return Bad("ops", "unknown op type");
    }
  }
  return Status::OK();
}

void EncodeOps(const std::vector<WriteOp>& ops, std::string* out) {
  for (const WriteOp& op : ops) {
    out->push_back(static_cast<char>(op.type));
    PutLengthPrefixed(out, op.record.key);
    switch (op.type) {
      case WriteOp::Type::kPut:
        PutLengthPrefixed(out, op.record.value);
        break;
      case WriteOp::Type::kDelete:
      case WriteOp::Type::kTombstone:
        break;
      case WriteOp::Type::kMerge:
        PutFixed64(out, op.record.version.hlc);
        PutLengthPrefixed(out, op.record.version.origin);
        out->push_back(op.record.tombstone ? 1 : 0);
        if (!op.record.tombstone) PutLengthPrefixed(out, op.record.value);
        break;
      case WriteOp::Type::kForget:
        PutFixed64(out, op.record.version.hlc);
        PutLengthPrefixed(out, op.record.version.origin);
        break;
      case WriteOp::Type::kRestamp:
        PutFixed64(out, op.record.version.hlc);
        PutLengthPrefixed(out, op.record.version.origin);
        PutFixed64(out, op.floor_hlc);
        break;
    }
  }
}

BatchReply MakeBatchReply(const Status& s, bool over_budget, uint64_t pages,
                          BatchResult batch) {
  BatchReply reply;
  reply.status = s;
  reply.pages = pages;
  if (s.ok() || s.IsNotResident()) {
    reply.over_budget = over_budget;
    reply.batch = std::move(batch);
  } else {
    reply.batch.results.emplace_back().status = s;
  }
  return reply;
}

void EncodeResults(const BatchReply& reply, std::string_view local_peer,
                   std::string* out) {
  const BatchResult& batch = reply.batch;
  out->reserve(out->size() + 16 + batch.results.size() * 12);
  out->push_back(static_cast<char>(reply.status.code()));
  PutState(reply.over_budget, out);
  PutVarint64(out, reply.pages);
  PutVarint64(out, batch.next);
  PutVarint64(out, batch.missing_page);
  PutVarint64(out, batch.results.size());
  for (const WriteResult& r : batch.results) {
    out->push_back(static_cast<char>(r.status.code()));
    bool has_version = r.status.ok() && r.version.hlc != 0;
    out->push_back(static_cast<char>((r.existed ? wire::kExisted : 0) |
                                     (r.applied ? wire::kApplied : 0) |
                                     (has_version ? wire::kHasVersion : 0) |
                                     (r.buffered ? wire::kBuffered : 0) |
                                     (r.other_value ? wire::kOtherValue : 0)));
    if (has_version) {
      PutFixed64(out, r.version.hlc);
      PutLengthPrefixed(out, r.version.origin == local_peer
                                 ? std::string_view()
                                 : std::string_view(r.version.origin));
    }
    if (r.status.IsNotResident()) {
      PutVarint64(out, r.missing_page);
    } else if (!r.status.ok()) {
      PutLengthPrefixed(out, r.status.message());
    }
  }
}

Status DecodeResults(std::string_view bytes, BatchReply* out) {
  Reader in(bytes);
  uint8_t code = 0;
  size_t count = 0;
  BatchResult& batch = out->batch;
  batch.results.clear();
  if (!in.GetByte(&code) || !Status::FromCode(code, {}, &out->status)) {
    return Bad("results", "bad code");
  }
  if (!GetState(&in, &out->over_budget) || !in.GetVarint64(&out->pages) ||
      !GetSize(&in, &batch.next) || !in.GetVarint64(&batch.missing_page)) {
    return Bad("results", "truncated header");
  }
  // A result takes at least its code and flags.
  if (!in.GetCount(2, &count)) return Bad("results", "bad count");
  batch.results.resize(count);
  for (WriteResult& r : batch.results) {
    uint8_t flags = 0;
    std::string_view origin, message;
    if (!in.GetByte(&code) || !in.GetByte(&flags)) {
      return Bad("results", "truncated result");
    }
    if (flags & ~(wire::kExisted | wire::kApplied | wire::kHasVersion |
                  wire::kBuffered | wire::kOtherValue)) {
      return Bad("results", "unknown result flags");
    }
    r.existed = flags & wire::kExisted;
    r.applied = flags & wire::kApplied;
    r.buffered = flags & wire::kBuffered;
    r.other_value = flags & wire::kOtherValue;
    if (flags & wire::kHasVersion) {
      if (code != 0 || !in.GetFixed64(&r.version.hlc) || r.version.hlc == 0 ||
          !in.GetLengthPrefixed(&origin)) {
        return Bad("results", "bad version");
      }
      r.version.origin.assign(origin);
    }
    if (code == static_cast<uint8_t>(Status::Code::kNotResident)) {
      if (!in.GetVarint64(&r.missing_page)) return Bad("results", "no page");
    } else if (code != 0 && !in.GetLengthPrefixed(&message)) {
      return Bad("results", "truncated message");
    }
    if (!Status::FromCode(code, message, &r.status)) {
      return Bad("results", "bad result code");
    }
  }
  if (in.remaining() != 0) return Bad("results", "trailing bytes");
  return Status::OK();
}

Status DecodeKeys(std::string_view bytes, std::vector<std::string_view>* keys) {
  Reader in(bytes);
  size_t count = 0;
  keys->clear();
  if (!in.GetCount(1, &count)) return Bad("keys", "bad count");
  keys->resize(count);
  for (std::string_view& key : *keys) {
    if (!in.GetLengthPrefixed(&key)) return Bad("keys", "truncated");
  }
  if (in.remaining() != 0) return Bad("keys", "trailing bytes");
  return Status::OK();
}

void EncodeKeys(const std::vector<std::string_view>& keys, std::string* out) {
  PutVarint64(out, keys.size());
  for (std::string_view key : keys) PutLengthPrefixed(out, key);
}

KeyAnswerWriter::KeyAnswerWriter(size_t count, bool looked, std::string* out)
    : looked_(looked), start_(out->size()), out_(out) {
  PutState(false, out);  // set by Finish
  PutVarint64(out, count);
}

void KeyAnswerWriter::Add(const Status& s, PageId missing_page,
                          const Record& record) {
  out_->push_back(static_cast<char>(s.code()));
  if (!s.ok()) {
    PutNotOk(s, missing_page, out_);
  } else if (!looked_) {
    PutLengthPrefixed(out_, record.value);
  } else {
    PutFixed64(out_, record.version.hlc);
    PutLengthPrefixed(out_, record.version.origin);
    out_->push_back(record.tombstone ? 1 : 0);
    if (!record.tombstone) PutLengthPrefixed(out_, record.value);
  }
}

void KeyAnswerWriter::Finish(bool over_budget) {
  (*out_)[start_] = over_budget ? 1 : 0;
}

void EncodeValues(const KeyAnswers& answers, std::string* out) {
  EncodeKeyAnswers(answers, /*looked=*/false, out);
}

Status DecodeValues(std::string_view bytes, KeyAnswers* out) {
  return DecodeKeyAnswers("values", bytes, /*looked=*/false, out);
}

void EncodeLooked(const KeyAnswers& answers, std::string* out) {
  EncodeKeyAnswers(answers, /*looked=*/true, out);
}

Status DecodeLooked(std::string_view bytes, KeyAnswers* out) {
  return DecodeKeyAnswers("looked", bytes, /*looked=*/true, out);
}

}  // namespace paging_storage
