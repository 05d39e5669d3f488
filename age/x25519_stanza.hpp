#pragma once

#include <optional>
#include <span>

#include "age/error.hpp"
#include "age/header.hpp"
#include "age/keys.hpp"
#include "age/secret.hpp"

// The X25519 recipient stanza (C2SP age, "The X25519 recipient type"):
//   -> X25519 <base64 ephemeral share>
//   <base64 of ChaCha20-Poly1305(wrap key, zero nonce, file key)>
// wrap key = HKDF-SHA-256(ikm = X25519(e, R), salt = share || R, info
// "age-encryption.org/v1/X25519").
namespace age {

inline constexpr std::string_view k_x25519_type = "X25519";

// A stanza wrapping `file_key` to `recipient` with a fresh ephemeral secret.
Result<Stanza> wrap_x25519(const FileKey& file_key, const Recipient& recipient);

// Kind::malformed_header when an X25519 stanza breaks the rules every implementation must
// enforce: exactly one argument, canonical base64 of 32 bytes, a 32-byte body.
Result<void> check_x25519_stanza(const Stanza& stanza);

// Tries `identity` on every X25519 stanza (other types are skipped). nullopt when none is
// addressed to it. Errors: malformed_header (a low-order share), crypto.
Result<std::optional<FileKey>> unwrap_x25519(std::span<const Stanza> stanzas,
                                             const Identity& identity);

}  // namespace age
