#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace pvesim {

enum class Compression { none, gzip, zstd };

// Writes a real vzdump-like LXC archive to `path`: a ustar stream with a few small files
// (./etc/hostname, ./etc/pve-smokerbak-sim, ...) and one bulk file whose contents come from a
// fast deterministic generator seeded by `seed`, about `payload_bytes` in total, ending with
// the two zero blocks of the end-of-archive marker. zstd frames carry a content checksum.
// `truncate` cuts the finished file to half its size (the truncated_archive fault).
// Returns the size of the file written.
tl::expected<std::uint64_t, std::string> write_archive(const std::filesystem::path& path,
                                                       Compression compression,
                                                       std::uint64_t payload_bytes,
                                                       std::uint64_t seed,
                                                       const std::string& hostname, bool truncate);

}  // namespace pvesim
