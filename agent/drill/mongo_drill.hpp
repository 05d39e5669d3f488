#pragma once

#include <map>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/drill/drill_context.hpp"
#include "agent/drill/drill_source.hpp"
#include "agent/drill/mongo_scripts.hpp"
#include "agent/mongo/ssh_sessions.hpp"

// The mongo drill: fetch a verified backup, restore it with mongorestore --archive into scratch
// databases (renamed with --nsFrom/--nsTo on the production server, or under the original names
// on a scratch server, drill.mongo.uri), compare every collection's document count and index
// names with the backup, run the operator's checks, and drop the scratch databases again -- also
// after a failure; a killed drill's are dropped by the next drill or run (found by the marker
// collection, mongo_scripts.hpp). It refuses to restore into a database that exists and is not
// this target's drill copy, and never names a production namespace as a restore target.
namespace agent::drill {

// What a drill of this backup will do: the database mapping, what to compare, the command.
struct MongoDrillPlan {
  bool scratch_server = false;                                 // drill.mongo.uri set: no renames
  std::vector<std::pair<std::string, std::string>> databases;  // source -> scratch
  std::vector<ExpectedCollection> collections;
  std::map<std::string, std::uint64_t> expected_counts;  // "scratchdb.coll" -> documents
  std::map<std::string, std::vector<std::string>> expected_indexes;  // "scratchdb.coll" -> names
  std::vector<QueryCheck> checks;
  std::vector<std::uint64_t> check_minimums;
  std::vector<std::string> notes;  // what is not compared and why
  std::string restore_command;
};

// Plans the drill of `backup` for `target` (which has a mongo tier and drill.mongo). Errors
// (refused): a database of the dump whose scratch name would be too long, a check naming a
// collection the dump does not have.
tl::expected<MongoDrillPlan, TierError> plan_mongo_drill(const TargetConfig& target,
                                                         const FetchedMongoBackup& backup,
                                                         const std::string& drill_id);

// The comparison of the copy with the plan: sentences of what matched, and what did not.
struct CopyComparison {
  std::vector<std::string> verified;
  std::vector<std::string> problems;  // any: the drill failed (kind invalid)
  std::vector<std::string> warnings;
};
CopyComparison compare_copy(const MongoDrillPlan& plan, const VerifyAnswer& answer);

// Runs the whole drill (see above).
DrillOutcome run_mongo_drill(const DrillContext& ctx, const TargetConfig& target,
                             const mongo::SessionFactory& sessions, MongoBackupSource& source,
                             const std::string& backup);

// Drops what killed drills of `target` left (databases carrying its marker, except those of
// `keep_drill_id`); one sentence per action or problem. Used before each drill and by `run` when
// a drill marker file shows a killed drill.
std::vector<std::string> clean_mongo_leftovers(const TargetConfig& target,
                                               const mongo::SessionFactory& sessions,
                                               const std::string& keep_drill_id = "");

}  // namespace agent::drill
