#include "agent/offsite/encrypting_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "age/encryptor.hpp"
#include "s3/digest.hpp"

namespace agent::offsite {
namespace {

constexpr std::size_t k_block = 1 << 20;
constexpr std::size_t k_page = 4096;

struct FreeDeleter {
  void operator()(std::uint8_t* p) const { std::free(p); }
};

}  // namespace

struct EncryptingFileSource::State {
  int fd = -1;
  std::string path;
  std::unique_ptr<std::uint8_t, FreeDeleter> block;
  std::size_t block_len = 0, block_pos = 0;
  std::uint64_t expected_size = 0;
  std::string expected_sha256;
  s3::Digest sha{s3::Digest::Algorithm::sha256};
  std::uint64_t plain = 0;
  std::string read_error;
  std::optional<age::EncryptingReader> reader;
  std::uint64_t cipher_done = 0;
  bool checked = false;
  ~State() {
    if (fd >= 0) ::close(fd);
  }
  // The encryptor's plaintext source: refills the aligned block from the file.
  std::optional<std::size_t> fill(std::span<std::uint8_t> out) {
    if (block_pos == block_len) {
      ssize_t n;
      do {
        n = ::read(fd, block.get(), k_block);
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        read_error = "cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
      }
      block_len = static_cast<std::size_t>(n);
      block_pos = 0;
      if (n == 0) return 0;
      sha.update(block.get(), block_len);
      plain += block_len;
    }
    const std::size_t n = std::min(out.size(), block_len - block_pos);
    std::memcpy(out.data(), block.get() + block_pos, n);
    block_pos += n;
    return n;
  }
};

tl::expected<std::unique_ptr<EncryptingFileSource>, std::string> EncryptingFileSource::open(
    const std::filesystem::path& file, std::vector<age::Recipient> recipients,
    std::uint64_t expected_size, std::string expected_sha256) {
  std::unique_ptr<EncryptingFileSource> src(new EncryptingFileSource());
  src->m = std::make_unique<State>();
  auto& s = *src->m;
  s.path = file.string();
  s.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (s.fd < 0) return tl::unexpected("cannot open " + s.path + ": " + std::strerror(errno));
  ::posix_fadvise(s.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  s.block.reset(static_cast<std::uint8_t*>(std::aligned_alloc(k_page, k_block)));
  if (!s.block) return tl::unexpected(std::string("out of memory for the read buffer"));
  s.expected_size = expected_size;
  s.expected_sha256 = std::move(expected_sha256);
  State* state = &s;
  auto reader = age::EncryptingReader::create(
      recipients, [state](std::span<std::uint8_t> out) { return state->fill(out); });
  if (!reader) return tl::unexpected("cannot start the encryption: " + reader.error().message);
  src->m_size = reader->encrypted_size(expected_size);
  s.reader.emplace(std::move(*reader));
  return src;
}

EncryptingFileSource::~EncryptingFileSource() = default;

tl::expected<std::size_t, std::string> EncryptingFileSource::read(char* out, std::size_t capacity) {
  auto& s = *m;
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(capacity, m_size - s.cipher_done));
  if (want == 0) return 0;
  auto n = s.reader->read({reinterpret_cast<std::uint8_t*>(out), want});
  if (!n) {
    return tl::unexpected(s.read_error.empty() ? "encryption failed: " + n.error().message
                                               : s.read_error);
  }
  s.cipher_done += *n;
  m_plain_done = s.plain;
  if (*n < want && s.cipher_done < m_size) {
    return tl::unexpected(s.path + " is shorter than its record says (" + std::to_string(s.plain) +
                          " of " + std::to_string(s.expected_size) +
                          " bytes): it changed after validation");
  }
  if (s.cipher_done == m_size && !s.checked) {
    s.checked = true;
    // Anything left in the file means it grew after validation.
    std::uint8_t probe;
    const bool more = s.block_pos < s.block_len || ::read(s.fd, &probe, 1) > 0;
    const std::string hex = s3::to_hex(s.sha.finish());
    if (more || s.plain != s.expected_size || hex != s.expected_sha256) {
      return tl::unexpected(s.path +
                            " no longer matches its local record (size or SHA-256 differ from "
                            "what was validated): it changed after validation, so it is not "
                            "copied off-site; run `pve-smokerbak validate` to re-check it");
    }
  }
  return *n;
}

}  // namespace agent::offsite
