#include "age/header_mac.hpp"

#include "age/crypto.hpp"

namespace age {

Result<std::array<std::uint8_t, 32>> header_mac(const FileKey& file_key,
                                                std::span<const std::uint8_t> mac_input) {
  auto key = crypto::hkdf_sha256(file_key.span(), {}, "header");
  if (!key) return tl::unexpected(key.error());
  return crypto::hmac_sha256(key->span(), mac_input);
}

}  // namespace age
