#include "agent/drill/drill_context.hpp"

#include <ctime>
#include <sstream>

namespace agent::drill {

std::string drill_stamp(std::int64_t epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string seconds_text(double s) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(s < 10 ? 2 : 1);
  o << s << " s";
  return o.str();
}

DrillRecord start_record(const DrillContext& ctx, const TargetConfig& target, TierName tier,
                         const std::string& source) {
  DrillRecord r;
  r.id = ctx.drill_id;
  r.target = target.name;
  r.tier = tier;
  r.run_id = ctx.run_id;
  r.started_at = ctx.started_at;
  r.source = source;
  return r;
}

void finish_record(DrillRecord& record, std::optional<TierError> error) {
  record.rto_s = 0;
  for (const auto& s : record.steps) {
    if (s.name != "cleanup") record.rto_s += s.seconds;
  }
  record.ok = !error;
  if (error) {
    record.error_kind = error->kind;
    record.error = error->message;
  }
}

}  // namespace agent::drill
