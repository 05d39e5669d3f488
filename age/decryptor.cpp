#include "age/decryptor.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "age/armor.hpp"
#include "age/crypto.hpp"
#include "age/header.hpp"
#include "age/header_mac.hpp"
#include "age/stream.hpp"
#include "age/x25519_stanza.hpp"

namespace age {
namespace {

constexpr std::string_view k_version_prefix = "age-encryption.org/";

std::string list_types(const std::vector<Stanza>& stanzas) {
  std::string out;
  for (std::size_t i = 0; i < stanzas.size() && i < 8; ++i) {
    if (i > 0) out += ", ";
    out += stanzas[i].type.substr(0, 40);
  }
  if (stanzas.size() > 8) out += ", ...";
  return out;
}

std::string list_identities(const std::vector<Identity>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < 4; ++i) {
    if (i > 0) out += ", ";
    out += ids[i].recipient().to_string();
  }
  if (ids.size() > 4) out += ", ...";
  return out;
}

// The file key from the header, or why not.
Result<FileKey> unwrap_file_key(const Header& header, const std::vector<Identity>& identities) {
  const auto& stanzas = header.stanzas;
  const bool has_scrypt = std::any_of(stanzas.begin(), stanzas.end(),
                                      [](const Stanza& s) { return s.type == "scrypt"; });
  if (has_scrypt && stanzas.size() > 1) {
    return fail(Error::Kind::malformed_header,
                "malformed age header: an scrypt (passphrase) stanza must be the only stanza");
  }
  if (has_scrypt) {
    return fail(Error::Kind::unsupported,
                "the file is encrypted with a passphrase (scrypt), which this agent does not "
                "support; decrypt it with `age -d` and a passphrase");
  }
  for (const Stanza& s : stanzas) {
    if (s.type != k_x25519_type) continue;
    if (auto ok = check_x25519_stanza(s); !ok) return tl::unexpected(ok.error());
  }
  for (const Identity& id : identities) {
    auto key = unwrap_x25519(stanzas, id);
    if (!key) return tl::unexpected(key.error());
    if (*key) return **key;
  }
  const auto x25519 = std::count_if(stanzas.begin(), stanzas.end(),
                                    [](const Stanza& s) { return s.type == k_x25519_type; });
  std::string message = "no identity matched: the file is encrypted to " +
                        std::to_string(stanzas.size()) + " recipient" +
                        (stanzas.size() == 1 ? "" : "s") + " (" + list_types(stanzas) +
                        "), none of which is " + list_identities(identities);
  if (x25519 == 0) message += " (this agent reads only X25519 recipients)";
  return fail(Error::Kind::no_identity_matched, std::move(message));
}

}  // namespace

struct Decryptor::State {
  enum class Phase { detect, header, nonce, payload };

  std::vector<Identity> identities;
  Sink sink;
  Phase phase = Phase::detect;
  std::optional<ArmorDecoder> armor;
  std::vector<std::uint8_t> header_bytes;
  std::size_t lines = 0;
  std::size_t line_start = 0;  // offset in header_bytes of the line being assembled
  bool prefix_checked = false;
  std::vector<std::string> types;
  PayloadNonce nonce{};
  std::size_t nonce_fill = 0;
  std::optional<FileKey> file_key;
  std::optional<PayloadOpener> payload;
  bool finished = false;
  std::optional<Error> failed;

  tl::unexpected<Error> stop(Error error) {
    failed = std::move(error);
    return tl::unexpected(*failed);
  }

  // Parses and authenticates the complete header in header_bytes.
  Result<void> accept_header() {
    auto header = parse_header(header_bytes);
    if (!header) return stop(header.error());
    for (const Stanza& s : header->stanzas) types.push_back(s.type.substr(0, 64));
    auto key = unwrap_file_key(*header, identities);
    if (!key) return stop(key.error());
    auto mac = header_mac(*key, std::span(header_bytes.data(), header->mac_input_size));
    if (!mac) return stop(mac.error());
    if (!crypto::equal_constant_time(*mac, header->mac)) {
      return stop(Error{Error::Kind::header_mac_mismatch,
                        "the age header MAC does not match: the header was altered (the "
                        "identity did unwrap a file key)"});
    }
    file_key = *key;
    header_bytes.clear();
    header_bytes.shrink_to_fit();
    phase = Phase::nonce;
    return {};
  }

  // Takes header bytes up to the end of the MAC line; returns how many of `in` it used.
  Result<std::size_t> feed_header(std::span<const std::uint8_t> in) {
    std::size_t used = 0;
    while (used < in.size()) {
      const auto* begin = in.data() + used;
      const auto* lf = static_cast<const std::uint8_t*>(std::memchr(begin, '\n', in.size() - used));
      const std::size_t take = lf == nullptr ? in.size() - used : std::size_t(lf - begin) + 1;
      if (header_bytes.size() + take > k_max_header_size) {
        return stop(
            Error{Error::Kind::malformed_header, "malformed age header: larger than " +
                                                     std::to_string(k_max_header_size / 1024) +
                                                     " KiB (no MAC line within the limit)"});
      }
      header_bytes.insert(header_bytes.end(), begin, begin + take);
      used += take;
      if (!prefix_checked && header_bytes.size() >= k_version_prefix.size()) {
        // Refuse a file that is not age at once, not after buffering 64 KiB of it.
        prefix_checked = true;
        if (!std::equal(k_version_prefix.begin(), k_version_prefix.end(), header_bytes.begin())) {
          auto parsed = parse_header(header_bytes);
          return stop(parsed ? Error{Error::Kind::malformed_header, "not an age file"}
                             : parsed.error());
        }
      }
      if (lf == nullptr) break;
      ++lines;
      const auto line = header_bytes.begin() + static_cast<std::ptrdiff_t>(line_start);
      const bool mac_line =
          header_bytes.size() - line_start >= 3 && std::equal(line, line + 3, "---");
      line_start = header_bytes.size();
      if (lines == 1 || mac_line) {
        auto parsed = parse_header(header_bytes);
        if (!parsed && parsed.error().kind != Error::Kind::truncated) return stop(parsed.error());
        if (parsed) {
          if (auto ok = accept_header(); !ok) return tl::unexpected(ok.error());
          break;
        }
      }
    }
    return used;
  }

  Result<void> start_payload() {
    auto opener = PayloadOpener::create(*file_key, nonce, sink);
    file_key.reset();
    if (!opener) return stop(opener.error());
    payload.emplace(std::move(*opener));
    phase = Phase::payload;
    return {};
  }

  // The binary age file, after any armor was taken off.
  Result<void> feed_binary(std::span<const std::uint8_t> in) {
    while (!in.empty()) {
      switch (phase) {
        case Phase::detect:
        case Phase::header: {
          phase = Phase::header;
          auto used = feed_header(in);
          if (!used) return tl::unexpected(used.error());
          in = in.subspan(*used);
          break;
        }
        case Phase::nonce: {
          const std::size_t n = std::min(in.size(), nonce.size() - nonce_fill);
          std::copy_n(in.begin(), n, nonce.begin() + static_cast<std::ptrdiff_t>(nonce_fill));
          nonce_fill += n;
          in = in.subspan(n);
          if (nonce_fill == nonce.size()) {
            if (auto ok = start_payload(); !ok) return ok;
          }
          break;
        }
        case Phase::payload: {
          auto ok = payload->update(in);
          if (!ok) return stop(ok.error());
          return {};
        }
      }
    }
    return {};
  }

  Result<void> finish_binary() {
    switch (phase) {
      case Phase::detect:
        return stop(Error{Error::Kind::truncated, "the age file is empty"});
      case Phase::header: {
        auto parsed = parse_header(header_bytes);
        return stop(parsed ? Error{Error::Kind::truncated, "the age file ends inside its header"}
                           : parsed.error());
      }
      case Phase::nonce:
        return stop(Error{Error::Kind::truncated,
                          "the age file is truncated: it ends inside the 16-byte payload nonce, "
                          "after the header"});
      case Phase::payload: {
        auto ok = payload->finish();
        if (!ok) return stop(ok.error());
        return {};
      }
    }
    return {};
  }
};

Decryptor::Decryptor(std::unique_ptr<State> state) : m(std::move(state)) {}
Decryptor::Decryptor(Decryptor&&) noexcept = default;
Decryptor& Decryptor::operator=(Decryptor&&) noexcept = default;
Decryptor::~Decryptor() = default;

Result<Decryptor> Decryptor::create(std::vector<Identity> identities, Sink plaintext) {
  if (identities.empty()) return fail(Error::Kind::misuse, "age: decrypting needs an identity");
  if (!plaintext) return fail(Error::Kind::misuse, "age: Decryptor needs a plaintext sink");
  auto state = std::make_unique<State>();
  state->identities = std::move(identities);
  state->sink = std::move(plaintext);
  return Decryptor(std::move(state));
}

Result<void> Decryptor::update(std::span<const std::uint8_t> ciphertext) {
  if (m->failed) return tl::unexpected(*m->failed);
  if (m->finished) {
    return m->stop(Error{Error::Kind::misuse, "age: Decryptor::update after finish"});
  }
  if (ciphertext.empty()) return {};
  if (m->phase == State::Phase::detect && !m->armor) {
    // Binary age starts with "age-encryption.org/"; armor with its BEGIN line, possibly after
    // whitespace.
    const char first = static_cast<char>(ciphertext[0]);
    if (first == '-' || first == ' ' || first == '\t' || first == '\r' || first == '\n') {
      State* raw = m.get();
      m->armor.emplace(
          [raw](std::span<const std::uint8_t> bytes) { return raw->feed_binary(bytes); });
    }
  }
  if (m->armor) {
    auto ok = m->armor->update(ciphertext);
    if (!ok) return m->stop(ok.error());
    return {};
  }
  return m->feed_binary(ciphertext);
}

Result<void> Decryptor::finish() {
  if (m->failed) return tl::unexpected(*m->failed);
  if (m->finished) return {};
  if (m->armor) {
    if (auto ok = m->armor->finish(); !ok) return m->stop(ok.error());
  }
  if (auto ok = m->finish_binary(); !ok) return ok;
  m->finished = true;
  return {};
}

bool Decryptor::header_read() const {
  return m->phase == State::Phase::nonce || m->phase == State::Phase::payload;
}
std::vector<std::string> Decryptor::stanza_types() const { return m->types; }
bool Decryptor::armored() const { return m->armor.has_value(); }
std::uint64_t Decryptor::plaintext_bytes() const {
  return m->payload ? m->payload->plaintext_bytes() : 0;
}

Result<std::vector<std::uint8_t>> decrypt(std::span<const std::uint8_t> file,
                                          std::vector<Identity> identities) {
  std::vector<std::uint8_t> out;
  auto dec = Decryptor::create(std::move(identities), [&out](std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return true;
  });
  if (!dec) return tl::unexpected(dec.error());
  if (auto ok = dec->update(file); !ok) return tl::unexpected(ok.error());
  if (auto ok = dec->finish(); !ok) return tl::unexpected(ok.error());
  return out;
}

}  // namespace age
