#include "tests/fake_mongo/archive_writer.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include <bson/bson.h>
#include <isa-l/crc64.h>
#include <zlib.h>

namespace fake_mongo {
namespace {

constexpr std::uint8_t k_magic[4] = {0x6D, 0xE2, 0x99, 0x81};
constexpr std::uint8_t k_term[4] = {0xFF, 0xFF, 0xFF, 0xFF};

const std::array<std::uint64_t, 256>& crc_table() {
  static const std::array<std::uint64_t, 256> table = [] {
    std::array<std::uint64_t, 256> t{};
    for (std::uint64_t i = 0; i < 256; ++i) {
      std::uint64_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xC96C5795D7870F42ull : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

void emit_bson(const ByteSink& sink, bson_t* b) {
  sink(bson_get_data(b), b->len);
  bson_destroy(b);
}

void block_header(const ByteSink& sink, const std::string& db, const std::string& coll, bool eof,
                  std::uint64_t crc) {
  bson_t b;
  bson_init(&b);
  bson_append_utf8(&b, "db", -1, db.data(), static_cast<int>(db.size()));
  bson_append_utf8(&b, "collection", -1, coll.data(), static_cast<int>(coll.size()));
  BSON_APPEND_BOOL(&b, "EOF", eof);
  BSON_APPEND_INT64(&b, "CRC", static_cast<std::int64_t>(crc));
  emit_bson(sink, &b);
}

struct NsState {
  std::string db;
  CollectionSpec spec;
  std::uint64_t next = 0, crc = 0;
  bool bad_bson_pending = false;
};

}  // namespace

std::uint64_t crc64_xz_reference(std::uint64_t crc, const std::uint8_t* data, std::size_t size) {
  const auto& t = crc_table();
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::map<std::string, std::uint64_t> write_archive(const DatasetSpec& data,
                                                   const ArchiveOptions& options,
                                                   const ByteSink& sink,
                                                   const NamespaceDone& done) {
  const ArchiveFaults& f = options.faults;
  sink(k_magic, 4);
  bson_t h;
  bson_init(&h);
  BSON_APPEND_INT32(&h, "concurrent_collections", options.concurrent_collections);
  BSON_APPEND_UTF8(&h, "version", "0.1");
  BSON_APPEND_UTF8(&h, "server_version", options.server_version.c_str());
  BSON_APPEND_UTF8(&h, "tool_version", options.tool_version.c_str());
  emit_bson(sink, &h);

  std::vector<NsState> ns;
  for (const auto& c : data.collections) ns.push_back({data.db, c, 0, 0, false});
  if (!f.unannounced_collection.empty())
    ns.push_back({data.db, {f.unannounced_collection, "notifications", 3}, 0, 0, false});
  // mongodump --oplog: the oplog is the archive namespace "" . "oplog", announced last.
  if (data.oplog_entries > 0)
    ns.push_back({"", {"oplog", "oplog", data.oplog_entries}, 0, 0, false});
  for (auto& n : ns) {
    n.bad_bson_pending = n.db + "." + n.spec.name == f.bad_bson_ns;
    if (n.spec.name == f.unannounced_collection) continue;
    const bool oplog = n.spec.kind == "oplog";
    bson_t m;
    bson_init(&m);
    bson_append_utf8(&m, "db", -1, n.db.data(), static_cast<int>(n.db.size()));
    bson_append_utf8(&m, "collection", -1, n.spec.name.data(),
                     static_cast<int>(n.spec.name.size()));
    BSON_APPEND_UTF8(&m, "metadata", oplog ? "" : metadata_json(n.db, n.spec).c_str());
    BSON_APPEND_INT32(&m, "size", 0);
    BSON_APPEND_UTF8(&m, "type", oplog ? "" : "collection");
    emit_bson(sink, &m);
  }
  sink(k_term, 4);

  // Round-robin segments, like the multiplexer with several collections in flight.
  std::map<std::string, std::uint64_t> counts;
  std::vector<std::uint8_t> buf;
  bool any_open = true;
  std::vector<bool> closed(ns.size(), false);
  bool first_round = true;
  while (any_open) {
    any_open = false;
    for (std::size_t i = 0; i < ns.size(); ++i) {
      if (closed[i]) continue;
      NsState& n = ns[i];
      const std::string full = n.db + "." + n.spec.name;
      if (n.next < n.spec.documents || first_round) {
        // One data segment (empty collections get one empty segment, as real archives do).
        block_header(sink, n.db, n.spec.name, false, 0);
        buf.clear();
        while (n.next < n.spec.documents && buf.size() < options.segment_bytes) {
          const std::size_t start = buf.size();
          append_document(buf, n.spec, n.next++, data.seed);
          n.crc = crc64_xz_reference(n.crc, buf.data() + start, buf.size() - start);
          if (n.bad_bson_pending) {
            buf[start + 4] = 0x77;  // first element's type byte: not a BSON type
            n.bad_bson_pending = false;
          }
        }
        sink(buf.data(), buf.size());
        sink(k_term, 4);
      }
      if (n.next >= n.spec.documents) {
        closed[i] = true;
        counts[full] = n.next;
        if (full == f.no_eof_ns) continue;
        const std::uint64_t crc = full == f.bad_crc_ns ? n.crc ^ 0x1 : n.crc;
        block_header(sink, n.db, n.spec.name, true, crc);
        const bool last = std::all_of(closed.begin(), closed.end(), [](bool c) { return c; });
        if (!(last && f.drop_final_terminator)) sink(k_term, 4);
        if (done) done(full, n.next);
      } else {
        any_open = true;
      }
    }
    first_round = false;
  }
  return counts;
}

struct GzipWriter::State {
  z_stream z{};
  gz_header header{};
  std::vector<std::uint8_t> out = std::vector<std::uint8_t>(256 * 1024);
};

GzipWriter::GzipWriter(ByteSink sink, int level) : m_state(new State), m_sink(std::move(sink)) {
  if (deflateInit2(&m_state->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  m_state->header.os = 255;  // Go's compress/gzip writes OS "unknown"
  deflateSetHeader(&m_state->z, &m_state->header);
}

GzipWriter::~GzipWriter() {
  deflateEnd(&m_state->z);
  delete m_state;
}

void GzipWriter::write(const std::uint8_t* data, std::size_t size) {
  z_stream& z = m_state->z;
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  while (z.avail_in > 0) {
    z.next_out = m_state->out.data();
    z.avail_out = static_cast<uInt>(m_state->out.size());
    deflate(&z, Z_NO_FLUSH);
    const std::size_t n = m_state->out.size() - z.avail_out;
    if (n) m_sink(m_state->out.data(), n);
  }
}

void GzipWriter::flush() {
  z_stream& z = m_state->z;
  do {
    z.next_out = m_state->out.data();
    z.avail_out = static_cast<uInt>(m_state->out.size());
    deflate(&z, Z_SYNC_FLUSH);
    const std::size_t n = m_state->out.size() - z.avail_out;
    if (n) m_sink(m_state->out.data(), n);
  } while (z.avail_out == 0);
}

void GzipWriter::finish() {
  z_stream& z = m_state->z;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = m_state->out.data();
    z.avail_out = static_cast<uInt>(m_state->out.size());
    rc = deflate(&z, Z_FINISH);
    const std::size_t n = m_state->out.size() - z.avail_out;
    if (n) m_sink(m_state->out.data(), n);
  }
}

namespace {

// Raw deflate of `plain` by a fresh deflater, ending with a full flush (Z_FINISH when `last`).
std::vector<std::uint8_t> raw_deflate(const std::vector<std::uint8_t>& plain, bool last) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(plain.size())) + 64);
  z.next_in = const_cast<Bytef*>(plain.data());
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, last ? Z_FINISH : Z_FULL_FLUSH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

void put_le32(std::vector<std::uint8_t>& d, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) d.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}

}  // namespace

void write_gzip_bomb_archive(std::uint64_t inflated_bytes, bool complete, const std::string& db,
                             const ByteSink& sink) {
  auto collect = [](std::vector<std::uint8_t>& into) {
    return [&into](const std::uint8_t* p, std::size_t n) { into.insert(into.end(), p, p + n); };
  };
  std::vector<std::uint8_t> prefix;
  {
    DatasetSpec spec;
    spec.db = db;
    spec.collections = {{"bomb", "empty", 0}};
    // Magic, header, prelude and the first block header of a normal archive.
    std::vector<std::uint8_t> whole;
    write_archive(spec, {}, collect(whole));
    // whole = magic header prelude TERM hdr(false) TERM hdr(true) TERM: keep up to hdr(false).
    std::size_t off = 4;
    auto doc_len = [&](std::size_t at) {
      return static_cast<std::size_t>(whole[at]) | static_cast<std::size_t>(whole[at + 1]) << 8 |
             static_cast<std::size_t>(whole[at + 2]) << 16 |
             static_cast<std::size_t>(whole[at + 3]) << 24;
    };
    off += doc_len(off);  // header
    off += doc_len(off);  // prelude entry
    off += 4;             // TERM
    off += doc_len(off);  // data segment header
    prefix.assign(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(off));
  }
  // One document: {_id: 1, z: BinData(0, zeros)}, just under 16 MiB.
  constexpr std::size_t k_doc = 16 * 1024 * 1024 - 64;
  std::vector<std::uint8_t> doc;
  put_le32(doc, static_cast<std::uint32_t>(k_doc));
  doc.insert(doc.end(), {0x10, '_', 'i', 'd', 0, 1, 0, 0, 0, 0x05, 'z', 0});
  put_le32(doc, static_cast<std::uint32_t>(k_doc - doc.size() - 4 - 1 - 1));
  doc.push_back(0x00);  // subtype
  doc.resize(k_doc - 1, 0);
  doc.push_back(0);
  const std::uint64_t copies = std::max<std::uint64_t>(1, inflated_bytes / k_doc);

  const auto c_prefix = raw_deflate(prefix, false);
  const auto c_doc = raw_deflate(doc, false);
  std::uint64_t crc64 = 0;
  std::vector<std::uint8_t> tail = {0xFF, 0xFF, 0xFF, 0xFF};
  if (complete) {
    for (std::uint64_t i = 0; i < copies; ++i)
      crc64 = crc64_ecma_refl(crc64, doc.data(), doc.size());
    block_header(collect(tail), db, "bomb", true, crc64);
    tail.insert(tail.end(), {0xFF, 0xFF, 0xFF, 0xFF});
  }
  const auto c_tail = raw_deflate(tail, true);

  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, prefix.data(), static_cast<uInt>(prefix.size()));
  const uLong crc_doc = crc32(crc32(0L, Z_NULL, 0), doc.data(), static_cast<uInt>(doc.size()));
  for (std::uint64_t i = 0; i < copies; ++i)
    crc = crc32_combine(crc, crc_doc, static_cast<z_off_t>(doc.size()));
  crc = crc32_combine(crc, crc32(crc32(0L, Z_NULL, 0), tail.data(), static_cast<uInt>(tail.size())),
                      static_cast<z_off_t>(tail.size()));
  const std::uint64_t isize = prefix.size() + copies * doc.size() + tail.size();

  static const std::uint8_t k_header[10] = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
  sink(k_header, sizeof k_header);
  sink(c_prefix.data(), c_prefix.size());
  for (std::uint64_t i = 0; i < copies; ++i) sink(c_doc.data(), c_doc.size());
  sink(c_tail.data(), c_tail.size());
  std::vector<std::uint8_t> trailer;
  put_le32(trailer, static_cast<std::uint32_t>(crc));
  put_le32(trailer, static_cast<std::uint32_t>(isize & 0xFFFFFFFFu));
  sink(trailer.data(), trailer.size());
}

std::vector<std::uint8_t> gzip_bomb_archive(std::uint64_t inflated_bytes, bool complete,
                                            const std::string& db) {
  std::vector<std::uint8_t> out;
  write_gzip_bomb_archive(inflated_bytes, complete, db, [&](const std::uint8_t* p, std::size_t n) {
    out.insert(out.end(), p, p + n);
  });
  return out;
}

std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& plain, int level) {
  std::vector<std::uint8_t> out;
  GzipWriter gz([&](const std::uint8_t* p, std::size_t n) { out.insert(out.end(), p, p + n); },
                level);
  gz.write(plain.data(), plain.size());
  gz.finish();
  return out;
}

std::vector<std::uint8_t> build_archive(const DatasetSpec& data, const ArchiveOptions& options,
                                        bool gzip, int level) {
  std::vector<std::uint8_t> plain;
  write_archive(data, options,
                [&](const std::uint8_t* p, std::size_t n) { plain.insert(plain.end(), p, p + n); });
  return gzip ? gzip_bytes(plain, level) : plain;
}

}  // namespace fake_mongo
