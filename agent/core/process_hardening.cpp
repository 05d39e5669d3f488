#include "agent/core/process_hardening.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace agent {

std::optional<std::string> harden_process() {
  std::optional<std::string> problem;
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) {
    problem = std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno);
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    problem = std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno);
  }
  return problem;
}

}  // namespace agent
