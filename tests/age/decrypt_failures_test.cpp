// How decryption fails on files that are wrong, damaged or hostile: one typed kind per cause,
// no plaintext from a chunk that did not authenticate, bounded work on garbage.
#include <gtest/gtest.h>

#include "age/decryptor.hpp"
#include "age/encryptor.hpp"
#include "test_util.hpp"

namespace {

using age_test::Bytes;
using age_test::bytes;
using age_test::Crafter;
using age_test::pattern;
using Kind = age::Error::Kind;

struct Outcome {
  age::Result<void> result;
  Bytes released;
};

// Decrypts `file` fed in `piece`-sized pieces with `ids`.
Outcome run(const Bytes& file, const std::vector<age::Identity>& ids, std::size_t piece = 4096) {
  Outcome out;
  auto dec = age::Decryptor::create(ids, [&](std::span<const std::uint8_t> b) {
    out.released.insert(out.released.end(), b.begin(), b.end());
    return true;
  });
  EXPECT_TRUE(dec);
  std::span<const std::uint8_t> rest(file);
  while (!rest.empty()) {
    const std::size_t n = std::min(piece, rest.size());
    out.result = dec->update(rest.first(n));
    if (!out.result) return out;
    rest = rest.subspan(n);
  }
  out.result = dec->finish();
  return out;
}

Kind kind_of(const Outcome& o) {
  EXPECT_FALSE(o.result);
  return o.result ? Kind::misuse : o.result.error().kind;
}

class DecryptFailures : public ::testing::Test {
 protected:
  age::Identity m_id = age_test::fixed_identity(11);
  std::vector<age::Identity> m_ids = {m_id};
  Bytes encrypt(std::size_t size) {
    return *age::encrypt(pattern(size), std::vector{m_id.recipient()});
  }
  static std::size_t header_size(const Bytes& file) {
    const std::string s = age_test::text(file);
    return s.find('\n', s.find("\n---") + 1) + 1;
  }
};

TEST_F(DecryptFailures, AWrongIdentityIsNoIdentityMatchedNamingBothSides) {
  const Bytes file =
      *age::encrypt(pattern(10), std::vector{age_test::fixed_identity(1).recipient(),
                                             age_test::fixed_identity(2).recipient()});
  const auto o = run(file, m_ids);
  ASSERT_EQ(kind_of(o), Kind::no_identity_matched);
  const std::string& msg = o.result.error().message;
  EXPECT_NE(msg.find("no identity matched"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 recipients (X25519, X25519)"), std::string::npos) << msg;
  EXPECT_NE(msg.find(m_id.recipient().to_string()), std::string::npos) << msg;
  EXPECT_EQ(msg.find(std::string(m_id.to_string().view()).substr(16)), std::string::npos);
  EXPECT_TRUE(o.released.empty());
}

TEST_F(DecryptFailures, AnAlteredMacOrAnAddedStanzaIsAHeaderMacMismatch) {
  Crafter c({m_id.recipient()});
  EXPECT_EQ(kind_of(run(c.file({{pattern(5), true}}, true), m_ids)), Kind::header_mac_mismatch);

  // Someone adds a stanza to a valid file: the identity still unwraps, the MAC catches it.
  Bytes file = c.file({{pattern(5), true}});
  ASSERT_TRUE(run(file, m_ids).result);
  const std::string extra = "-> example.com/enigma x\n\n";
  file.insert(file.begin() + 22, extra.begin(), extra.end());
  const auto o = run(file, m_ids);
  EXPECT_EQ(kind_of(o), Kind::header_mac_mismatch);
  EXPECT_TRUE(o.released.empty());
}

TEST_F(DecryptFailures, AnAlteredStanzaMeansTheIdentityNoLongerMatches) {
  Bytes file = encrypt(100);
  file[22 + 54 + 10] ^= 0x04;  // a base64 character of the wrapped file key: still canonical
  const auto o = run(file, m_ids);
  EXPECT_TRUE(kind_of(o) == Kind::no_identity_matched || kind_of(o) == Kind::malformed_header)
      << o.result.error().message;
}

TEST_F(DecryptFailures, UnknownStanzasAreSkipped) {
  Crafter c({age_test::fixed_identity(1).recipient(), m_id.recipient()});
  c.stanzas.insert(c.stanzas.begin() + 1,
                   age::Stanza{"example.com/enigma", {"x", "y"}, pattern(70)});
  c.stanzas.push_back(age::Stanza{"grease", {}, {}});
  const auto o = run(c.file({{pattern(7), true}}), m_ids);
  ASSERT_TRUE(o.result) << o.result.error().message;
  EXPECT_EQ(o.released, pattern(7));
}

TEST_F(DecryptFailures, ScryptMustBeAloneAndIsThenRefusedAsUnsupported) {
  Crafter alone({});
  alone.stanzas.push_back(age::Stanza{"scrypt", {"AAAAAAAAAAAAAAAAAAAAAA", "18"}, pattern(32)});
  auto o = run(alone.file({{pattern(5), true}}), m_ids);
  EXPECT_EQ(kind_of(o), Kind::unsupported);
  EXPECT_NE(o.result.error().message.find("passphrase"), std::string::npos);

  Crafter mixed({m_id.recipient()});
  mixed.stanzas.push_back(alone.stanzas[0]);
  EXPECT_EQ(kind_of(run(mixed.file({{pattern(5), true}}), m_ids)), Kind::malformed_header);
}

TEST_F(DecryptFailures, AnInvalidX25519StanzaIsMalformedEvenIfNotOurs) {
  Crafter c({m_id.recipient()});
  age::Stanza bad = c.stanzas[0];
  bad.args.push_back("extra");
  c.stanzas.push_back(bad);
  EXPECT_EQ(kind_of(run(c.file({{pattern(5), true}}), m_ids)), Kind::malformed_header);

  Crafter low({});
  // The all-zero point has low order: the shared secret would be zero.
  low.stanzas.push_back(age::Stanza{"X25519", {std::string(43, 'A')}, pattern(32)});
  const auto o = run(low.file({{pattern(5), true}}), m_ids);
  EXPECT_EQ(kind_of(o), Kind::malformed_header);
  EXPECT_NE(o.result.error().message.find("low-order"), std::string::npos);

  Crafter long_body({m_id.recipient()});
  long_body.stanzas[0].body.push_back(0);  // a 33-byte body: refused before any decryption
  EXPECT_EQ(kind_of(run(long_body.file({{pattern(5), true}}), m_ids)), Kind::malformed_header);
}

TEST_F(DecryptFailures, ADamagedChunkReleasesOnlyTheChunksBeforeIt) {
  Bytes file = encrypt(3 * 65536);
  const std::size_t payload = header_size(file) + 16;
  file[payload + age::k_sealed_chunk_size + 1000] ^= 1;  // inside chunk 2 of 3
  const auto o = run(file, m_ids, 100000);
  EXPECT_EQ(kind_of(o), Kind::payload_damaged);
  EXPECT_NE(o.result.error().message.find("chunk 2"), std::string::npos)
      << o.result.error().message;
  const Bytes plain = pattern(3 * 65536);
  EXPECT_EQ(o.released, Bytes(plain.begin(), plain.begin() + 65536));
}

TEST_F(DecryptFailures, ADamagedFinalChunkOrTagIsDamage) {
  for (std::size_t from_end : {1ul, 16ul, 17ul, 500ul}) {
    Bytes file = encrypt(65536 + 1000);
    file[file.size() - from_end] ^= 0x80;
    const auto o = run(file, m_ids);
    EXPECT_EQ(kind_of(o), Kind::payload_damaged) << from_end;
    EXPECT_EQ(o.released.size(), 65536u);
  }
}

TEST_F(DecryptFailures, TruncationIsToldApartWhereTheFileShowsIt) {
  const Bytes file = encrypt(2 * 65536 + 5);
  const std::size_t header = header_size(file);
  struct Cut {
    std::size_t keep;
    Kind kind;
  };
  const std::vector<Cut> cuts = {
      {0, Kind::truncated},                                           // empty file
      {10, Kind::truncated},                                          // inside the version line
      {header - 1, Kind::truncated},                                  // inside the MAC line
      {header, Kind::truncated},                                      // no nonce
      {header + 7, Kind::truncated},                                  // half a nonce
      {header + 16, Kind::truncated},                                 // no chunk
      {header + 16 + 10, Kind::truncated},                            // shorter than a tag
      {header + 16 + age::k_sealed_chunk_size, Kind::truncated},      // at a chunk boundary
      {header + 16 + 2 * age::k_sealed_chunk_size, Kind::truncated},  // at the next one
      // Inside a chunk the cut cannot be told from damage: the last piece fails its tag.
      {header + 16 + age::k_sealed_chunk_size + 30000, Kind::payload_damaged},
      {file.size() - 1, Kind::payload_damaged},
  };
  for (const auto& cut : cuts) {
    const Bytes part(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut.keep));
    const auto o = run(part, m_ids);
    EXPECT_EQ(kind_of(o), cut.kind) << cut.keep << ": " << o.result.error().message;
  }
  // A file cut at a chunk boundary released authentic chunks, but finish() says it is cut.
  const Bytes at_boundary(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(
                                                           header + 16 + age::k_sealed_chunk_size));
  const auto o = run(at_boundary, m_ids);
  EXPECT_EQ(o.released.size(), 65536u);
  EXPECT_NE(o.result.error().message.find("truncated"), std::string::npos);
}

TEST_F(DecryptFailures, AppendedBytesAreTrailingData) {
  // After a full-size final chunk, and a stray newline or CRLF after a short one.
  for (const std::size_t size : {65536ul, 131072ul, 1000ul, 0ul}) {
    for (const std::string& tail : std::vector<std::string>{"\n", "\r\n", std::string(60, 'x')}) {
      Bytes file = encrypt(size);
      file.insert(file.end(), tail.begin(), tail.end());
      const auto o = run(file, m_ids);
      EXPECT_EQ(kind_of(o), Kind::trailing_data) << size << " + " << tail.size();
      EXPECT_NE(o.result.error().message.find("appended"), std::string::npos);
    }
  }
  // A whole second file after a full final chunk.
  Bytes joined = encrypt(65536);
  const Bytes second = encrypt(500);
  joined.insert(joined.end(), second.begin(), second.end());
  EXPECT_EQ(kind_of(run(joined, m_ids)), Kind::trailing_data);
}

TEST_F(DecryptFailures, ALongAppendixAfterAShortFinalChunkIsDamage) {
  // The final chunk's end cannot be found without trying every length; beyond the probe window
  // the last chunk simply fails to authenticate.
  Bytes file = encrypt(1000);
  file.insert(file.end(), 5000, 'x');
  EXPECT_EQ(kind_of(run(file, m_ids)), Kind::payload_damaged);
}

TEST_F(DecryptFailures, TheChunkRulesOfTheSpecification) {
  Crafter c({m_id.recipient()});
  const Bytes full = pattern(65536);
  // An empty final chunk after a full one: not allowed.
  auto o = run(c.file({{full, false}, {{}, true}}), m_ids);
  EXPECT_EQ(kind_of(o), Kind::payload_damaged);
  EXPECT_NE(o.result.error().message.find("empty"), std::string::npos);
  // The empty file is one empty final chunk.
  o = run(c.file({{{}, true}}), m_ids);
  EXPECT_TRUE(o.result);
  EXPECT_TRUE(o.released.empty());
  // A full-size final chunk.
  o = run(c.file({{full, false}, {full, true}}), m_ids);
  EXPECT_TRUE(o.result);
  EXPECT_EQ(o.released.size(), 2 * full.size());
  // Two final chunks.
  o = run(c.file({{full, true}, {pattern(3), true}}), m_ids);
  EXPECT_EQ(kind_of(o), Kind::trailing_data);
  // No final chunk at all.
  o = run(c.file({{full, false}, {full, false}}), m_ids);
  EXPECT_EQ(kind_of(o), Kind::truncated);
  // Chunks out of order (counter mismatch).
  Bytes swapped = age_test::bytes(c.header());
  swapped.insert(swapped.end(), c.nonce.begin(), c.nonce.end());
  const Bytes second = c.chunk(1, full, false);
  const Bytes first = c.chunk(0, full, false);
  const Bytes last = c.chunk(2, pattern(9), true);
  for (const Bytes* b : {&second, &first, &last})
    swapped.insert(swapped.end(), b->begin(), b->end());
  o = run(swapped, m_ids);
  EXPECT_EQ(kind_of(o), Kind::payload_damaged);
  EXPECT_TRUE(o.released.empty());
}

TEST_F(DecryptFailures, GarbageFailsFastAndBounded) {
  // Not age at all: refused from the first bytes, long before the header bound.
  Bytes junk(10 << 20, 'x');
  std::size_t fed = 0;
  auto dec = age::Decryptor::create(m_ids, [](std::span<const std::uint8_t>) { return true; });
  ASSERT_TRUE(dec);
  age::Result<void> r;
  while (r && fed < junk.size()) {
    r = dec->update(std::span(junk).subspan(fed, 4096));
    fed += 4096;
  }
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::malformed_header);
  EXPECT_LE(fed, 4096u);

  // Age-looking but endless: refused at the header bound.
  std::string endless = "age-encryption.org/v1\n-> a\n";
  while (endless.size() < 1 << 20) endless += std::string(64, 'A') + "\n";
  auto dec2 = age::Decryptor::create(m_ids, [](std::span<const std::uint8_t>) { return true; });
  fed = 0;
  r = {};
  while (r && fed < endless.size()) {
    r = dec2->update(bytes(endless.substr(fed, 1000)));
    fed += 1000;
  }
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::malformed_header);
  EXPECT_LE(fed, age::k_max_header_size + 1000);
}

TEST_F(DecryptFailures, ErrorsAreStickyAndASinkCanStop) {
  const Bytes file = encrypt(200000);
  int calls = 0;
  auto dec =
      age::Decryptor::create(m_ids, [&](std::span<const std::uint8_t>) { return ++calls < 2; });
  ASSERT_TRUE(dec);
  const auto r = dec->update(file);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::aborted);
  EXPECT_EQ(dec->update(file).error().kind, Kind::aborted);
  EXPECT_EQ(dec->finish().error().kind, Kind::aborted);

  auto done = age::Decryptor::create(m_ids, [](std::span<const std::uint8_t>) { return true; });
  ASSERT_TRUE(done->update(encrypt(5)));
  ASSERT_TRUE(done->finish());
  EXPECT_EQ(done->update(bytes("x")).error().kind, Kind::misuse);
  EXPECT_EQ(
      age::Decryptor::create({}, [](std::span<const std::uint8_t>) { return true; }).error().kind,
      Kind::misuse);
}

}  // namespace
