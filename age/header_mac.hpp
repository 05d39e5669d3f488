#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "age/error.hpp"
#include "age/secret.hpp"

namespace age {

// HMAC-SHA-256 over the header through "---", keyed with
// HKDF-SHA-256(ikm = file key, salt = empty, info = "header").
Result<std::array<std::uint8_t, 32>> header_mac(const FileKey& file_key,
                                                std::span<const std::uint8_t> mac_input);

}  // namespace age
