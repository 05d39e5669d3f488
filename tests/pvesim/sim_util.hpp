#pragma once

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

// Small helpers shared by the simulator's files.
namespace pvesim::util {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// "vzdump-lxc-106-....tar.zst" -> "vzdump-lxc-106-..." (Storage.pm archive_info's logfilename).
inline std::string basename_of(const std::string& archive) {
  static const std::regex ext(R"(\.(tgz|(tar|vma)(\.(gz|lzo|zst|bz2))?)$)");
  return std::regex_replace(archive, ext, "");
}

// strftime("%FT%TZ", gmtime(epoch)), the PBS snapshot time (PBSPlugin.pm print_volid).
inline std::string iso_utc(std::int64_t epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace pvesim::util
