#include "agent/mongo_format/crc64.hpp"

#include <isa-l/crc64.h>

namespace agent::mongo_format {

// ISA-L's crc64_ecma_refl inverts on entry and exit, which is exactly the XZ convention and
// makes chaining work (checked by the test vector in tests/mongo_format).
std::uint64_t crc64_xz(std::uint64_t crc, const std::uint8_t* data, std::size_t size) {
  return crc64_ecma_refl(crc, data, size);
}

}  // namespace agent::mongo_format
