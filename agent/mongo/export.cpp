#include "agent/mongo/export.hpp"

#include "agent/core/exit_codes.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/dump_limits.hpp"
#include "agent/mongo/target_select.hpp"
#include "agent/mongo_format/archive_export.hpp"

namespace agent::mongo {

int export_mongo(const Config& config, const ExportRequest& request, Output& out) {
  auto target = select_mongo_target(config, request.target);
  if (!target) {
    out.error(target.error());
    return exit_code::k_usage;
  }
  const BackupStore store((*target)->mongo->backup_dir);
  auto backup = store.resolve(request.backup);
  if (!backup) {
    out.error(backup.error());
    return exit_code::k_failure;
  }
  mongo_format::ExportOptions options;
  options.overwrite = request.overwrite;
  options.limits = stored_limits((*target)->mongo->limits);
  auto r = mongo_format::export_archive_to_directory(backup->dir / backup->manifest.archive_file,
                                                     request.dir, options);
  if (!r) {
    out.error("export of " + backup->id + " failed: " + r.error());
    return exit_code::k_failure;
  }
  const bool whole = backup->manifest.database.empty();
  out.result("Exported " + backup->id + " to " + request.dir + " (" +
             (whole ? std::string("<db>") : backup->manifest.database) +
             "/<collection>.bson.gz + .metadata.json.gz" +
             (backup->manifest.oplog ? ", oplog.bson" : "") +
             "); restore by hand with: mongorestore --gzip" +
             (backup->manifest.oplog ? " --oplogReplay" : "") + " --dir=" + request.dir + "\n");
  return exit_code::k_success;
}

}  // namespace agent::mongo
