#include "agent/offsite/offsite_fetch.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "age/decryptor.hpp"
#include "age/encryptor.hpp"
#include "agent/core/atomic_file.hpp"
#include "agent/core/human_format.hpp"
#include "agent/mongo/archive_check.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/offsite/object_names.hpp"
#include "agent/vzdump/archive_verifier.hpp"
#include "s3/digest.hpp"

namespace agent::offsite {
namespace {

using Kind = FetchError::Kind;

tl::unexpected<FetchError> fail(Kind kind, std::string message) {
  return tl::unexpected(FetchError{kind, std::move(message)});
}

std::string meta(const s3::ObjectInfo& info, const char* name) {
  const auto it = info.metadata.find(name);
  return it == info.metadata.end() ? std::string() : it->second;
}

// The download's sink: ciphertext in, authenticated plaintext to the .partial file (hashed).
class DecryptingFileSink final : public http::BodySink {
 public:
  DecryptingFileSink(int fd, std::uint64_t total,
                     std::function<void(std::uint64_t, std::uint64_t)> progress)
      : m_fd(fd), m_total(total), m_progress(std::move(progress)) {}

  bool start(const std::vector<age::Identity>& identities) {
    auto d = age::Decryptor::create(
        identities, [this](std::span<const std::uint8_t> plain) { return write_plain(plain); });
    if (!d) {
      m_error = d.error().message;
      return false;
    }
    m_decryptor.emplace(std::move(*d));
    return true;
  }

  tl::expected<void, std::string> write(const char* data, std::size_t size) override {
    auto ok = m_decryptor->update({reinterpret_cast<const std::uint8_t*>(data), size});
    m_received += size;
    if (m_progress) m_progress(m_received, m_total);
    if (!ok) {
      m_age_error = ok.error();
      return tl::unexpected(m_write_error.empty() ? ok.error().message : m_write_error);
    }
    return {};
  }

  age::Result<void> finish() { return m_decryptor->finish(); }
  std::string sha256_hex() { return s3::to_hex(m_sha.finish()); }
  std::uint64_t plain_bytes() const { return m_plain; }
  const std::string& write_error() const { return m_write_error; }
  const std::optional<age::Error>& age_error() const { return m_age_error; }
  const std::string& start_error() const { return m_error; }

 private:
  bool write_plain(std::span<const std::uint8_t> plain) {
    std::size_t done = 0;
    while (done < plain.size()) {
      const ssize_t n = ::write(m_fd, plain.data() + done, plain.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        m_write_error = std::string("writing the decrypted file failed: ") + std::strerror(errno) +
                        (errno == ENOSPC ? " (the disk is full)" : "");
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    m_sha.update(plain.data(), plain.size());
    m_plain += plain.size();
    return true;
  }

  int m_fd;
  std::uint64_t m_total;
  std::function<void(std::uint64_t, std::uint64_t)> m_progress;
  std::optional<age::Decryptor> m_decryptor;
  s3::Digest m_sha{s3::Digest::Algorithm::sha256};
  std::uint64_t m_received = 0, m_plain = 0;
  std::string m_write_error, m_error;
  std::optional<age::Error> m_age_error;
};

// Removes a path on every way out unless released.
struct Cleanup {
  std::filesystem::path path;
  ~Cleanup() {
    if (path.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

tl::expected<void, FetchError> check_space(const std::filesystem::path& dir, std::uint64_t needed) {
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) != 0) {
    return fail(Kind::disk,
                "cannot read the free space of " + dir.string() + ": " + std::strerror(errno));
  }
  const std::uint64_t free = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  if (free < needed) {
    return fail(Kind::disk, "not enough space in " + dir.string() + ": the backup needs " +
                                human_bytes(needed) + ", " + human_bytes(free) +
                                " are free; fetch it to another directory with --to");
  }
  return {};
}

}  // namespace

tl::expected<FetchedBackup, FetchError> fetch_and_validate(
    s3::Client& client, const std::string& key, const std::vector<age::Identity>& identities,
    const std::filesystem::path& dir, const FetchOptions& options) {
  auto head = client.head_object(key, options.version_id);
  if (!head) return fail(Kind::remote, "cannot read " + key + ": " + head.error().message);
  FetchedBackup out;
  const auto tier = parse_tier_name(meta(*head, k_meta_tier));
  out.backup_id = meta(*head, k_meta_backup);
  out.target = meta(*head, k_meta_target);
  const std::string file_name = meta(*head, k_meta_file);
  out.sha256 = meta(*head, k_meta_sha256);
  std::uint64_t plain_size = 0;
  try {
    plain_size = std::stoull(meta(*head, k_meta_size));
    out.ctime = std::stoll(meta(*head, k_meta_ctime));
  } catch (const std::exception&) {
    return fail(Kind::not_ours, key +
                                    " carries no usable smokerbak-size/-ctime metadata: it is "
                                    "not an off-site copy made by pve-smokerbak");
  }
  if (!tier || *tier == TierName::offsite || out.sha256.size() != 64 ||
      !safe_file_name(file_name) || out.backup_id.empty()) {
    return fail(Kind::not_ours, key +
                                    " lacks the smokerbak metadata (tier, backup, file, "
                                    "sha256): it is not an off-site copy made by pve-smokerbak");
  }
  out.tier = *tier;
  if (!options.expected_sha256.empty() && options.expected_sha256 != out.sha256) {
    return fail(Kind::integrity, key + " says its plaintext SHA-256 is " + out.sha256 +
                                     ", the receipt says " + options.expected_sha256 +
                                     ": the object changed behind the agent's back");
  }
  if (head->size < age::encrypted_size(plain_size, 1)) {
    return fail(Kind::integrity, key + " is " + std::to_string(head->size) +
                                     " bytes, too short for " + std::to_string(plain_size) +
                                     " bytes of plaintext: it is truncated");
  }

  // Where it goes.
  std::filesystem::path final_path, partial_dir, partial_file, archive_name;
  if (out.tier == TierName::mongo) {
    if (!safe_file_name(out.backup_id) || file_name.rfind(out.backup_id + ".", 0) != 0) {
      return fail(Kind::not_ours, key + ": its backup id or file name is not a mongo backup's");
    }
    archive_name = file_name.substr(out.backup_id.size() + 1);
    final_path = dir / out.backup_id;
    partial_dir = dir / (out.backup_id + ".partial");
    partial_file = partial_dir / archive_name;
  } else {
    // A hidden directory, so the archive keeps its name (the verifier and Proxmox read the
    // compression from it) and no storage scan ever lists a half-written archive.
    final_path = dir / file_name;
    partial_dir = dir / ("." + file_name + ".partial");
    partial_file = partial_dir / file_name;
  }
  std::error_code ec;
  if (std::filesystem::exists(final_path, ec)) {
    return fail(Kind::exists, final_path.string() +
                                  " already exists: restore from it directly, or fetch to another "
                                  "directory with --to");
  }
  std::filesystem::create_directories(dir, ec);
  if (auto space = check_space(dir, plain_size + (64ull << 20)); !space) {
    return tl::unexpected(space.error());
  }
  Cleanup cleanup{partial_dir};
  std::filesystem::remove_all(partial_dir, ec);
  if (!std::filesystem::create_directory(partial_dir, ec)) {
    return fail(Kind::disk, "cannot create " + partial_dir.string() + ": " + ec.message());
  }
  const int fd =
      ::open(partial_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return fail(Kind::disk, "cannot create " + partial_file.string() + ": " + std::strerror(errno));
  }
  DecryptingFileSink sink(fd, head->size, options.on_progress);
  if (!sink.start(identities)) {
    ::close(fd);
    return fail(Kind::identity, "cannot decrypt: " + sink.start_error());
  }
  s3::GetOptions get;
  get.version_id = head->version_id;
  get.max_bytes = head->size;
  auto got = client.get_object(key, sink, get);
  age::Result<void> finished = got ? sink.finish() : age::Result<void>{};
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!sink.write_error().empty()) {
    return fail(Kind::disk, sink.write_error() + " in " + dir.string() +
                                "; the partial copy was removed: free space there or fetch it to "
                                "another directory with --to");
  }
  if (const auto& e = sink.age_error()) {
    const bool no_identity = e->kind == age::Error::Kind::no_identity_matched;
    return fail(no_identity ? Kind::identity : Kind::integrity,
                "decrypting " + key + " failed: " + e->message +
                    (no_identity ? " (give the identity whose public key is a recipient of this "
                                   "destination)"
                                 : ""));
  }
  if (!got) return fail(Kind::remote, "downloading " + key + " failed: " + got.error().message);
  if (!finished) {
    return fail(Kind::integrity, "decrypting " + key + " failed: " + finished.error().message);
  }
  if (!synced) return fail(Kind::disk, "cannot sync " + partial_file.string());
  const std::string sha = sink.sha256_hex();
  if (sink.plain_bytes() != plain_size || sha != out.sha256) {
    return fail(Kind::integrity, key + " decrypted to " + std::to_string(sink.plain_bytes()) +
                                     " bytes with SHA-256 " + sha + ", not the " +
                                     std::to_string(plain_size) + " bytes with " + out.sha256 +
                                     " the backup had");
  }
  out.size = sink.plain_bytes();

  // The full validation of its tier, on the plaintext.
  if (out.tier == TierName::mongo) {
    const auto check = mongo::check_stored_archive(partial_file);
    if (!check.read_error.empty()) return fail(Kind::disk, check.read_error);
    if (!check.verdict.valid) {
      return fail(Kind::invalid, "the decrypted archive does not validate: " +
                                     (check.verdict.errors.empty() ? std::string("invalid")
                                                                   : check.verdict.errors.front()));
    }
    mongo::Manifest m;
    m.backup_id = out.backup_id;
    m.target = out.target;
    m.started_at = m.finished_at = out.ctime;
    m.archive_file = archive_name.string();
    m.size = out.size;
    m.sha256 = sha;
    m.tool_version = check.verdict.tool_version;
    m.server_version = check.verdict.server_version;
    for (const auto& ns : check.verdict.namespaces) {
      if (m.database.empty()) m.database = ns.db;
      mongo::CollectionCount c;
      c.ns = ns.db + "." + ns.collection;
      c.archive_documents = ns.documents;
      char crc[17];
      std::snprintf(crc, sizeof crc, "%016llx", static_cast<unsigned long long>(ns.crc64));
      c.crc64 = crc;
      c.crc_ok = ns.crc_ok;
      m.collections.push_back(std::move(c));
    }
    m.mongodump_exit = 0;
    m.valid = true;
    m.warnings.push_back("fetched from off-site object " + key);
    if (auto e = write_file_atomically(partial_dir / "manifest.json", mongo::manifest_to_json(m))) {
      return fail(Kind::disk, *e);
    }
    out.validation = "valid mongodump archive: " + std::to_string(check.verdict.namespaces.size()) +
                     " collections, " + std::to_string(check.verdict.total_documents()) +
                     " documents";
  } else {
    const auto check = verify_archive(partial_file);
    if (check.verdict != ArchiveVerdict::verified) {
      return fail(Kind::invalid, std::string("the decrypted archive does not verify (") +
                                     to_string(check.verdict) + "): " + check.problem);
    }
    out.validation = "vzdump archive verified: " + std::to_string(check.tar_entries) +
                     " tar entries (" + check.compression + ")";
  }
  // mongo: the backup directory moves into place; vzdump: the archive, then its directory goes.
  std::filesystem::rename(out.tier == TierName::mongo ? partial_dir : partial_file, final_path, ec);
  if (ec)
    return fail(Kind::disk, "cannot rename into " + final_path.string() + ": " + ec.message());
  if (out.tier == TierName::mongo) cleanup.path.clear();
  if (out.tier == TierName::mongo) {
    out.backup_dir = final_path;
    out.file = final_path / archive_name;
  } else {
    out.file = final_path;
  }
  return out;
}

}  // namespace agent::offsite
