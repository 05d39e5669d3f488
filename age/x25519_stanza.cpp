#include "age/x25519_stanza.hpp"

#include <algorithm>

#include "age/base64.hpp"
#include "age/crypto.hpp"

namespace age {
namespace {

constexpr std::string_view k_label = "age-encryption.org/v1/X25519";
constexpr crypto::Nonce12 k_zero_nonce{};

Result<crypto::Key32> wrap_key(const crypto::Key32& shared, const crypto::Point& share,
                               const crypto::Point& recipient) {
  std::array<std::uint8_t, 64> salt{};
  std::copy(share.begin(), share.end(), salt.begin());
  std::copy(recipient.begin(), recipient.end(), salt.begin() + 32);
  return crypto::hkdf_sha256(shared.span(), salt, k_label);
}

}  // namespace

Result<Stanza> wrap_x25519(const FileKey& file_key, const Recipient& recipient) {
  crypto::Scalar ephemeral;
  if (auto ok = crypto::random_bytes(ephemeral.span()); !ok) return tl::unexpected(ok.error());
  auto share = crypto::x25519_public(ephemeral);
  if (!share) return tl::unexpected(share.error());
  auto shared = crypto::x25519(ephemeral, recipient.bytes());
  if (!shared) {
    // Our own recipient list, not an input file: a low-order recipient key.
    return fail(Error::Kind::invalid_key, "recipient " + recipient.to_string() +
                                              " is not a usable X25519 public key (low order)");
  }
  auto key = wrap_key(*shared, *share, recipient.bytes());
  if (!key) return tl::unexpected(key.error());
  auto aead = crypto::Aead::create(*key, crypto::Aead::Direction::seal);
  if (!aead) return tl::unexpected(aead.error());
  Stanza stanza;
  stanza.type = std::string(k_x25519_type);
  stanza.args.push_back(base64::encode_unpadded(*share));
  stanza.body.resize(file_key.size() + crypto::k_tag_size);
  if (auto ok = aead->seal(k_zero_nonce, file_key.span(), stanza.body); !ok) {
    return tl::unexpected(ok.error());
  }
  return stanza;
}

Result<void> check_x25519_stanza(const Stanza& stanza) {
  if (stanza.args.size() != 1) {
    return fail(Error::Kind::malformed_header, "malformed age header: an X25519 stanza has " +
                                                   std::to_string(stanza.args.size()) +
                                                   " arguments after the type; it needs 1");
  }
  const auto share = base64::decode_unpadded(stanza.args[0]);
  if (!share || share->size() != 32) {
    return fail(Error::Kind::malformed_header,
                "malformed age header: an X25519 share is not canonical base64 of 32 bytes");
  }
  // Checked before any decryption attempt (a partitioning-oracle defence the spec requires).
  if (stanza.body.size() != 32) {
    return fail(Error::Kind::malformed_header, "malformed age header: an X25519 stanza body is " +
                                                   std::to_string(stanza.body.size()) +
                                                   " bytes; it must be 32");
  }
  return {};
}

Result<std::optional<FileKey>> unwrap_x25519(std::span<const Stanza> stanzas,
                                             const Identity& identity) {
  for (const Stanza& stanza : stanzas) {
    if (stanza.type != k_x25519_type) continue;
    if (auto ok = check_x25519_stanza(stanza); !ok) return tl::unexpected(ok.error());
    crypto::Point share{};
    const auto decoded = base64::decode_unpadded(stanza.args[0]);
    std::copy(decoded->begin(), decoded->end(), share.begin());
    auto shared = crypto::x25519(identity.scalar(), share);
    if (!shared) return tl::unexpected(shared.error());
    auto key = wrap_key(*shared, share, identity.recipient().bytes());
    if (!key) return tl::unexpected(key.error());
    auto aead = crypto::Aead::create(*key, crypto::Aead::Direction::open);
    if (!aead) return tl::unexpected(aead.error());
    FileKey file_key;
    auto opened = aead->open(k_zero_nonce, stanza.body, file_key.span());
    if (!opened) return tl::unexpected(opened.error());
    if (*opened) return std::optional<FileKey>(file_key);
  }
  return std::optional<FileKey>();
}

}  // namespace age
