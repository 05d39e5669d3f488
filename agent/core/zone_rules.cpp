// Compiled as C++17: Debian 12's date 3.0.1 ptz.h has an ambiguous `hh_mm_ss` under C++20
// (std::chrono::hh_mm_ss meets date::hh_mm_ss; fixed upstream after 3.0.1 in "Port ptz.h to
// C++20"). Only this file includes the library, so no inline function of it is compiled twice
// under different standards.
#include "agent/core/zone_rules.hpp"

#include <date/ptz.h>
#include <date/tz.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>

namespace agent {

struct ZoneRules::Impl {
  const date::time_zone* zone = nullptr;
  // The rule after the last transition of the zone file (date 3.0.1 keeps the last offset
  // forever instead, which would end DST in 2038).
  std::optional<Posix::time_zone> after_last_transition;
};

namespace {

// The directory date's OS tzdb reads (it is fixed there; TZDIR is not consulted).
constexpr const char* k_zoneinfo = "/usr/share/zoneinfo";
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
constexpr std::int64_t k_min_epoch = -62135596800;
constexpr std::int64_t k_max_epoch = 253402300799;

// A TZif file of version 2 or later ends with "\n<POSIX TZ rule>\n" (RFC 8536 section 3.3),
// e.g. "\nCET-1CEST,M3.5.0,M10.5.0/3\n". Reads only that last line of at most 255 bytes.
std::optional<std::string> footer_rule(const std::string& name) {
  std::ifstream in(std::string(k_zoneinfo) + "/" + name, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const std::streamoff size = in.tellg();
  const std::streamoff take = std::min<std::streamoff>(size, 256);
  std::string tail(static_cast<std::size_t>(take), '\0');
  in.seekg(size - take);
  if (!in.read(tail.data(), take) || tail.size() < 2 || tail.back() != '\n') return std::nullopt;
  const auto start = tail.rfind('\n', tail.size() - 2);
  if (start == std::string::npos) return std::nullopt;
  std::string rule = tail.substr(start + 1, tail.size() - start - 2);
  if (rule.empty()) return std::nullopt;
  return rule;
}

bool is_last_interval(const date::sys_info& info) {
  return info.end == date::sys_seconds(date::sys_days(date::year::max() / date::December / 31));
}

}  // namespace

tl::expected<ZoneRules, std::string> ZoneRules::open(const std::string& name) {
  auto impl = std::make_shared<Impl>();
  try {
    impl->zone = date::locate_zone(name);
  } catch (const std::exception& e) {
    return tl::make_unexpected(std::string(e.what()));
  }
  if (auto rule = footer_rule(name)) {
    try {
      impl->after_last_transition.emplace(*rule);
    } catch (const std::exception&) {
      // A rule the library cannot read: the last transition's offset stays in effect.
    }
  }
  return ZoneRules(std::move(impl));
}

std::int64_t ZoneRules::utc_offset(std::int64_t epoch) const {
  const date::sys_seconds t{std::chrono::seconds(std::clamp(epoch, k_min_epoch, k_max_epoch))};
  const date::sys_info info = m_impl->zone->get_info(t);
  if (m_impl->after_last_transition && is_last_interval(info)) {
    return m_impl->after_last_transition->get_info(t).offset.count();
  }
  return info.offset.count();
}

}  // namespace agent
