#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "age/error.hpp"
#include "age/secret.hpp"

// age's native X25519 keys. A Recipient is a public key ("age1…", Bech32 with HRP "age"); an
// Identity is the secret scalar ("AGE-SECRET-KEY-1…", HRP "AGE-SECRET-KEY-", upper case) and
// knows its Recipient. Parsers accept exactly what the age tool accepts, so a key that works
// here also works with `age` on a recovery machine.
namespace age {

class Recipient {
 public:
  // Parses "age1…". Errors (Kind::invalid_key, or unsupported for post-quantum "age1pq1…",
  // plugin "age1<name>1…" and SSH keys) quote the text: a public key is not a secret.
  static Result<Recipient> parse(std::string_view text);
  // A raw Curve25519 point.
  static Recipient from_bytes(const std::array<std::uint8_t, 32>& point);

  const std::array<std::uint8_t, 32>& bytes() const { return m_point; }
  // The "age1…" encoding.
  std::string to_string() const;

  friend bool operator==(const Recipient&, const Recipient&) = default;

 private:
  std::array<std::uint8_t, 32> m_point{};
};

class Identity {
 public:
  // Parses "AGE-SECRET-KEY-1…". Errors never contain the text or any part of it; they say
  // what kind of mistake it is (wrong prefix, checksum, length, ...).
  static Result<Identity> parse(std::string_view text);
  // A fresh identity from the CSPRNG.
  static Result<Identity> generate();
  // From a raw 32-byte scalar (tests and fuzz targets use fixed ones).
  static Result<Identity> from_scalar(const SecretBytes<32>& scalar);

  const Recipient& recipient() const { return m_recipient; }
  const SecretBytes<32>& scalar() const { return m_scalar; }
  // The "AGE-SECRET-KEY-1…" encoding. A secret: never log it.
  SecretString to_string() const;

 private:
  Identity() = default;
  SecretBytes<32> m_scalar;
  Recipient m_recipient;
};

}  // namespace age
