#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

// Verifies a vzdump container archive on the local disk in one streaming pass: decompresses it
// (libzstd for .tar.zst, zlib for .tar.gz/.tgz, none for .tar), walks every tar header to the
// end-of-archive marker and computes the SHA-256 of the file as stored.
namespace agent {

enum class ArchiveVerdict {
  verified,     // decompressed completely (frame checksums included) and the tar walk ended
  corrupt,      // truncated or damaged: decompression or the tar walk failed
  unreadable,   // the file cannot be opened or read
  unsupported,  // a compression the agent cannot check (.tar.lzo)
};

// "verified", "corrupt", "unreadable", "unsupported" (the backup record's "verdict").
const char* to_string(ArchiveVerdict verdict);
std::optional<ArchiveVerdict> parse_archive_verdict(std::string_view text);

struct ArchiveCheck {
  ArchiveVerdict verdict = ArchiveVerdict::unreadable;
  std::string problem;            // why, when not verified
  std::string compression;        // "zstd", "gzip", "none", "lzo"
  std::uint64_t file_bytes = 0;   // bytes read from the file
  std::uint64_t tar_bytes = 0;    // uncompressed bytes walked
  std::uint64_t tar_entries = 0;  // tar headers (files, directories, pax headers, ...)
  std::string sha256;             // lowercase hex of the whole file; empty unless fully read
};

// `on_read`, when set, is called with the size of each block read from the file (for
// progress lines on large archives; agent/core/progress.hpp).
ArchiveCheck verify_archive(const std::filesystem::path& path,
                            const std::function<void(std::uint64_t bytes)>& on_read = {});

}  // namespace agent
