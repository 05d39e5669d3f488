// The C2SP CCTV age test vectors (github.com/C2SP/CCTV, age/testdata): every vector this
// library can run must end the way the vector says. The vectors are not part of this repo:
// point AGE_TESTKIT_DIR at a checkout's age/testdata to run them; otherwise the test skips.
// Vectors that need scrypt passphrases or post-quantum identities (both unsupported here) are
// only checked not to succeed wrongly.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "age/decryptor.hpp"
#include "age/keys.hpp"

namespace {

namespace fs = std::filesystem;

struct Vector {
  std::string name;
  std::multimap<std::string, std::string> fields;
  std::vector<std::uint8_t> body;
};

std::vector<std::uint8_t> inflate_all(const std::vector<std::uint8_t>& in) {
  z_stream z{};
  inflateInit(&z);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> buf(1 << 16);
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), buf.data(), buf.data() + (buf.size() - z.avail_out));
  }
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

Vector load(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> all((std::istreambuf_iterator<char>(in)), {});
  Vector v;
  v.name = path.filename().string();
  std::size_t pos = 0;
  while (pos < all.size()) {
    const auto lf = std::find(all.begin() + static_cast<std::ptrdiff_t>(pos), all.end(), '\n');
    const std::string line(all.begin() + static_cast<std::ptrdiff_t>(pos), lf);
    pos = static_cast<std::size_t>(lf - all.begin()) + 1;
    if (line.empty()) break;
    const auto colon = line.find(": ");
    v.fields.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  v.body.assign(all.begin() + static_cast<std::ptrdiff_t>(std::min(pos, all.size())), all.end());
  if (v.fields.count("compressed") && v.fields.find("compressed")->second == "zlib") {
    v.body = inflate_all(v.body);
  }
  return v;
}

std::string sha256_hex(const std::vector<std::uint8_t>& data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::ostringstream out;
  for (unsigned i = 0; i < len; ++i) {
    out << "0123456789abcdef"[md[i] >> 4] << "0123456789abcdef"[md[i] & 15];
  }
  return out.str();
}

using Kind = age::Error::Kind;

// Which of our kinds a vector's "expect" allows (the README asks implementations to alias
// failures their API does not tell apart).
std::set<Kind> allowed(const std::string& expect) {
  if (expect == "no match") return {Kind::no_identity_matched};
  if (expect == "HMAC failure") return {Kind::header_mac_mismatch};
  if (expect == "header failure") {
    return {Kind::malformed_header, Kind::unsupported, Kind::truncated};
  }
  if (expect == "payload failure") {
    return {Kind::payload_damaged, Kind::truncated, Kind::trailing_data};
  }
  if (expect == "armor failure") return {Kind::armor_malformed, Kind::malformed_header};
  return {};
}

TEST(AgeTestkit, EveryRunnableVectorEndsAsExpected) {
  const char* dir = std::getenv("AGE_TESTKIT_DIR");
  if (dir == nullptr || !fs::is_directory(dir)) {
    GTEST_SKIP() << "set AGE_TESTKIT_DIR to a checkout of C2SP/CCTV age/testdata to run this";
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  int ran = 0;
  int unsupported = 0;
  for (const auto& path : files) {
    const Vector v = load(path);
    const std::string expect = v.fields.find("expect")->second;
    std::vector<age::Identity> ids;
    bool needs_unsupported = v.fields.count("passphrase") > 0;
    for (auto [it, end] = v.fields.equal_range("identity"); it != end; ++it) {
      auto id = age::Identity::parse(it->second);
      if (id) {
        ids.push_back(*id);
      } else {
        needs_unsupported = true;
      }
    }
    if (ids.empty()) ids.push_back(*age::Identity::generate());

    std::vector<std::uint8_t> released;
    auto dec = age::Decryptor::create(ids, [&](std::span<const std::uint8_t> b) {
      released.insert(released.end(), b.begin(), b.end());
      return true;
    });
    ASSERT_TRUE(dec);
    // Feed in uneven pieces to exercise the incremental paths too.
    std::span<const std::uint8_t> rest(v.body);
    age::Result<void> r;
    std::size_t piece = 1;
    while (r && !rest.empty()) {
      const std::size_t n = std::min(rest.size(), piece);
      r = dec->update(rest.first(n));
      rest = rest.subspan(n);
      piece = piece * 3 + 1;
    }
    if (r) r = dec->finish();

    if (std::getenv("AGE_TESTKIT_VERBOSE") != nullptr) {
      std::cout << v.name << ": expect " << expect << ", got "
                << (r ? "success" : age::kind_name(r.error().kind)) << "\n";
    }
    if (needs_unsupported) {
      // Without the passphrase / PQ identity we cannot succeed; we must not claim success.
      ++unsupported;
      EXPECT_FALSE(r && expect != "success" && !released.empty()) << v.name;
      if (expect == "success") {
        EXPECT_FALSE(r) << v.name;
      }
      continue;
    }
    ++ran;
    if (expect == "success") {
      EXPECT_TRUE(r) << v.name << ": " << (r ? "" : r.error().message);
      EXPECT_EQ(sha256_hex(released), v.fields.find("payload")->second) << v.name;
      continue;
    }
    ASSERT_FALSE(r) << v.name << " should fail with " << expect;
    const auto kinds = allowed(expect);
    EXPECT_TRUE(kinds.count(r.error().kind))
        << v.name << ": expected " << expect << ", got " << age::kind_name(r.error().kind) << ": "
        << r.error().message;
    if (expect == "payload failure") {
      EXPECT_EQ(sha256_hex(released), v.fields.find("payload")->second)
          << v.name << ": released plaintext differs";
    } else {
      EXPECT_TRUE(released.empty()) << v.name;
    }
  }
  std::cout << "testkit: " << ran << " vectors run, " << unsupported
            << " need scrypt or post-quantum keys (checked not to succeed)\n";
  EXPECT_GT(ran, 80);
}

}  // namespace
