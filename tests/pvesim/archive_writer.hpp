#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <tl/expected.hpp>

namespace pvesim {

enum class Compression { none, gzip, zstd };

// Writes a real vzdump-like LXC archive to `path`: a ustar stream with a few small files
// (./etc/hostname, ./etc/pve-smokerbak-sim, ...) and one bulk file whose contents come from a
// fast deterministic generator seeded by `seed`, about `payload_bytes` in total, ending with
// the two zero blocks of the end-of-archive marker. zstd frames carry a content checksum.
// `truncate` cuts the finished file to half its size (the truncated_archive fault).
// `pct_conf`, when not empty, is the first member, ./etc/vzdump/pct.conf, as pve-container's
// VZDump/LXC.pm archive puts it first. Returns the size of the file written.
tl::expected<std::uint64_t, std::string> write_archive(const std::filesystem::path& path,
                                                       Compression compression,
                                                       std::uint64_t payload_bytes,
                                                       std::uint64_t seed,
                                                       const std::string& hostname, bool truncate,
                                                       const std::string& pct_conf = "");

// The contents of tar member `name` found within the first `scan_bytes` of the (zstd, gzip
// or plain, by content) tar stream in `path`; nullopt when it is not there.
std::optional<std::string> read_archive_member(const std::filesystem::path& path,
                                               const std::string& name,
                                               std::size_t scan_bytes = 1 << 20);

}  // namespace pvesim
