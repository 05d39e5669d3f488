#include "agent/mongo_format/dump_log.hpp"

namespace agent::mongo_format {

DumpLog parse_dump_log(std::string_view /*stderr_text*/) { return {}; }

void check_counts(ArchiveVerdict& /*v*/, const DumpLog& /*log*/) {}

}  // namespace agent::mongo_format
