#include "policies/period.hpp"

#include <cstdio>

namespace policies {

std::int64_t period_key(Rule rule, std::int64_t ctime, const LocalFields& local) {
  const CivilTime& c = local.civil;
  const std::int64_t year = c.year;
  switch (rule) {
    case Rule::last:
      return ctime;
    case Rule::hourly:
      return ((year * 100 + c.month) * 100 + c.day) * 100 + c.hour;
    case Rule::daily:
      return (year * 100 + c.month) * 100 + c.day;
    case Rule::weekly:
      return static_cast<std::int64_t>(local.iso.iso_year) * 100 + local.iso.week;
    case Rule::monthly:
      return year * 100 + c.month;
    case Rule::yearly:
      return year;
  }
  return ctime;
}

std::string period_label(Rule rule, const LocalFields& local) {
  const CivilTime& c = local.civil;
  char buf[64];
  switch (rule) {
    case Rule::last:
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day,
                    c.hour, c.minute, c.second);
      break;
    case Rule::hourly:
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:00", c.year, c.month, c.day, c.hour);
      break;
    case Rule::daily:
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
      break;
    case Rule::weekly:
      std::snprintf(buf, sizeof buf, "%04d-W%02d", local.iso.iso_year, local.iso.week);
      break;
    case Rule::monthly:
      std::snprintf(buf, sizeof buf, "%04d-%02d", c.year, c.month);
      break;
    case Rule::yearly:
      std::snprintf(buf, sizeof buf, "%04d", c.year);
      break;
  }
  return buf;
}

}  // namespace policies
