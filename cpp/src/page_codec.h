// Page codec: a page to bytes and back. Grammar in page_codec.cc.
#ifndef PAGING_STORAGE_PAGE_CODEC_H_
#define PAGING_STORAGE_PAGE_CODEC_H_

#include <memory>
#include <string>
#include <string_view>

#include "origin_table.h"
#include "page.h"
#include "paging_storage/status.h"

namespace paging_storage {

constexpr uint32_t kPageMagic = 0x47505350;  // "PSPG" little-endian
constexpr uint8_t kPageFormatVersion = 1;

// Appends the encoding of `page` to *dst.
void EncodePage(const Page& page, const OriginTable& origins, std::string* dst);

// Decodes `bytes` into a new page, interning its origin ids into *origins
// only once the whole input has validated. Returns Corruption, with what
// failed, for any input that is not exactly a valid encoding (bad checksum,
// truncation, absurd or inconsistent lengths, unsorted keys, trailing bytes);
// never reads outside `bytes`.
Status DecodePage(std::string_view bytes, OriginTable* origins,
                  std::unique_ptr<Page>* out);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_PAGE_CODEC_H_
