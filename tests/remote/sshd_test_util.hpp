#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "remote/ssh_session.hpp"

namespace testing_support {

// Collects everything a command produced, for assertions.
struct Captured {
  std::string out;
  std::vector<std::string> err;

  remote::StdoutSink stdout_sink() {
    return [this](const std::uint8_t* d, std::size_t n) {
      out.append(reinterpret_cast<const char*>(d), n);
      return true;
    };
  }
  remote::StderrLineSink stderr_sink() {
    return [this](std::string_view l) { err.emplace_back(l); };
  }
};

}  // namespace testing_support
