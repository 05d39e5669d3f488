#include "agent/core/secret_memory.hpp"

#include <string.h>

namespace agent {

void wipe(std::string& secret) {
  secret.resize(secret.capacity());  // no reallocation: the same buffer, all of it in range
  ::explicit_bzero(secret.data(), secret.size());
  secret.clear();
}

}  // namespace agent
