#include "agent/mongo_format/archive_export.hpp"

#include <fstream>
#include <map>
#include <memory>
#include <vector>

#include <zlib.h>

#include "agent/mongo_format/archive_parser.hpp"
#include "agent/mongo_format/collection_names.hpp"
#include "agent/mongo_format/gzip_inflater.hpp"

namespace agent::mongo_format {
namespace fs = std::filesystem;
namespace {

// One output .gz file, written like Go's compress/gzip (mtime 0, OS 255) at zlib's default
// level.
class GzipFile {
 public:
  explicit GzipFile(const fs::path& path) : m_out(path, std::ios::binary | std::ios::trunc) {
    deflateInit2(&m_z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    m_header.os = 255;
    deflateSetHeader(&m_z, &m_header);
  }
  ~GzipFile() { deflateEnd(&m_z); }
  GzipFile(const GzipFile&) = delete;
  GzipFile& operator=(const GzipFile&) = delete;

  void write(const std::uint8_t* data, std::size_t size) { run(data, size, Z_NO_FLUSH); }
  // Ends the member; false if any write failed.
  bool close() {
    run(nullptr, 0, Z_FINISH);
    m_out.close();
    return !m_out.fail();
  }

 private:
  void run(const std::uint8_t* data, std::size_t size, int flush) {
    m_z.next_in = const_cast<Bytef*>(data);
    m_z.avail_in = static_cast<uInt>(size);
    int rc = Z_OK;
    do {
      m_z.next_out = m_buf;
      m_z.avail_out = sizeof m_buf;
      rc = deflate(&m_z, flush);
      m_out.write(reinterpret_cast<const char*>(m_buf),
                  static_cast<std::streamsize>(sizeof m_buf - m_z.avail_out));
    } while (m_z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }

  std::ofstream m_out;
  z_stream m_z{};
  gz_header m_header{};
  std::uint8_t m_buf[64 * 1024];
};

class DirectorySink final : public ArchiveSink {
 public:
  explicit DirectorySink(fs::path root) : m_root(std::move(root)) {}

  void on_prelude(const PreludeEntry& e) override {
    m_prelude.push_back(e);
    fs::create_directories(m_root / e.db);
    if (e.metadata.empty()) return;  // the oplog entry has none
    GzipFile md(m_root / e.db / (escape_collection(e.collection) + ".metadata.json.gz"));
    md.write(reinterpret_cast<const std::uint8_t*>(e.metadata.data()), e.metadata.size());
    if (!md.close()) m_error = "cannot write metadata of " + e.db + "." + e.collection;
  }

  void on_documents(const std::string& ns, const std::uint8_t* data, std::size_t size) override {
    file_for(ns).write(data, size);
  }

  // Closes every file; collections without data get an empty .bson.gz, as mongodump writes.
  std::string finish() {
    for (const auto& e : m_prelude) {
      if (e.type == "view" || e.type == "timeseries") continue;
      file_for(e.db + "." + e.collection);
    }
    for (auto& [ns, f] : m_files) {
      if (!f->close() && m_error.empty()) m_error = "cannot write the documents of " + ns;
    }
    return m_error;
  }

 private:
  GzipFile& file_for(const std::string& ns) {
    auto it = m_files.find(ns);
    if (it != m_files.end()) return *it->second;
    // Database names cannot contain dots, so the first dot splits db and collection.
    const auto dot = ns.find('.');
    const std::string db = ns.substr(0, dot), coll = ns.substr(dot + 1);
    // The oplog (db "") is DIR/oplog.bson, gzip inside despite the name (mongodump.md §1.5).
    const fs::path path =
        db.empty() ? m_root / "oplog.bson" : m_root / db / (escape_collection(coll) + ".bson.gz");
    fs::create_directories(path.parent_path());
    auto f = std::make_unique<GzipFile>(path);
    return *m_files.emplace(ns, std::move(f)).first->second;
  }

  fs::path m_root;
  std::vector<PreludeEntry> m_prelude;
  std::map<std::string, std::unique_ptr<GzipFile>> m_files;
  std::string m_error;
};

}  // namespace

tl::expected<void, std::string> export_archive_to_directory(const fs::path& archive_gz,
                                                            const fs::path& out_dir) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_empty(out_dir, ec)) {
    return tl::make_unexpected(out_dir.string() + " exists and is not empty");
  }
  std::ifstream in(archive_gz, std::ios::binary);
  if (!in) return tl::make_unexpected("cannot open " + archive_gz.string());
  const fs::path work = out_dir.string() + ".partial";
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  if (ec) return tl::make_unexpected("cannot create " + work.string() + ": " + ec.message());

  std::string error;
  {
    DirectorySink sink(work);
    ArchiveParser parser(&sink);
    GzipInflater gz([&](const std::uint8_t* p, std::size_t n) { parser.consume(p, n); });
    std::vector<char> buf(1 << 20);
    while (in && !parser.failed() && !gz.failed()) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const auto n = static_cast<std::size_t>(in.gcount());
      if (n == 0) break;
      gz.feed(reinterpret_cast<const std::uint8_t*>(buf.data()), n);
    }
    gz.finish();
    ArchiveVerdict v;
    parser.finish(v);
    if (gz.failed()) {
      error = "gzip: " + gz.error();
    } else if (!v.errors.empty()) {
      error = v.errors.front();
    } else {
      error = sink.finish();
    }
  }
  if (!error.empty()) {
    fs::remove_all(work, ec);
    return tl::make_unexpected(archive_gz.string() + ": " + error);
  }
  fs::remove(out_dir, ec);  // an empty directory may stand there
  fs::rename(work, out_dir, ec);
  if (ec) {
    fs::remove_all(work, ec);
    return tl::make_unexpected("cannot rename the export into " + out_dir.string());
  }
  return {};
}

}  // namespace agent::mongo_format
