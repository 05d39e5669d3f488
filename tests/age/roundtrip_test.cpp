// Our encryption read back by our decryption: sizes around the 64 KiB chunk boundary, several
// recipients, exact output sizes, pieces of any size in both directions, the pull interface.
#include <gtest/gtest.h>

#include <random>

#include "age/decryptor.hpp"
#include "age/encryptor.hpp"
#include "test_util.hpp"

namespace {

using age_test::Bytes;
using age_test::pattern;

const std::vector<std::size_t> k_sizes = {0, 1, 65535, 65536, 65537, 131072, 1000000};

std::vector<age::Recipient> recipients_of(const std::vector<age::Identity>& ids) {
  std::vector<age::Recipient> out;
  for (const auto& id : ids) out.push_back(id.recipient());
  return out;
}

TEST(RoundTrip, EverySizeAroundTheChunkBoundaryDecryptsToTheSameBytes) {
  const std::vector<age::Identity> ids = {age_test::fixed_identity(1)};
  for (const std::size_t size : k_sizes) {
    const Bytes plain = pattern(size, static_cast<std::uint32_t>(size));
    const auto file = age::encrypt(plain, recipients_of(ids));
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_EQ(file->size(), age::encrypted_size(size, 1)) << size;
    const auto back = age::decrypt(*file, ids);
    ASSERT_TRUE(back) << size << ": " << back.error().message;
    EXPECT_EQ(*back, plain) << size;
  }
}

TEST(RoundTrip, EachOfSeveralRecipientsCanDecrypt) {
  const std::vector<age::Identity> ids = {age_test::fixed_identity(1), age_test::fixed_identity(2),
                                          age_test::fixed_identity(3)};
  const Bytes plain = pattern(70000);
  const auto file = age::encrypt(plain, recipients_of(ids));
  ASSERT_TRUE(file);
  EXPECT_EQ(file->size(), age::encrypted_size(plain.size(), 3));
  for (const auto& id : ids) {
    const auto back = age::decrypt(*file, {id});
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, plain);
  }
  // Several identities: the one that matches is found whatever its position.
  const auto back = age::decrypt(*file, {age_test::fixed_identity(9), ids[2]});
  ASSERT_TRUE(back);
}

TEST(RoundTrip, EncryptedSizeIsExactForEverySizeAndRecipientCount) {
  for (std::size_t n = 1; n <= 3; ++n) {
    std::vector<age::Recipient> rs;
    for (std::size_t i = 0; i < n; ++i) rs.push_back(age_test::fixed_identity(i).recipient());
    std::uint64_t out = 0;
    auto enc = age::Encryptor::create(rs, [&](std::span<const std::uint8_t> b) {
      out += b.size();
      return true;
    });
    ASSERT_TRUE(enc);
    for (std::uint64_t size : {0ull, 1ull, 65535ull, 65536ull, 65537ull, 10ull << 30}) {
      EXPECT_EQ(enc->encrypted_size(size), age::encrypted_size(size, n));
    }
    // 0 → one empty chunk; 64 KiB → one full final chunk; 1 GiB → 16384 chunks.
    EXPECT_EQ(age::encrypted_size(0, n), 86 + 98 * n + 16);
    EXPECT_EQ(age::encrypted_size(65536, n), 86 + 98 * n + 65536 + 16);
    EXPECT_EQ(age::encrypted_size(65537, n), 86 + 98 * n + 65537 + 32);
    EXPECT_EQ(age::encrypted_size(1ull << 30, n), 86 + 98 * n + (1ull << 30) + 16384 * 16);
    const Bytes plain = pattern(200000);
    ASSERT_TRUE(enc->update(plain));
    ASSERT_TRUE(enc->finish());
    EXPECT_EQ(out, age::encrypted_size(plain.size(), n));
    EXPECT_EQ(enc->ciphertext_bytes(), out);
  }
}

TEST(RoundTrip, PiecesOfAnySizeInBothDirections) {
  const auto id = age_test::fixed_identity(4);
  const std::vector<age::Recipient> rs = {id.recipient()};
  std::mt19937 rng(7);
  for (const std::size_t size : {0ul, 65536ul, 200001ul}) {
    const Bytes plain = pattern(size, 3);
    Bytes file;
    auto enc = age::Encryptor::create(rs, [&](std::span<const std::uint8_t> b) {
      file.insert(file.end(), b.begin(), b.end());
      return true;
    });
    ASSERT_TRUE(enc);
    for (std::size_t pos = 0; pos < size;) {
      const std::size_t n = std::min<std::size_t>(size - pos, rng() % 70000);
      ASSERT_TRUE(enc->update(std::span(plain).subspan(pos, n)));
      pos += n;
    }
    ASSERT_TRUE(enc->finish());

    Bytes back;
    auto dec = age::Decryptor::create({id}, [&](std::span<const std::uint8_t> b) {
      back.insert(back.end(), b.begin(), b.end());
      return true;
    });
    ASSERT_TRUE(dec);
    for (std::size_t pos = 0; pos < file.size();) {
      // Mostly tiny pieces (the header byte by byte), now and then a large one.
      const std::size_t want = rng() % 8 == 0 ? rng() % 100000 : rng() % 3;
      const std::size_t n = std::min(file.size() - pos, want);
      ASSERT_TRUE(dec->update(std::span(file).subspan(pos, n)));
      pos += n;
    }
    ASSERT_TRUE(dec->finish());
    EXPECT_EQ(back, plain) << size;
    EXPECT_TRUE(dec->header_read());
    EXPECT_EQ(dec->stanza_types(), std::vector<std::string>{"X25519"});
    EXPECT_EQ(dec->plaintext_bytes(), size);
  }
}

TEST(EncryptingReader, FillsEveryBufferFullyUntilTheEnd) {
  const auto id = age_test::fixed_identity(5);
  const Bytes plain = pattern(1000000);
  std::size_t pos = 0;
  std::mt19937 rng(1);
  // A source that returns short reads of random length.
  age::Source source = [&](std::span<std::uint8_t> out) -> std::optional<std::size_t> {
    // 0 only at the end, as the Source contract says.
    const std::size_t n = std::min({out.size(), plain.size() - pos, 1 + std::size_t(rng() % 5000)});
    std::copy_n(plain.begin() + static_cast<std::ptrdiff_t>(pos), n, out.begin());
    pos += n;
    return n;
  };
  auto reader = age::EncryptingReader::create(std::vector{id.recipient()}, source);
  ASSERT_TRUE(reader);
  const std::uint64_t total = reader->encrypted_size(plain.size());
  Bytes file;
  Bytes part(100000);  // like an upload part: must come back full except the last
  while (true) {
    const auto n = reader->read(part);
    ASSERT_TRUE(n) << n.error().message;
    if (*n == 0) break;
    file.insert(file.end(), part.begin(), part.begin() + static_cast<std::ptrdiff_t>(*n));
    if (file.size() < total) {
      EXPECT_EQ(*n, part.size());
    }
  }
  EXPECT_EQ(file.size(), total);
  EXPECT_EQ(reader->ciphertext_bytes(), total);
  EXPECT_EQ(reader->plaintext_bytes(), plain.size());
  EXPECT_EQ(*age::decrypt(file, {id}), plain);
}

TEST(EncryptingReader, ASourceThatStopsAbortsTheRead) {
  int calls = 0;
  auto reader =
      age::EncryptingReader::create(std::vector{age_test::fixed_identity(6).recipient()},
                                    [&](std::span<std::uint8_t> out) -> std::optional<std::size_t> {
                                      if (++calls > 2) return std::nullopt;
                                      std::fill(out.begin(), out.end(), 1);
                                      return out.size();
                                    });
  ASSERT_TRUE(reader);
  Bytes buf(1 << 20);
  const auto r = reader->read(buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, age::Error::Kind::aborted);
  EXPECT_FALSE(reader->read(buf));  // sticky
}

TEST(Encryptor, EveryFileGetsFreshKeysAndNonces) {
  const std::vector<age::Recipient> rs = {age_test::fixed_identity(7).recipient()};
  const Bytes plain = pattern(100);
  const auto a = age::encrypt(plain, rs);
  const auto b = age::encrypt(plain, rs);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), b->size());
  EXPECT_NE(*a, *b);
  // Not even the ephemeral share (first 54 bytes after the version line) repeats.
  EXPECT_NE(Bytes(a->begin() + 22, a->begin() + 76), Bytes(b->begin() + 22, b->begin() + 76));
}

TEST(Encryptor, RefusesMisuse) {
  auto none = age::Encryptor::create({}, [](std::span<const std::uint8_t>) { return true; });
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, age::Error::Kind::misuse);
  auto enc = age::Encryptor::create(std::vector{age_test::fixed_identity(8).recipient()},
                                    [](std::span<const std::uint8_t>) { return true; });
  ASSERT_TRUE(enc && enc->finish());
  EXPECT_EQ(enc->update(pattern(1)).error().kind, age::Error::Kind::misuse);
}

TEST(Encryptor, ASinkThatStopsAbortsEncryption) {
  int calls = 0;
  auto enc = age::Encryptor::create(std::vector{age_test::fixed_identity(8).recipient()},
                                    [&](std::span<const std::uint8_t>) { return ++calls < 2; });
  ASSERT_TRUE(enc);
  const auto r = enc->update(pattern(200000));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, age::Error::Kind::aborted);
}

}  // namespace
