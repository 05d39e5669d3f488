#include "tests/fake_mongo/archive_reader.hpp"

#include <cstring>

#include <bson/bson.h>
#include <zlib.h>

#include "tests/fake_mongo/archive_writer.hpp"

namespace fake_mongo {

bool gunzip(const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return false;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  std::vector<std::uint8_t> buf(1 << 16);
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), buf.data(), buf.data() + (buf.size() - z.avail_out));
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
    // Another member follows (RFC 1952; Go's reader, hence mongorestore, reads them all).
    if (rc == Z_STREAM_END && z.avail_in > 0 && inflateReset(&z) == Z_OK) rc = Z_OK;
  }
  const bool ok = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  return ok;
}

ReadArchive read_archive(const std::vector<std::uint8_t>& a, bool keep_documents) {
  ReadArchive r;
  std::size_t pos = 0;
  auto u32 = [&](std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, a.data() + at, 4);
    return v;
  };
  // Next token: returns 0 for a terminator, else the document length; sets r.error.
  auto next = [&](bson_t* doc) -> std::uint32_t {
    if (pos + 4 > a.size()) {
      r.error = "archive ends early at " + std::to_string(pos);
      return 0;
    }
    const std::uint32_t len = u32(pos);
    if (len == 0xFFFFFFFFu) {
      pos += 4;
      return 0;
    }
    bson_error_t err;
    if (len < 5 || pos + len > a.size() || !bson_init_static(doc, a.data() + pos, len) ||
        !bson_validate_with_error(doc, BSON_VALIDATE_NONE, &err)) {
      r.error = "bad document at " + std::to_string(pos);
      return 0;
    }
    pos += len;
    return len;
  };
  auto str = [](const bson_t* d, const char* key) {
    bson_iter_t it;
    if (!bson_iter_init_find(&it, d, key) || !BSON_ITER_HOLDS_UTF8(&it)) return std::string();
    return std::string(bson_iter_utf8(&it, nullptr));
  };
  if (a.size() < 4 || u32(0) != 0x8199E26Du) {
    r.error = "not a mongodump archive";
    return r;
  }
  pos = 4;
  bson_t doc;
  if (next(&doc) == 0) {
    if (r.error.empty()) r.error = "no header";
    return r;
  }
  std::map<std::string, int> state;  // 1 open, 2 closed
  while (next(&doc) != 0) {
    const std::string ns = str(&doc, "db") + "." + str(&doc, "collection");
    r.namespaces.push_back(ns);
    r.documents[ns] = 0;
    r.metadata[ns] = str(&doc, "metadata");
    state[ns] = 0;
  }
  if (!r.error.empty()) return r;
  std::map<std::string, std::uint64_t> crc;
  while (pos < a.size() && r.error.empty()) {
    if (next(&doc) == 0) {
      if (r.error.empty()) r.error = "headerless block at " + std::to_string(pos);
      break;
    }
    const std::string ns = str(&doc, "db") + "." + str(&doc, "collection");
    bson_iter_t it;
    const bool eof = bson_iter_init_find(&it, &doc, "EOF") && bson_iter_bool(&it);
    const std::int64_t stored = bson_iter_init_find(&it, &doc, "CRC") ? bson_iter_int64(&it) : 0;
    if (state.count(ns) == 0 || state[ns] == 2) {
      r.error = "unexpected block for " + ns;
      break;
    }
    if (eof) {
      state[ns] = 2;
      if (static_cast<std::uint64_t>(stored) != crc[ns])
        r.error = "CRC mismatch for namespace " + ns;
      if (r.error.empty() && next(&doc) != 0) r.error = "data after EOF of " + ns;
      continue;
    }
    state[ns] = 1;
    std::uint32_t len;
    while ((len = next(&doc)) != 0) {
      crc[ns] = crc64_xz_reference(crc[ns], a.data() + pos - len, len);
      ++r.documents[ns];
      if (keep_documents) {
        char* json = bson_as_relaxed_extended_json(&doc, nullptr);
        r.json_documents[ns].emplace_back(json != nullptr ? json : "{}");
        bson_free(json);
      }
    }
  }
  for (const auto& [ns, s] : state) {
    if (r.error.empty() && s != 2) r.error = "namespace " + ns + " not finished";
  }
  return r;
}

}  // namespace fake_mongo
