#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "age/keys.hpp"
#include "http/body.hpp"

// An upload body: a local backup file read in page-aligned 1 MiB blocks, encrypted to the
// destination's age recipients as it is read (age v1, streamed: memory stays flat), and its
// plaintext hashed on the way. The last read fails when the file's SHA-256 or size differ from
// the local record's, so an upload of bytes other than the validated ones never completes.
namespace agent::offsite {

class EncryptingFileSource final : public http::BodySource {
 public:
  // `expected_size`/`expected_sha256` (lowercase hex): from the backup's local record.
  static tl::expected<std::unique_ptr<EncryptingFileSource>, std::string> open(
      const std::filesystem::path& file, std::vector<age::Recipient> recipients,
      std::uint64_t expected_size, std::string expected_sha256);
  ~EncryptingFileSource() override;

  std::uint64_t size() const override { return m_size; }
  tl::expected<std::size_t, std::string> read(char* out, std::size_t capacity) override;
  // Each attempt is a new age file (fresh file key), so a repeat cannot re-send the same
  // bytes: the uploader never repeats a body it cannot rewind.
  bool rewind() override { return false; }

  std::uint64_t plaintext_read() const { return m_plain_done; }

 private:
  EncryptingFileSource() = default;
  struct State;
  std::unique_ptr<State> m;
  std::uint64_t m_size = 0;
  std::uint64_t m_plain_done = 0;
};

}  // namespace agent::offsite
