#include "agent/core/installation_id.hpp"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "agent/core/atomic_file.hpp"

namespace agent {
namespace {

bool valid_id(const std::string& id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string new_id() {
  std::random_device device;  // the kernel's getrandom()
  std::ostringstream out;
  for (int i = 0; i < 4; ++i) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(device()));
    out << buf;
  }
  return out.str();
}

}  // namespace

std::string read_installation_id(const std::filesystem::path& state_dir) {
  std::ifstream in(state_dir / k_installation_id_file);
  if (!in) return {};
  std::string id;
  std::getline(in, id);
  return valid_id(id) ? id : std::string();
}

tl::expected<std::string, std::string> installation_id(const std::filesystem::path& state_dir) {
  const auto file = state_dir / k_installation_id_file;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::string id = read_installation_id(state_dir);
    if (id.empty()) {
      return tl::unexpected(file.string() +
                            " does not hold an installation id (32 hex digits); restore it from "
                            "a backup of state_dir, or remove it to start a new identity (the "
                            "agent then no longer owns what the old id tagged)");
    }
    return id;
  }
  std::string id = new_id();
  if (auto err = write_file_atomically(file, id + "\n", 0644)) return tl::unexpected(*err);
  return id;
}

}  // namespace agent
