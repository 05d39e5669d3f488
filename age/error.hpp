#pragma once

#include <string>

#include <tl/expected.hpp>

// Errors of the age library, as values. Messages say what is wrong and, where it helps, what
// to do; they never contain secret key material (an identity's text or bytes, a file key).
namespace age {

struct Error {
  enum class Kind {
    invalid_key,          // a recipient, identity, recipients file or identity file is malformed
    unsupported,          // valid age, but a feature this library leaves out (scrypt passphrases,
                          // post-quantum, plugin or SSH keys, another format version)
    malformed_header,     // the header breaks the v1 grammar, exceeds the size bound, or one of
                          // its X25519 stanzas is invalid (bad share, low-order point, bad body)
    no_identity_matched,  // the header is fine but none of the identities unwraps the file key
    header_mac_mismatch,  // a file key was unwrapped but the header MAC is wrong: header altered
    truncated,            // the input ended inside the header or nonce, or after a whole chunk
                          // that was not marked final (a cut at a chunk boundary)
    payload_damaged,      // a payload chunk does not authenticate (altered, or the last chunk was
                          // cut or extended), or breaks the chunk rules (empty last chunk)
    trailing_data,        // bytes follow the authenticated final chunk
    armor_malformed,      // the ASCII armor (PEM) around the file is not strict RFC 7468 age armor
    aborted,              // the caller's sink or source stopped the stream
    misuse,               // the API was used out of order (update after finish, no recipients)
    crypto,               // OpenSSL failed or gave no randomness: the environment, not the input
    io,                   // a key file could not be read
  };
  Kind kind = Kind::malformed_header;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Short stable name of a kind ("no_identity_matched"), for logs and JSON.
const char* kind_name(Error::Kind kind);

// Shorthand for building an unexpected value.
inline tl::unexpected<Error> fail(Error::Kind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message)});
}

}  // namespace age
