#pragma once

#include <chrono>

#include "agent/core/clock.hpp"

// A clock that only moves when told to, for unit tests (the program uses SystemClock).
namespace agent {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start = {}) : m_now(start) {}
  std::chrono::system_clock::time_point now() const override { return m_now; }
  void set(std::chrono::system_clock::time_point t) { m_now = t; }
  void advance(std::chrono::system_clock::duration d) { m_now += d; }

 private:
  std::chrono::system_clock::time_point m_now;
};

}  // namespace agent
