#pragma once

#include <chrono>
#include <string>

#include "agent/tier/run_context.hpp"

namespace testing_support {

// A RunContext with the fields these tests care about; the rest keep their defaults (the
// struct grows as `run` gains features, so tests do not list every field).
inline agent::RunContext run_context(const agent::Config& config, std::string run_id,
                                     std::chrono::system_clock::time_point start,
                                     bool dry_run = false) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
  agent::RunContext ctx{config, std::move(run_id), start};
#pragma GCC diagnostic pop
  ctx.dry_run = dry_run;
  return ctx;
}

}  // namespace testing_support
