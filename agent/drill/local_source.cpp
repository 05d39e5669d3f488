// The local source of a mongo drill: a valid backup of mongo.backup_dir, checked again.

#include "agent/drill/drill_source.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/sha256.hpp"
#include "agent/mongo_format/archive_stream.hpp"

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
  mongo::Sha256 sha;
  mongo_format::ArchiveInventory inventory(true);
  const auto error = mongo_format::read_file_pieces(
      file,
      [&](const std::uint8_t* data, std::size_t size) {
        sha.update(data, size);
        inventory.feed(data, size);
        out.bytes += size;
      },
      [] { return false; });
  if (error.kind == mongo_format::FileReadError::Kind::cannot_open) {
    out.read_error = error.message;
    return out;
  }
  if (error.failed()) out.read_error = error.message;
  out.sha256 = sha.finish_hex();
  out.inventory = inventory.finish();
  return out;
}

}  // namespace agent::drill
