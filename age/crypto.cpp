#include "age/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <limits>
#include <string>

namespace age::crypto {
namespace {

// OpenSSL's last error, for messages (never contains key material).
std::string openssl_error(std::string_view what) {
  std::string out = "OpenSSL: " + std::string(what);
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    out += " (";
    out += buf.data();
    out += ")";
  }
  ERR_clear_error();
  return out;
}

tl::unexpected<Error> crypto_failure(std::string_view what) {
  return fail(Error::Kind::crypto, openssl_error(what));
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct KdfDeleter {
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
};
struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};
struct MacDeleter {
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct CipherDeleter {
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
};
struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

Pkey private_key(const Scalar& scalar) {
  return Pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), 32));
}

}  // namespace

Result<void> random_bytes(std::span<std::uint8_t> out) {
  if (out.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return fail(Error::Kind::misuse, "random_bytes: request too large");
  }
  if (RAND_priv_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return crypto_failure("the random number generator failed");
  }
  return {};
}

Result<Point> x25519_public(const Scalar& scalar) {
  const Pkey key = private_key(scalar);
  if (!key) return crypto_failure("cannot load an X25519 private key");
  Point out{};
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), out.data(), &len) != 1 || len != out.size()) {
    return crypto_failure("cannot compute an X25519 public key");
  }
  return out;
}

Result<Key32> x25519(const Scalar& scalar, const Point& peer) {
  const Pkey key = private_key(scalar);
  const Pkey peer_key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
  if (!key || !peer_key) return crypto_failure("cannot load an X25519 key");
  const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) {
    return crypto_failure("cannot set up X25519 key agreement");
  }
  if (EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1) {
    ERR_clear_error();
    return fail(Error::Kind::malformed_header, "the X25519 share is not a usable public key");
  }
  Key32 out;
  std::size_t len = out.size();
  // OpenSSL refuses an all-zero shared secret (RFC 7748 section 6.1: a low-order point); the
  // check below makes that rule ours rather than an OpenSSL detail.
  const bool derived = EVP_PKEY_derive(ctx.get(), out.data(), &len) == 1 && len == out.size();
  ERR_clear_error();
  static const std::array<std::uint8_t, 32> k_zero{};
  if (!derived || CRYPTO_memcmp(out.data(), k_zero.data(), k_zero.size()) == 0) {
    return fail(Error::Kind::malformed_header,
                "an X25519 share is a low-order point (the shared secret would be all zeros)");
  }
  return out;
}

Result<Key32> hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                          std::string_view info) {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr);
  if (kdf == nullptr) return crypto_failure("HKDF is not available");
  const std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return crypto_failure("cannot create an HKDF context");
  std::array<OSSL_PARAM, 5> params{};
  std::size_t n = 0;
  params[n++] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(SN_sha256), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), ikm.size());
  // Without a salt OpenSSL uses RFC 5869's default (HashLen zero bytes), which is the same
  // HMAC key as an empty salt.
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                  const_cast<char*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  Key32 out;
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) != 1) {
    return crypto_failure("HKDF-SHA-256 failed");
  }
  return out;
}

Result<std::array<std::uint8_t, 32>> hmac_sha256(std::span<const std::uint8_t> key,
                                                 std::span<const std::uint8_t> data) {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (mac == nullptr) return crypto_failure("HMAC is not available");
  const std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) return crypto_failure("cannot create an HMAC context");
  std::array<OSSL_PARAM, 2> params{};
  params[0] =
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(SN_sha256), 0);
  params[1] = OSSL_PARAM_construct_end();
  std::array<std::uint8_t, 32> out{};
  std::size_t len = 0;
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params.data()) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    return crypto_failure("HMAC-SHA-256 failed");
  }
  return out;
}

bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct Aead::Impl {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx;
  Direction direction = Direction::seal;
};

Aead::Aead(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Aead::Aead(Aead&&) noexcept = default;
Aead& Aead::operator=(Aead&&) noexcept = default;
Aead::~Aead() = default;

Result<Aead> Aead::create(const Key32& key, Direction direction) {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  if (cipher == nullptr) return crypto_failure("ChaCha20-Poly1305 is not available");
  auto impl = std::make_unique<Impl>();
  impl->direction = direction;
  impl->ctx.reset(EVP_CIPHER_CTX_new());
  const int enc = direction == Direction::seal ? 1 : 0;
  if (!impl->ctx ||
      EVP_CipherInit_ex2(impl->ctx.get(), cipher, key.data(), nullptr, enc, nullptr) != 1) {
    return crypto_failure("cannot set up ChaCha20-Poly1305");
  }
  return Aead(std::move(impl));
}

Result<void> Aead::seal(const Nonce12& nonce, std::span<const std::uint8_t> plaintext,
                        std::span<std::uint8_t> out) {
  EVP_CIPHER_CTX* ctx = m_impl->ctx.get();
  if (m_impl->direction != Direction::seal || out.size() != plaintext.size() + k_tag_size ||
      plaintext.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return fail(Error::Kind::misuse, "Aead::seal: wrong direction or buffer size");
  }
  int len = 0;
  int final_len = 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce.data(), 1, nullptr) != 1 ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx, out.data(), &len, plaintext.data(),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx, out.data() + len, &final_len) != 1 ||
      static_cast<std::size_t>(len + final_len) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(k_tag_size),
                          out.data() + plaintext.size()) != 1) {
    return crypto_failure("ChaCha20-Poly1305 encryption failed");
  }
  return {};
}

Result<bool> Aead::open(const Nonce12& nonce, std::span<const std::uint8_t> sealed,
                        std::span<std::uint8_t> out) {
  EVP_CIPHER_CTX* ctx = m_impl->ctx.get();
  if (m_impl->direction != Direction::open || sealed.size() < k_tag_size ||
      out.size() != sealed.size() - k_tag_size ||
      sealed.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return fail(Error::Kind::misuse, "Aead::open: wrong direction or buffer size");
  }
  const std::size_t text_size = sealed.size() - k_tag_size;
  // OpenSSL takes the expected tag through a non-const pointer; copy it.
  std::array<std::uint8_t, k_tag_size> tag{};
  std::copy(sealed.begin() + static_cast<std::ptrdiff_t>(text_size), sealed.end(), tag.begin());
  int len = 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce.data(), 0, nullptr) != 1 ||
      (text_size > 0 &&
       EVP_DecryptUpdate(ctx, out.data(), &len, sealed.data(), static_cast<int>(text_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(k_tag_size), tag.data()) !=
          1) {
    wipe(out.data(), out.size());
    return crypto_failure("ChaCha20-Poly1305 decryption failed");
  }
  int final_len = 0;
  const bool authentic = EVP_DecryptFinal_ex(ctx, out.data() + len, &final_len) == 1;
  ERR_clear_error();
  if (!authentic) {
    wipe(out.data(), out.size());
    return false;
  }
  return true;
}

}  // namespace age::crypto
