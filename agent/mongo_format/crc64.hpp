#pragma once

#include <cstddef>
#include <cstdint>

namespace agent::mongo_format {

// CRC-64/XZ (Go's crc64 with the ECMA table; mongodump's archive CRC, docs/mongodump-format.md
// section 3): reflected poly 0xC96C5795D7870F42, init and xorout all ones. `crc` is the value
// returned by the previous call (0 to start), so a stream can be fed in pieces. crc64_xz(0,
// "123456789", 9) == 0x995DC9BBDF1939FA.
std::uint64_t crc64_xz(std::uint64_t crc, const std::uint8_t* data, std::size_t size);

}  // namespace agent::mongo_format
