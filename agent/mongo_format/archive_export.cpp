#include "agent/mongo_format/archive_export.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <zlib.h>

#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/archive_parser.hpp"
#include "agent/mongo_format/archive_stream.hpp"
#include "agent/mongo_format/collection_names.hpp"

namespace agent::mongo_format {
namespace fs = std::filesystem;
namespace {

std::string shown(const std::string& s) { return escape_control_chars(s, Tabs::escape); }
std::string errno_text(int e) { return std::strerror(e); }

// The output directory, opened once; everything is created relative to its descriptor and
// never through a symbolic link, so no name (or a link planted while we write) can lead a file
// outside it. Remembers what it created, to remove exactly that when the export fails.
class OutputTree {
 public:
  OutputTree() = default;
  OutputTree(const OutputTree&) = delete;
  OutputTree& operator=(const OutputTree&) = delete;
  ~OutputTree() {
    for (auto& [name, fd] : m_dirs) ::close(fd);
    if (m_root >= 0) ::close(m_root);
  }

  // Opens (or creates, 0700) `dir`. Without `overwrite` an existing `dir` must be empty.
  std::string open(const fs::path& dir, bool overwrite) {
    m_path = dir;
    m_overwrite = overwrite;
    std::error_code ec;
    const auto type = fs::symlink_status(dir, ec).type();
    if (type == fs::file_type::symlink) {
      return shown(dir.string()) + " is a symbolic link; give the directory it points to";
    }
    const bool exists = type != fs::file_type::not_found;
    if (!exists) {
      if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
      if (::mkdir(dir.c_str(), 0700) != 0) {
        return "cannot create " + shown(dir.string()) + ": " + errno_text(errno);
      }
      m_created_root = true;
    }
    m_root = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (m_root < 0) {
      const int e = errno;
      if (e == ELOOP) {
        return shown(dir.string()) + " is a symbolic link; give the directory it points to";
      }
      return "cannot open " + shown(dir.string()) + ": " + errno_text(e);
    }
    if (exists && !overwrite && !fs::is_empty(dir, ec)) {
      return shown(dir.string()) +
             " exists and is not empty (choose a new directory, or pass --overwrite to replace "
             "files of the same names in it)";
    }
    return "";
  }

  // The descriptor of database folder `name` (0700, created when missing); -1 and `error` set
  // when it cannot be had without following a link.
  int subdir(const std::string& name, std::string& error) {
    if (name.empty()) return m_root;
    if (auto it = m_dirs.find(name); it != m_dirs.end()) return it->second;
    if (::mkdirat(m_root, name.c_str(), 0700) == 0) {
      m_created.push_back({name, true});
    } else if (errno != EEXIST) {
      error = "cannot create " + where(name) + ": " + errno_text(errno);
      return -1;
    }
    const int fd = ::openat(m_root, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      const int e = errno;
      error = e == ELOOP || e == ENOTDIR
                  ? where(name) +
                        " is a symbolic link or not a directory; nothing is written "
                        "through it"
                  : "cannot open " + where(name) + ": " + errno_text(e);
      return -1;
    }
    m_dirs.emplace(name, fd);
    return fd;
  }

  // A new file `name` in `dir_fd` (0600). An existing file is replaced only with overwrite, and
  // only when it is a plain file with a single link (never a symbolic or hard link).
  int create_file(int dir_fd, const std::string& dir, const std::string& name, std::string& error) {
    const std::string rel = dir.empty() ? name : dir + "/" + name;
    int fd =
        ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
      m_created.push_back({rel, false});
      return fd;
    }
    if (errno != EEXIST || !m_overwrite) {
      error = errno == EEXIST ? where(rel) + " already exists (pass --overwrite to replace it)"
                              : "cannot create " + where(rel) + ": " + errno_text(errno);
      return -1;
    }
    fd = ::openat(dir_fd, name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
        ::ftruncate(fd, 0) != 0 || ::fchmod(fd, 0600) != 0) {
      const int e = errno;
      if (fd >= 0) ::close(fd);
      error = "refusing to replace " + where(rel) +
              (e == ELOOP ? ": it is a symbolic link" : ": not a plain file with a single link");
      return -1;
    }
    return fd;
  }

  // fsyncs every database folder and the root (and the root's parent when it was created).
  std::string sync() {
    for (auto& [name, fd] : m_dirs) {
      if (::fsync(fd) != 0) return "cannot fsync " + where(name) + ": " + errno_text(errno);
    }
    if (::fsync(m_root) != 0)
      return "cannot fsync " + shown(m_path.string()) + ": " + errno_text(errno);
    if (m_created_root) {
      const int parent = ::open(m_path.has_parent_path() ? m_path.parent_path().c_str() : ".",
                                O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (parent >= 0) {
        ::fsync(parent);
        ::close(parent);
      }
    }
    return "";
  }

  // Removes what this export created (files, then folders, then the root if it made it).
  void remove_created() {
    if (m_root < 0) return;
    for (auto it = m_created.rbegin(); it != m_created.rend(); ++it) {
      ::unlinkat(m_root, it->first.c_str(), it->second ? AT_REMOVEDIR : 0);
    }
    m_created.clear();
    if (m_created_root) ::rmdir(m_path.c_str());
  }

 private:
  std::string where(const std::string& rel) const { return shown((m_path / rel).string()); }

  fs::path m_path;
  bool m_overwrite = false, m_created_root = false;
  int m_root = -1;
  std::map<std::string, int> m_dirs;
  std::vector<std::pair<std::string, bool>> m_created;  // relative path, is a directory
};

// One output .gz file on a descriptor, written like Go's compress/gzip (mtime 0, OS 255) at
// zlib's default level; fsynced before it is closed.
class GzipFile {
 public:
  explicit GzipFile(int fd) : m_fd(fd) {
    m_ok = deflateInit2(&m_z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) ==
           Z_OK;
    m_header.os = 255;
    if (m_ok) deflateSetHeader(&m_z, &m_header);
  }
  ~GzipFile() {
    deflateEnd(&m_z);
    if (m_fd >= 0) ::close(m_fd);
  }
  GzipFile(const GzipFile&) = delete;
  GzipFile& operator=(const GzipFile&) = delete;

  void write(const std::uint8_t* data, std::size_t size) { run(data, size, Z_NO_FLUSH); }
  // Ends the member, fsyncs and closes; returns the error text or "".
  std::string close() {
    run(nullptr, 0, Z_FINISH);
    if (m_ok && ::fsync(m_fd) != 0) fail(errno);
    if (::close(m_fd) != 0 && m_ok) fail(errno);
    m_fd = -1;
    return m_ok ? "" : m_error.empty() ? std::string("compression failed") : m_error;
  }

 private:
  void fail(int e) {
    if (m_ok) m_error = errno_text(e);
    m_ok = false;
  }
  void write_out(const std::uint8_t* p, std::size_t n) {
    while (m_ok && n > 0) {
      const ssize_t w = ::write(m_fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        fail(w < 0 ? errno : EIO);
        return;
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  void run(const std::uint8_t* data, std::size_t size, int flush) {
    if (!m_ok) return;
    m_z.next_in = const_cast<Bytef*>(data);
    m_z.avail_in = static_cast<uInt>(size);
    int rc = Z_OK;
    do {
      m_z.next_out = m_buf;
      m_z.avail_out = sizeof m_buf;
      rc = deflate(&m_z, flush);
      if (rc == Z_STREAM_ERROR) {
        m_ok = false;
        return;
      }
      write_out(m_buf, sizeof m_buf - m_z.avail_out);
    } while (m_ok && (m_z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END)));
  }

  int m_fd;
  bool m_ok = true;
  std::string m_error;
  z_stream m_z{};
  gz_header m_header{};
  std::uint8_t m_buf[64 * 1024];
};

class DirectorySink final : public ArchiveSink {
 public:
  explicit DirectorySink(OutputTree& tree) : m_tree(tree) {}

  void on_prelude(const PreludeEntry& e) override {
    if (!m_error.empty()) return;
    const std::string ns = e.db + "." + e.collection;
    m_types[ns] = e.type;
    if (e.type == "timeseries") m_types[e.db + ".system.buckets." + e.collection] = "buckets";
    if (e.metadata.empty()) return;  // the oplog entry has none
    auto name = dump_file_name(e.db, e.collection);
    if (!name) return bad_name(ns);
    std::string error;
    const int dir = m_tree.subdir(name->dir, error);
    if (dir < 0) return set_error(error);
    const int fd = m_tree.create_file(dir, name->dir, name->stem + ".metadata.json.gz", error);
    if (fd < 0) return set_error(error);
    GzipFile md(fd);
    md.write(reinterpret_cast<const std::uint8_t*>(e.metadata.data()), e.metadata.size());
    if (auto err = md.close(); !err.empty()) {
      set_error("cannot write the metadata of " + shown(ns) + ": " + err);
    }
  }

  void on_documents(const std::string& ns, const std::uint8_t* data, std::size_t size) override {
    if (GzipFile* f = file_for(ns)) f->write(data, size);
  }

  // Closes the namespace's file as soon as its data is complete: open files stay bounded by
  // the namespaces in flight, not by the number of collections.
  void on_namespace_end(const std::string& ns) override {
    const auto type = m_types.find(ns);
    if (type != m_types.end() && (type->second == "view" || type->second == "timeseries")) return;
    if (file_for(ns) == nullptr) return;  // creates the empty .bson.gz of an empty collection
    close_file(ns);
  }

  // Closes what is still open; returns the first error or "".
  std::string finish() {
    while (!m_files.empty()) close_file(m_files.begin()->first);
    return m_error;
  }
  const std::string& error() const { return m_error; }

 private:
  void set_error(const std::string& e) {
    if (m_error.empty()) m_error = e;
  }
  void bad_name(const std::string& ns) {
    set_error("namespace " + shown(ns) + " does not give a safe file name");
  }
  void close_file(const std::string& ns) {
    auto it = m_files.find(ns);
    if (it == m_files.end()) return;
    const std::string err = it->second->close();
    if (!err.empty()) set_error("cannot write the documents of " + shown(ns) + ": " + err);
    m_files.erase(it);
  }

  GzipFile* file_for(const std::string& ns) {
    if (!m_error.empty()) return nullptr;
    auto it = m_files.find(ns);
    if (it != m_files.end()) return it->second.get();
    if (m_done.count(ns) != 0) {
      set_error("documents of " + shown(ns) + " after its end");
      return nullptr;
    }
    // Database names cannot contain dots, so the first dot splits db and collection.
    const auto dot = ns.find('.');
    const std::string db = ns.substr(0, dot), coll = ns.substr(dot + 1);
    auto name = dump_file_name(db, coll);
    if (!name) {
      bad_name(ns);
      return nullptr;
    }
    // The oplog is DIR/oplog.bson, gzip inside despite the name (docs/mongodump-format.md
    // section 6).
    const std::string file = name->stem + (db.empty() ? ".bson" : ".bson.gz");
    std::string error;
    const int dir = m_tree.subdir(name->dir, error);
    const int fd = dir < 0 ? -1 : m_tree.create_file(dir, name->dir, file, error);
    if (fd < 0) {
      set_error(error);
      return nullptr;
    }
    m_done.insert(ns);
    return m_files.emplace(ns, std::make_unique<GzipFile>(fd)).first->second.get();
  }

  OutputTree& m_tree;
  std::map<std::string, std::string> m_types;  // ns -> prelude type
  std::map<std::string, std::unique_ptr<GzipFile>> m_files;
  std::set<std::string> m_done;  // namespaces whose file was opened (each exactly once)
  std::string m_error;
};

}  // namespace

tl::expected<void, std::string> export_archive_to_directory(const fs::path& archive_gz,
                                                            const fs::path& out_dir,
                                                            const ExportOptions& options) {
  const std::string shown_archive = shown(archive_gz.string());
  if (::access(archive_gz.c_str(), R_OK) != 0) {
    return tl::make_unexpected("cannot open " + shown_archive + ": " + errno_text(errno));
  }
  OutputTree tree;
  if (auto e = tree.open(out_dir, options.overwrite); !e.empty()) {
    tree.remove_created();
    return tl::make_unexpected(e);
  }
  std::string error;
  {
    DirectorySink sink(tree);
    ArchiveStream stream(true, options.limits, &sink);
    const FileReadError read_error = read_file_pieces(
        archive_gz, [&](const std::uint8_t* p, std::size_t n) { stream.feed(p, n); },
        [&] { return stream.failed(); });
    const ArchiveVerdict v = stream.finish();
    const std::string sink_error = sink.finish();
    // The archive's own verdict comes first (the one `validate` gives for this file); only a
    // valid archive that could not be written fails with the write error.
    if (read_error.failed()) {
      error = read_error.message;
    } else if (!v.valid) {
      error = v.errors.empty() ? std::string("archive invalid") : v.errors.front();
    } else {
      error = sink_error;
    }
  }
  if (error.empty()) error = tree.sync();
  if (!error.empty()) {
    tree.remove_created();
    return tl::make_unexpected(shown_archive + ": " + error);
  }
  return {};
}

}  // namespace agent::mongo_format
