#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

// The time source of the agent: one interface and the real implementation; tests drive the
// agent at any date with tests/support/manual_clock.hpp.
namespace agent {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

// The system clock. Test hook: when the environment variable PVE_SMOKERBAK_NOW is set (epoch
// seconds, or RFC 3339 UTC such as "2026-01-31T01:00:00Z"), now() returns that instant
// instead, so end-to-end tests can run the real binary through a simulated year. The variable
// is read once, at construction; an unparsable value is reported by override_error().
class SystemClock final : public Clock {
 public:
  SystemClock();
  std::chrono::system_clock::time_point now() const override;

  // Set when PVE_SMOKERBAK_NOW is set but cannot be parsed (now() then uses the real time).
  const std::optional<std::string>& override_error() const { return m_override_error; }

 private:
  std::optional<std::chrono::system_clock::time_point> m_override;
  std::optional<std::string> m_override_error;
};

// Parses epoch seconds ("1767225600") or RFC 3339 UTC ("2026-01-01T00:00:00Z", fractional
// seconds and a "+00:00" offset accepted; other offsets too). Used for PVE_SMOKERBAK_NOW.
tl::expected<std::chrono::system_clock::time_point, std::string> parse_instant(
    std::string_view text);

}  // namespace agent
