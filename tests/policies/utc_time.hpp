#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "policies/civil_time.hpp"

// Test helper: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM[:SS]" read as UTC.
namespace policies_test {

inline std::int64_t utc(const std::string& text) {
  policies::CivilTime t;
  int n = std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &t.year, &t.month, &t.day, &t.hour,
                      &t.minute, &t.second);
  if (n < 3) throw std::invalid_argument("bad test time: " + text);
  return policies::epoch_from_utc(t);
}

}  // namespace policies_test
