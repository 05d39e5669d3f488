#include "agent/config/file_trust.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace agent {
namespace {

namespace fs = std::filesystem;

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

bool trusted_owner(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

// The problem with one directory above a trusted file, or nullopt.
std::optional<std::string> directory_problem(const fs::path& dir, const fs::path& file,
                                             std::string_view what) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return std::string(what) + " " + file.string() + ": cannot check directory " + dir.string() +
           ": " + std::strerror(errno);
  }
  if (!trusted_owner(st.st_uid)) {
    return std::string(what) + " " + file.string() + ": directory " + dir.string() +
           " is owned by uid " + std::to_string(st.st_uid) +
           ", who could replace the file; fix with: chown root " + dir.string();
  }
  const bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  const bool sticky_root = (st.st_mode & S_ISVTX) != 0 && st.st_uid == 0;
  if (others_write && !sticky_root) {
    return std::string(what) + " " + file.string() + ": directory " + dir.string() + " (mode " +
           octal(st.st_mode) +
           ") is writable by group or others, who could replace the file; fix with: chmod "
           "go-w " +
           dir.string();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> untrusted_file_problem(const fs::path& file, std::string_view what) {
  std::error_code ec;
  const fs::path real = fs::canonical(file, ec);
  if (ec) return std::nullopt;  // the caller's own open reports a missing or unreadable file
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return std::nullopt;
  const std::string name = file.string() + (real == file ? "" : " (" + real.string() + ")");
  if (!trusted_owner(st.st_uid)) {
    return std::string(what) + " " + name + ": owned by uid " + std::to_string(st.st_uid) +
           ", who could change what the agent does with root's rights; fix with: chown "
           "root:root " +
           real.string();
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return std::string(what) + " " + name + ": mode " + octal(st.st_mode) +
           " lets group or others change it (and so point the agent at their own server, "
           "which then receives the API token); fix with: chmod go-w " +
           real.string();
  }
  for (fs::path dir = real.parent_path();; dir = dir.parent_path()) {
    if (auto problem = directory_problem(dir, file, what)) return problem;
    if (dir == dir.root_path() || dir.empty()) break;
  }
  return std::nullopt;
}

std::optional<std::string> open_directory_problem(const fs::path& dir, std::string_view key) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) == 0) return std::nullopt;
  return std::string(key) + " " + dir.string() + " has mode " + octal(st.st_mode) +
         ": group or others can read what the agent keeps there (backups hold the whole "
         "database); new ones are created 0700; fix with: chmod 700 " +
         dir.string();
}

}  // namespace agent
