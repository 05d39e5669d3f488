#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace agent {

// Replaces `path` with `content` so that readers see either the old or the new file, never a
// torn one: writes a temp file in the same directory, fsyncs it, renames it over `path`, and
// fsyncs the directory. Creates missing parent directories. Returns an error text on failure
// (the old file is then untouched). Private (0600) unless `mode` says otherwise: only the
// metrics file, which node-exporter reads, is 0644.
std::optional<std::string> write_file_atomically(const std::filesystem::path& path,
                                                 std::string_view content, unsigned mode = 0600);

}  // namespace agent
