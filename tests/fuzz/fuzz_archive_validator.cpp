// libFuzzer target: the mongodump archive validator (gzip members, size cap, archive grammar,
// names, BSON) fed the input in pieces and whole. A gzip stream is recognised by its magic, so
// real archives (.archive, .gz) are seeds as they are. Invariants: no crash, leak or UB; the
// verdict does not depend on how the bytes were cut; every text of the verdict is valid UTF-8
// without control characters (it is stored in JSON and printed).
#include <nlohmann/json.hpp>

#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/archive_validator.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace mf = agent::mongo_format;

namespace {

bool safe(const std::string& s) {
  if (!agent::is_valid_utf8(s)) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

mf::ArchiveVerdict run(const std::uint8_t* data, std::size_t size, bool gzip, bool pieces) {
  mf::ArchiveLimits limits;
  limits.max_inflated_bytes = 4u << 20;  // keeps every run short whatever the input inflates to
  limits.max_namespaces = 1000;
  mf::ArchiveValidator v(gzip, limits);
  if (!pieces) {
    v.feed(data, size);
    return v.finish();
  }
  fuzz::Chunks chunks(data, size);
  for (std::size_t off = 0; off < size;) {
    const std::size_t n = chunks.next(size - off);
    v.feed(data + off, n);
    off += n;
  }
  return v.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool gzip = size >= 2 && data[0] == 0x1F && data[1] == 0x8B;
  const mf::ArchiveVerdict whole = run(data, size, gzip, false);
  const mf::ArchiveVerdict cut = run(data, size, gzip, true);
  fuzz::check(whole.valid == cut.valid, "verdict depends on chunking");
  fuzz::check(whole.valid == whole.errors.empty(), "valid but with errors");
  if (whole.valid) {
    fuzz::check(whole.namespaces.size() == cut.namespaces.size(), "namespace count differs");
    for (std::size_t i = 0; i < whole.namespaces.size(); ++i) {
      fuzz::check(whole.namespaces[i].documents == cut.namespaces[i].documents &&
                      whole.namespaces[i].crc64 == cut.namespaces[i].crc64,
                  "namespace stats differ");
    }
    fuzz::check(whole.archive_bytes == cut.archive_bytes, "archive size differs");
  }
  for (const auto& e : whole.errors) fuzz::check(safe(e), "unsafe error text", e);
  for (const auto& e : cut.errors) fuzz::check(safe(e), "unsafe error text", e);
  fuzz::check(safe(whole.tool_version) && safe(whole.server_version), "unsafe version text");
  // What the manifest writer does with it must not throw.
  nlohmann::json j = {{"errors", whole.errors}, {"tool", whole.tool_version}};
  for (const auto& ns : whole.namespaces) j["ns"].push_back(ns.db + "." + ns.collection);
  (void)j.dump();
  return 0;
}
