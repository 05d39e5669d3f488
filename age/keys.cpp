#include "age/keys.hpp"

#include <algorithm>

#include "age/bech32.hpp"
#include "age/crypto.hpp"

namespace age {
namespace {

constexpr std::string_view k_recipient_hrp = "age";
constexpr std::string_view k_identity_hrp = "AGE-SECRET-KEY-";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string quoted(std::string_view text) {
  // Public text, but still from outside: keep messages one short, printable line.
  std::string out = "\"";
  for (char c : text.substr(0, 100)) {
    out += (c >= 32 && c <= 126) ? c : '?';
  }
  if (text.size() > 100) out += "...";
  out += "\"";
  return out;
}

}  // namespace

Result<Recipient> Recipient::parse(std::string_view text) {
  const std::string q = quoted(text);
  if (starts_with(text, "age1pq1")) {
    return fail(Error::Kind::unsupported,
                "recipient " + q +
                    " is a post-quantum (ML-KEM hybrid) key, which this agent does not support; "
                    "use an X25519 key from `age-keygen` (without -pq)");
  }
  if (starts_with(text, "ssh-") || starts_with(text, "ecdsa-")) {
    return fail(Error::Kind::unsupported, "recipient " + q +
                                              " is an SSH public key, which this agent does not "
                                              "support; use an X25519 key from `age-keygen`");
  }
  std::string head(text.substr(0, 15));
  std::transform(head.begin(), head.end(), head.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; });
  if (head == "AGE-SECRET-KEY-") {
    return fail(
        Error::Kind::invalid_key,
        "a recipient is an age SECRET key, not a public key: give the \"age1...\" public "
        "key instead (`age-keygen -y FILE` prints it) and keep the secret key off this host");
  }
  std::size_t position = 0;
  const auto decoded = bech32::decode(text, &position);
  if (!decoded) {
    return fail(Error::Kind::invalid_key, "recipient " + q + " is not an age public key: it " +
                                              bech32::describe(decoded.error()));
  }
  if (decoded->hrp != k_recipient_hrp) {
    if (starts_with(decoded->hrp, "age1")) {
      return fail(Error::Kind::unsupported,
                  "recipient " + q + " is for an age plugin, which this agent does not support");
    }
    return fail(Error::Kind::invalid_key,
                "recipient " + q + " is not an age public key (it must start with \"age1\")");
  }
  if (decoded->data.size() != 32) {
    return fail(Error::Kind::invalid_key, "recipient " + q + " encodes " +
                                              std::to_string(decoded->data.size()) +
                                              " bytes; an X25519 public key has 32");
  }
  Recipient r;
  std::copy(decoded->data.begin(), decoded->data.end(), r.m_point.begin());
  return r;
}

Recipient Recipient::from_bytes(const std::array<std::uint8_t, 32>& point) {
  Recipient r;
  r.m_point = point;
  return r;
}

std::string Recipient::to_string() const {
  std::string out;
  bech32::encode(k_recipient_hrp, m_point, out);
  return out;
}

Result<Identity> Identity::from_scalar(const SecretBytes<32>& scalar) {
  auto point = crypto::x25519_public(scalar);
  if (!point) return tl::unexpected(point.error());
  Identity id;
  id.m_scalar = scalar;
  id.m_recipient = Recipient::from_bytes(*point);
  return id;
}

Result<Identity> Identity::generate() {
  SecretBytes<32> scalar;
  if (auto ok = crypto::random_bytes(scalar.span()); !ok) return tl::unexpected(ok.error());
  return from_scalar(scalar);
}

Result<Identity> Identity::parse(std::string_view text) {
  if (starts_with(text, "AGE-SECRET-KEY-PQ-1")) {
    return fail(Error::Kind::unsupported,
                "the identity is a post-quantum (ML-KEM hybrid) key, which this agent does not "
                "support; use an X25519 identity from `age-keygen` (without -pq)");
  }
  if (starts_with(text, "AGE-PLUGIN-")) {
    return fail(Error::Kind::unsupported,
                "the identity is an age plugin identity, which this agent does not support");
  }
  if (!starts_with(text, "AGE-SECRET-KEY-1")) {
    return fail(Error::Kind::invalid_key,
                starts_with(text, "age1")
                    ? std::string("the identity is a public key (age1...); decryption needs the "
                                  "secret key (AGE-SECRET-KEY-1...)")
                    : std::string("the identity is not an age secret key (it must start with "
                                  "\"AGE-SECRET-KEY-1\", upper case)"));
  }
  const auto decoded = bech32::decode(text);
  if (!decoded) {
    return fail(Error::Kind::invalid_key,
                std::string("the age secret key ") + bech32::describe(decoded.error()));
  }
  if (decoded->hrp != k_identity_hrp) {
    return fail(Error::Kind::invalid_key, "the age secret key has an unexpected prefix");
  }
  if (decoded->data.size() != 32) {
    return fail(Error::Kind::invalid_key, "the age secret key encodes " +
                                              std::to_string(decoded->data.size()) +
                                              " bytes; an X25519 secret key has 32");
  }
  SecretBytes<32> scalar;
  std::copy(decoded->data.begin(), decoded->data.end(), scalar.data());
  return from_scalar(scalar);
}

SecretString Identity::to_string() const {
  // bech32::encode reserves the final size, so the secret text is never reallocated.
  std::string text;
  bech32::encode(k_identity_hrp, m_scalar.span(), text);
  SecretString out(text.size());
  out.append(text);
  wipe(text.data(), text.capacity());
  return out;
}

}  // namespace age
