#include "age/stream.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "age/crypto.hpp"

namespace age {
namespace {

constexpr std::size_t k_tag = crypto::k_tag_size;
// How many appended bytes the failure path looks for behind a short final chunk, so that a
// stray newline or CRLF after the file is reported as trailing data rather than damage. Each
// probe is one more authentication attempt, done only when a chunk has already failed.
constexpr std::size_t k_trailing_probe = 64;

crypto::Nonce12 chunk_nonce(std::uint64_t index, bool final) {
  crypto::Nonce12 nonce{};
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<std::uint8_t>(index >> (8 * i));
  nonce[11] = final ? 1 : 0;
  return nonce;
}

Result<crypto::Key32> payload_key(const FileKey& file_key, const PayloadNonce& nonce) {
  return crypto::hkdf_sha256(file_key.span(), nonce, "payload");
}

std::string chunk_name(std::uint64_t index) { return "chunk " + std::to_string(index + 1); }

}  // namespace

std::uint64_t payload_size(std::uint64_t plaintext_size) {
  const std::uint64_t chunks =
      std::max<std::uint64_t>(1, (plaintext_size + k_chunk_size - 1) / k_chunk_size);
  return k_payload_nonce_size + plaintext_size + chunks * k_tag;
}

// ---- ChunkSealer ----

struct ChunkSealer::State {
  explicit State(crypto::Aead a) : aead(std::move(a)) {}
  crypto::Aead aead;
  std::uint64_t index = 0;
  bool finished = false;
};

ChunkSealer::ChunkSealer(std::unique_ptr<State> state) : m(std::move(state)) {}
ChunkSealer::ChunkSealer(ChunkSealer&&) noexcept = default;
ChunkSealer& ChunkSealer::operator=(ChunkSealer&&) noexcept = default;
ChunkSealer::~ChunkSealer() = default;

Result<ChunkSealer> ChunkSealer::create(const FileKey& file_key, const PayloadNonce& nonce) {
  auto key = payload_key(file_key, nonce);
  if (!key) return tl::unexpected(key.error());
  auto aead = crypto::Aead::create(*key, crypto::Aead::Direction::seal);
  if (!aead) return tl::unexpected(aead.error());
  return ChunkSealer(std::make_unique<State>(std::move(*aead)));
}

Result<void> ChunkSealer::seal(std::span<const std::uint8_t> plaintext, bool final,
                               std::span<std::uint8_t> out) {
  if (m->finished || plaintext.size() > k_chunk_size ||
      (!final && plaintext.size() != k_chunk_size)) {
    return fail(Error::Kind::misuse, "ChunkSealer: chunk after the final one, or a short chunk");
  }
  if (auto ok = m->aead.seal(chunk_nonce(m->index, final), plaintext, out); !ok) return ok;
  ++m->index;
  m->finished = final;
  return {};
}

// ---- PayloadOpener ----

struct PayloadOpener::State {
  crypto::Aead aead;
  Sink sink;
  std::vector<std::uint8_t> sealed = std::vector<std::uint8_t>(k_sealed_chunk_size);
  std::vector<std::uint8_t> plain = std::vector<std::uint8_t>(k_chunk_size);
  std::size_t fill = 0;     // bytes of `sealed` holding the chunk being assembled
  std::uint64_t index = 0;  // chunks authenticated so far
  std::uint64_t released = 0;
  bool final_seen = false;
  bool finished = false;
  std::optional<Error> failed;

  State(crypto::Aead a, Sink s) : aead(std::move(a)), sink(std::move(s)) {}
  ~State() { wipe(plain.data(), plain.size()); }

  tl::unexpected<Error> stop(Error::Kind kind, std::string message) {
    failed = Error{kind, std::move(message)};
    return tl::unexpected(*failed);
  }

  // Tries to authenticate `chunk` (by default the first `size` bytes of `sealed`) as chunk
  // `index`; on success its plaintext is in `plain`.
  Result<bool> try_open(std::span<const std::uint8_t> chunk, bool final) {
    return aead.open(chunk_nonce(index, final), chunk,
                     std::span(plain.data(), chunk.size() - k_tag));
  }
  Result<bool> try_open(std::size_t size, bool final) {
    return try_open(std::span(sealed.data(), size), final);
  }

  Result<void> release(std::size_t size, bool final) {
    const std::size_t n = size - k_tag;
    ++index;
    final_seen = final;
    if (n > 0) {
      if (!sink(std::span<const std::uint8_t>(plain.data(), n))) {
        return stop(Error::Kind::aborted, "the plaintext consumer stopped decryption");
      }
      released += n;
    }
    return {};
  }

  // A whole chunk straight from the caller's buffer, with more input behind it: when it opens
  // as a non-final chunk it needs no copy. Returns false to take the buffered path instead
  // (which also classifies failures).
  Result<bool> open_in_place(std::span<const std::uint8_t> chunk) {
    auto ok = try_open(chunk, false);
    if (!ok) return tl::unexpected(ok.error());
    if (!*ok) return false;
    if (auto r = release(chunk.size(), false); !r) return tl::unexpected(r.error());
    return true;
  }

  // Smallest final chunk allowed at this position: empty only as the first and only chunk.
  std::size_t min_final() const { return index == 0 ? k_tag : k_tag + 1; }

  // After a failure of the whole buffer: is a final chunk followed by a few stray bytes?
  // Returns the final chunk's size, or 0. Such a chunk is not released: the reference
  // implementation (and the CCTV vectors) release nothing for a buffer that failed.
  Result<std::size_t> probe_final_prefix() {
    const std::size_t lowest = fill > k_trailing_probe ? fill - k_trailing_probe : 0;
    for (std::size_t size = fill - 1; size >= std::max(lowest, min_final()) && size > 0; --size) {
      auto ok = try_open(size, true);
      if (!ok) return tl::unexpected(ok.error());
      if (*ok) return size;
    }
    return 0;
  }

  // `extra` bytes follow the final chunk; `at_least` when more input may follow them.
  tl::unexpected<Error> trailing(std::uint64_t extra, bool at_least) {
    return stop(Error::Kind::trailing_data,
                "the age file continues after its final chunk (" +
                    std::string(at_least ? "at least " : "") + std::to_string(extra) +
                    " more byte" + (extra == 1 ? "" : "s") +
                    "): something was appended to it, or two files were joined");
  }

  // A full buffer with more input behind it.
  Result<void> open_full(std::size_t more_input) {
    auto ok = try_open(fill, false);
    if (!ok) return tl::unexpected(ok.error());
    if (*ok) return release(fill, false);
    ok = try_open(fill, true);
    if (!ok) return tl::unexpected(ok.error());
    if (*ok) {
      if (auto r = release(fill, true); !r) return r;
      return trailing(more_input, true);
    }
    auto prefix = probe_final_prefix();
    if (!prefix) return tl::unexpected(prefix.error());
    if (*prefix > 0) return trailing(fill - *prefix + more_input, true);
    return stop(Error::Kind::payload_damaged,
                "the payload is damaged: " + chunk_name(index) +
                    " does not authenticate (the file was altered or corrupted)");
  }

  // The input ended with `fill` bytes buffered: they must be the final chunk.
  Result<void> open_last() {
    if (fill == 0) {
      return stop(Error::Kind::truncated,
                  index == 0 ? std::string("the age file is truncated: it ends right after the "
                                           "payload nonce, with no chunk")
                             : "the age file is truncated: it ends after " + chunk_name(index - 1) +
                                   ", which is not marked as the final chunk");
    }
    if (fill < k_tag) {
      return stop(Error::Kind::truncated, "the age file is truncated: its last chunk is " +
                                              std::to_string(fill) +
                                              " bytes, shorter than a 16-byte tag");
    }
    if (fill == k_tag && index > 0) {
      return stop(Error::Kind::payload_damaged,
                  "the payload is damaged: the last chunk is empty, which age allows only for an "
                  "empty file (the file was cut or crafted)");
    }
    auto ok = try_open(fill, true);
    if (!ok) return tl::unexpected(ok.error());
    if (*ok) return release(fill, true);
    if (fill == k_sealed_chunk_size) {
      ok = try_open(fill, false);
      if (!ok) return tl::unexpected(ok.error());
      if (*ok) {
        if (auto r = release(fill, false); !r) return r;
        return stop(Error::Kind::truncated, "the age file is truncated: it ends after " +
                                                chunk_name(index - 1) +
                                                ", which is not marked as the final chunk");
      }
    }
    auto prefix = probe_final_prefix();
    if (!prefix) return tl::unexpected(prefix.error());
    if (*prefix > 0) return trailing(fill - *prefix, false);
    return stop(Error::Kind::payload_damaged,
                "the payload is damaged: the last chunk (" + chunk_name(index) + ", " +
                    std::to_string(fill) +
                    " bytes) does not authenticate (the file was cut short, extended or altered)");
  }
};

PayloadOpener::PayloadOpener(std::unique_ptr<State> state) : m(std::move(state)) {}
PayloadOpener::PayloadOpener(PayloadOpener&&) noexcept = default;
PayloadOpener& PayloadOpener::operator=(PayloadOpener&&) noexcept = default;
PayloadOpener::~PayloadOpener() = default;

Result<PayloadOpener> PayloadOpener::create(const FileKey& file_key, const PayloadNonce& nonce,
                                            Sink plaintext) {
  if (!plaintext) return fail(Error::Kind::misuse, "PayloadOpener: no plaintext sink");
  auto key = payload_key(file_key, nonce);
  if (!key) return tl::unexpected(key.error());
  auto aead = crypto::Aead::create(*key, crypto::Aead::Direction::open);
  if (!aead) return tl::unexpected(aead.error());
  auto state = std::make_unique<State>(std::move(*aead), std::move(plaintext));
  return PayloadOpener(std::move(state));
}

Result<void> PayloadOpener::update(std::span<const std::uint8_t> sealed) {
  if (m->failed) return tl::unexpected(*m->failed);
  if (m->finished) return m->stop(Error::Kind::misuse, "PayloadOpener: update after finish");
  while (!sealed.empty()) {
    if (m->final_seen) return m->trailing(sealed.size(), true);
    if (m->fill == 0 && sealed.size() > k_sealed_chunk_size) {
      auto done = m->open_in_place(sealed.first(k_sealed_chunk_size));
      if (!done) return tl::unexpected(done.error());
      if (*done) {
        sealed = sealed.subspan(k_sealed_chunk_size);
        continue;
      }
    }
    if (m->fill == k_sealed_chunk_size) {
      if (auto ok = m->open_full(sealed.size()); !ok) return ok;
      m->fill = 0;
      continue;
    }
    const std::size_t n = std::min(sealed.size(), k_sealed_chunk_size - m->fill);
    std::copy_n(sealed.begin(), n, m->sealed.begin() + static_cast<std::ptrdiff_t>(m->fill));
    m->fill += n;
    sealed = sealed.subspan(n);
  }
  return {};
}

Result<void> PayloadOpener::finish() {
  if (m->failed) return tl::unexpected(*m->failed);
  if (m->finished) return {};
  if (!m->final_seen) {
    if (auto ok = m->open_last(); !ok) return ok;
  }
  m->finished = true;
  return {};
}

std::uint64_t PayloadOpener::plaintext_bytes() const { return m->released; }
std::uint64_t PayloadOpener::chunks() const { return m->index; }

}  // namespace age
