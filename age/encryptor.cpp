#include "age/encryptor.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "age/crypto.hpp"
#include "age/header.hpp"
#include "age/header_mac.hpp"
#include "age/stream.hpp"
#include "age/x25519_stanza.hpp"

namespace age {
namespace {

// "age-encryption.org/v1\n" (22) + "---" and " <43 base64>\n" (48).
constexpr std::uint64_t k_header_fixed = 70;
// "-> X25519 <43 base64>\n" (54) + "<43 base64>\n" (44).
constexpr std::uint64_t k_x25519_stanza = 98;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Header, MAC line and payload nonce for a fresh file key; the sealer for its payload.
struct Prelude {
  std::string bytes;
  std::optional<ChunkSealer> sealer;
};

Result<Prelude> make_prelude(std::span<const Recipient> recipients) {
  if (recipients.empty()) return fail(Error::Kind::misuse, "age: encrypting needs a recipient");
  FileKey file_key;
  if (auto ok = crypto::random_bytes(file_key.span()); !ok) return tl::unexpected(ok.error());
  std::vector<Stanza> stanzas;
  stanzas.reserve(recipients.size());
  for (const Recipient& r : recipients) {
    auto stanza = wrap_x25519(file_key, r);
    if (!stanza) return tl::unexpected(stanza.error());
    stanzas.push_back(std::move(*stanza));
  }
  Prelude out;
  out.bytes = encode_header_for_mac(stanzas);
  auto mac = header_mac(file_key, bytes_of(out.bytes));
  if (!mac) return tl::unexpected(mac.error());
  out.bytes += encode_mac_line(*mac);
  PayloadNonce nonce{};
  if (auto ok = crypto::random_bytes(nonce); !ok) return tl::unexpected(ok.error());
  out.bytes.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  auto sealer = ChunkSealer::create(file_key, nonce);
  if (!sealer) return tl::unexpected(sealer.error());
  out.sealer.emplace(std::move(*sealer));
  return out;
}

std::uint64_t chunk_payload(std::uint64_t plaintext_size) {
  return payload_size(plaintext_size) - k_payload_nonce_size;
}

}  // namespace

std::uint64_t encrypted_size(std::uint64_t plaintext_size, std::size_t recipients) {
  return k_header_fixed + k_x25519_stanza * recipients + payload_size(plaintext_size);
}

// ---- Encryptor ----

struct Encryptor::State {
  Sink sink;
  std::string prelude;
  ChunkSealer sealer;
  std::vector<std::uint8_t> plain = std::vector<std::uint8_t>(k_chunk_size);
  std::vector<std::uint8_t> sealed = std::vector<std::uint8_t>(k_sealed_chunk_size);
  std::size_t fill = 0;
  std::uint64_t taken = 0;
  std::uint64_t given = 0;
  bool prelude_sent = false;
  bool finished = false;
  std::optional<Error> failed;

  State(Sink s, std::string p, ChunkSealer c)
      : sink(std::move(s)), prelude(std::move(p)), sealer(std::move(c)) {}
  ~State() { wipe(plain.data(), plain.size()); }

  tl::unexpected<Error> stop(Error::Kind kind, std::string message) {
    failed = Error{kind, std::move(message)};
    return tl::unexpected(*failed);
  }

  Result<void> emit(std::span<const std::uint8_t> bytes) {
    if (!sink(bytes)) return stop(Error::Kind::aborted, "the ciphertext consumer stopped");
    given += bytes.size();
    return {};
  }

  Result<void> send_prelude() {
    if (prelude_sent) return {};
    prelude_sent = true;
    return emit(bytes_of(prelude));
  }

  // Seals `chunk` (the buffered plaintext, or a whole chunk straight from the caller).
  Result<void> seal(std::span<const std::uint8_t> chunk, bool final) {
    const std::span<std::uint8_t> out(sealed.data(), chunk.size() + crypto::k_tag_size);
    if (auto ok = sealer.seal(chunk, final, out); !ok) {
      return stop(ok.error().kind, ok.error().message);
    }
    return emit(out);
  }
  Result<void> seal_buffered(bool final) {
    auto ok = seal(std::span(plain.data(), fill), final);
    fill = 0;
    return ok;
  }
};

Encryptor::Encryptor(std::unique_ptr<State> state) : m(std::move(state)) {}
Encryptor::Encryptor(Encryptor&&) noexcept = default;
Encryptor& Encryptor::operator=(Encryptor&&) noexcept = default;
Encryptor::~Encryptor() = default;

Result<Encryptor> Encryptor::create(std::span<const Recipient> recipients, Sink ciphertext) {
  if (!ciphertext) return fail(Error::Kind::misuse, "age: Encryptor needs a ciphertext sink");
  auto prelude = make_prelude(recipients);
  if (!prelude) return tl::unexpected(prelude.error());
  return Encryptor(std::make_unique<State>(std::move(ciphertext), std::move(prelude->bytes),
                                           std::move(*prelude->sealer)));
}

Result<void> Encryptor::update(std::span<const std::uint8_t> plaintext) {
  if (m->failed) return tl::unexpected(*m->failed);
  if (m->finished) return m->stop(Error::Kind::misuse, "age: Encryptor::update after finish");
  if (auto ok = m->send_prelude(); !ok) return ok;
  m->taken += plaintext.size();
  while (!plaintext.empty()) {
    // A full chunk is sealed only now that more plaintext follows it: it is not the last.
    if (m->fill == k_chunk_size) {
      if (auto ok = m->seal_buffered(false); !ok) return ok;
    }
    // Whole chunks with more plaintext behind them are sealed in place, without a copy.
    if (m->fill == 0 && plaintext.size() > k_chunk_size) {
      if (auto ok = m->seal(plaintext.first(k_chunk_size), false); !ok) return ok;
      plaintext = plaintext.subspan(k_chunk_size);
      continue;
    }
    const std::size_t n = std::min(plaintext.size(), k_chunk_size - m->fill);
    std::copy_n(plaintext.begin(), n, m->plain.begin() + static_cast<std::ptrdiff_t>(m->fill));
    m->fill += n;
    plaintext = plaintext.subspan(n);
  }
  return {};
}

Result<void> Encryptor::finish() {
  if (m->failed) return tl::unexpected(*m->failed);
  if (m->finished) return m->stop(Error::Kind::misuse, "age: Encryptor::finish called twice");
  if (auto ok = m->send_prelude(); !ok) return ok;
  if (auto ok = m->seal_buffered(true); !ok) return ok;
  m->finished = true;
  return {};
}

std::uint64_t Encryptor::encrypted_size(std::uint64_t plaintext_size) const {
  return m->prelude.size() + chunk_payload(plaintext_size);
}
std::uint64_t Encryptor::plaintext_bytes() const { return m->taken; }
std::uint64_t Encryptor::ciphertext_bytes() const { return m->given; }

// ---- EncryptingReader ----

struct EncryptingReader::State {
  Source source;
  std::optional<Encryptor> encryptor;
  std::vector<std::uint8_t> pending;  // ciphertext not yet returned (at most ~2 chunks)
  std::size_t pending_pos = 0;
  std::vector<std::uint8_t> input = std::vector<std::uint8_t>(k_chunk_size);
  std::uint64_t read_in = 0;
  std::uint64_t returned = 0;
  bool finished = false;
  std::optional<Error> failed;

  ~State() { wipe(input.data(), input.size()); }

  tl::unexpected<Error> stop(Error error) {
    failed = std::move(error);
    return tl::unexpected(*failed);
  }

  // Pulls up to one chunk of plaintext and pushes it through the encryptor.
  Result<void> refill() {
    std::size_t got = 0;
    bool end = false;
    while (got < input.size()) {
      const auto n = source(std::span(input.data() + got, input.size() - got));
      if (!n) return stop(Error{Error::Kind::aborted, "the plaintext source stopped"});
      if (*n > input.size() - got) {
        return stop(Error{Error::Kind::misuse, "the plaintext source returned too many bytes"});
      }
      if (*n == 0) {
        end = true;
        break;
      }
      got += *n;
    }
    read_in += got;
    auto ok = encryptor->update(std::span(input.data(), got));
    if (ok && end) ok = encryptor->finish();
    if (!ok) return stop(ok.error());
    finished = end;
    return {};
  }
};

EncryptingReader::EncryptingReader(std::unique_ptr<State> state) : m(std::move(state)) {}
EncryptingReader::EncryptingReader(EncryptingReader&&) noexcept = default;
EncryptingReader& EncryptingReader::operator=(EncryptingReader&&) noexcept = default;
EncryptingReader::~EncryptingReader() = default;

Result<EncryptingReader> EncryptingReader::create(std::span<const Recipient> recipients,
                                                  Source plaintext) {
  if (!plaintext) return fail(Error::Kind::misuse, "age: EncryptingReader needs a source");
  auto state = std::make_unique<State>();
  state->source = std::move(plaintext);
  State* raw = state.get();  // heap-allocated: stays put when the reader moves
  auto encryptor = Encryptor::create(recipients, [raw](std::span<const std::uint8_t> bytes) {
    raw->pending.insert(raw->pending.end(), bytes.begin(), bytes.end());
    return true;
  });
  if (!encryptor) return tl::unexpected(encryptor.error());
  state->encryptor.emplace(std::move(*encryptor));
  state->pending.reserve(2 * k_sealed_chunk_size + 4096);
  return EncryptingReader(std::move(state));
}

Result<std::size_t> EncryptingReader::read(std::span<std::uint8_t> out) {
  if (m->failed) return tl::unexpected(*m->failed);
  std::size_t done = 0;
  while (done < out.size()) {
    if (m->pending_pos < m->pending.size()) {
      const std::size_t n = std::min(out.size() - done, m->pending.size() - m->pending_pos);
      std::copy_n(m->pending.begin() + static_cast<std::ptrdiff_t>(m->pending_pos), n,
                  out.begin() + static_cast<std::ptrdiff_t>(done));
      m->pending_pos += n;
      done += n;
      continue;
    }
    m->pending.clear();
    m->pending_pos = 0;
    if (m->finished) break;
    if (auto ok = m->refill(); !ok) return tl::unexpected(ok.error());
  }
  m->returned += done;
  return done;
}

std::uint64_t EncryptingReader::encrypted_size(std::uint64_t plaintext_size) const {
  return m->encryptor->encrypted_size(plaintext_size);
}
std::uint64_t EncryptingReader::plaintext_bytes() const { return m->read_in; }
std::uint64_t EncryptingReader::ciphertext_bytes() const { return m->returned; }

Result<std::vector<std::uint8_t>> encrypt(std::span<const std::uint8_t> plaintext,
                                          std::span<const Recipient> recipients) {
  std::vector<std::uint8_t> out;
  out.reserve(encrypted_size(plaintext.size(), recipients.size()));
  auto enc = Encryptor::create(recipients, [&out](std::span<const std::uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
    return true;
  });
  if (!enc) return tl::unexpected(enc.error());
  if (auto ok = enc->update(plaintext); !ok) return tl::unexpected(ok.error());
  if (auto ok = enc->finish(); !ok) return tl::unexpected(ok.error());
  return out;
}

}  // namespace age
