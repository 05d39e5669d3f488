#include "agent/core/installation_id.hpp"

#include <algorithm>
#include <fstream>
#include <random>
#include <system_error>

#include "agent/core/atomic_file.hpp"

namespace agent {

bool is_installation_id(std::string_view text) {
  return text.size() == k_installation_id_chars &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::filesystem::path installation_id_path(const std::filesystem::path& state_dir) {
  return state_dir / "installation-id";
}

tl::expected<std::optional<std::string>, std::string> read_installation_id(
    const std::filesystem::path& state_dir) {
  const auto path = installation_id_path(state_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec) return tl::unexpected("cannot check " + path.string() + ": " + ec.message());
    return std::optional<std::string>();
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    // An empty file reads as no line at all: damaged as much as one with garbage.
    if (!in.eof()) return tl::unexpected("cannot read " + path.string());
  }
  if (!is_installation_id(line)) {
    return tl::unexpected(path.string() +
                          " does not hold an installation id (twelve characters 0-9 a-f): "
                          "restore it from a backup of state_dir, or delete it to make a new "
                          "one (archives tagged with the old id then count as foreign: never "
                          "pruned)");
  }
  return std::optional<std::string>(line);
}

tl::expected<std::string, std::string> ensure_installation_id(
    const std::filesystem::path& state_dir) {
  auto existing = read_installation_id(state_dir);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing) return **existing;
  std::random_device random;  // /dev/urandom on Linux (libstdc++)
  std::string id;
  static constexpr char k_hex[] = "0123456789abcdef";
  while (id.size() < k_installation_id_chars) {
    auto bits = random();
    for (int i = 0; i < 8 && id.size() < k_installation_id_chars; ++i, bits >>= 4) {
      id += k_hex[bits & 0xF];
    }
  }
  if (auto e = write_file_atomically(installation_id_path(state_dir), id + "\n", 0644)) {
    return tl::unexpected("cannot write the installation id: " + *e);
  }
  return id;
}

}  // namespace agent
