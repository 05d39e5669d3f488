// The local source of a mongo drill: a valid backup of mongo.backup_dir, checked again.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/drill/drill_source.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/sha256.hpp"

namespace agent::drill {
namespace {

class LocalMongoSource final : public MongoBackupSource {
 public:
  std::string name() const override { return "local"; }

  tl::expected<FetchedMongoBackup, TierError> fetch(const TargetConfig& target,
                                                    const std::string& backup) override {
    const mongo::BackupStore store(target.mongo->backup_dir);
    mongo::StoredBackup chosen;
    if (backup.empty()) {
      auto valid = store.list_valid();
      if (valid.empty()) {
        return tl::unexpected(TierError{
            TierError::Kind::refused,
            "no valid mongo backup in " + store.root().string() + " to drill: run a backup first"});
      }
      chosen = std::move(valid.back());
    } else {
      auto found = store.resolve(backup);
      if (!found) return tl::unexpected(TierError{TierError::Kind::refused, found.error()});
      chosen = std::move(*found);
    }
    FetchedMongoBackup out;
    out.id = chosen.id;
    out.made_at = chosen.manifest.started_at;
    out.archive = chosen.dir / chosen.manifest.archive_file;
    const auto reading = read_archive_inventory(out.archive);
    if (!reading.read_error.empty()) {
      return tl::unexpected(TierError{TierError::Kind::local_io, reading.read_error});
    }
    if (reading.sha256 != chosen.manifest.sha256) {
      return tl::unexpected(TierError{TierError::Kind::invalid,
                                      out.archive.string() +
                                          ": SHA-256 differs from manifest.json (the file changed "
                                          "or is damaged); not restoring it"});
    }
    if (!reading.inventory.verdict.valid) {
      const auto& errors = reading.inventory.verdict.errors;
      return tl::unexpected(TierError{TierError::Kind::invalid,
                                      out.archive.string() + " does not validate: " +
                                          (errors.empty() ? "archive invalid" : errors.front())});
    }
    out.bytes = reading.bytes;
    out.manifest = std::move(chosen.manifest);
    out.shapes = reading.inventory.namespaces;
    out.warnings = reading.inventory.verdict.warnings;
    return out;
  }
};

}  // namespace

std::unique_ptr<MongoBackupSource> local_mongo_source() {
  return std::make_unique<LocalMongoSource>();
}

ArchiveReading read_archive_inventory(const std::filesystem::path& file) {
  ArchiveReading out;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.read_error = "cannot open " + file.string() + ": " + std::strerror(errno);
    return out;
  }
  mongo::Sha256 sha;
  mongo_format::ArchiveInventory inventory(true);
  std::vector<std::uint8_t> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.read_error = "cannot read " + file.string() + ": " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    sha.update(buf.data(), static_cast<std::size_t>(n));
    inventory.feed(buf.data(), static_cast<std::size_t>(n));
    out.bytes += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  out.sha256 = sha.finish_hex();
  out.inventory = inventory.finish();
  return out;
}

}  // namespace agent::drill
