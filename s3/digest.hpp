#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

// Incremental MD5 and SHA-256 (OpenSSL EVP underneath) and the encodings S3 uses for them:
// hex in ETags and x-amz-content-sha256, base64 in Content-MD5 and x-amz-checksum-sha256.
namespace s3 {

class Digest {
 public:
  enum class Algorithm { md5, sha256 };
  explicit Digest(Algorithm algorithm);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The raw digest; the object is reset and can be reused afterwards.
  std::string finish();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

std::string md5(std::string_view data);     // raw 16 bytes
std::string sha256(std::string_view data);  // raw 32 bytes
std::string to_hex(std::string_view raw);   // lowercase
std::string to_base64(std::string_view raw);
// Raw bytes from padded standard base64; empty when `text` is not that.
std::string from_base64(std::string_view text);
// Raw bytes from lowercase/uppercase hex; empty when `hex` is not even-length hex.
std::string from_hex(std::string_view hex);

// The SHA-256 of nothing, the payload hash of bodiless requests.
inline constexpr std::string_view k_empty_sha256_hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace s3
