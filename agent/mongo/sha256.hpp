#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace agent::mongo {

// Incremental SHA-256 (OpenSSL EVP underneath, kept out of this header).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const std::uint8_t* data, std::size_t size);
  // Lower-case hex digest; call once.
  std::string finish_hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace agent::mongo
