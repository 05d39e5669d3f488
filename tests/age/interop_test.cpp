// Interoperability with the real age tool (Debian package `age`) in both directions: our
// files open with `age -d`, files from `age -e -r/-R/-a` open with our Decryptor, keys from
// `age-keygen` parse here and ours work there. Runs processes, hence label integration; skips
// when age is not installed. Key files live in a private temp dir and are never printed.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "age/decryptor.hpp"
#include "age/encryptor.hpp"
#include "age/key_files.hpp"
#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using age_test::Bytes;
using Kind = age::Error::Kind;

std::optional<fs::path> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path p = fs::path(dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return std::nullopt;
}

// Runs argv (no shell) with stdin/stdout redirected to files when given; stderr to `err`.
int run(const std::vector<std::string>& argv, const std::optional<fs::path>& in,
        const std::optional<fs::path>& out, const fs::path& err) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto redirect = [](const fs::path& p, int fd, int flags) {
      const int f = ::open(p.c_str(), flags, 0600);
      if (f < 0 || ::dup2(f, fd) < 0) ::_exit(126);
      ::close(f);
    };
    if (in) redirect(*in, 0, O_RDONLY);
    if (out) redirect(*out, 1, O_WRONLY | O_CREAT | O_TRUNC);
    redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

void write_file(const fs::path& p, std::span<const std::uint8_t> data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

std::string sha256(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  unsigned char md[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(md), len);
}

// SHA-256 over a stream, in hex; counts the bytes it saw.
class StreamHash {
 public:
  StreamHash() : m_ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(m_ctx, EVP_sha256(), nullptr); }
  ~StreamHash() { EVP_MD_CTX_free(m_ctx); }
  StreamHash(const StreamHash&) = delete;
  StreamHash& operator=(const StreamHash&) = delete;
  void update(std::span<const std::uint8_t> b) {
    EVP_DigestUpdate(m_ctx, b.data(), b.size());
    m_bytes += b.size();
  }
  std::string hex() {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_ctx, md, &len);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
    }
    return out;
  }
  std::size_t bytes() const { return m_bytes; }

 private:
  EVP_MD_CTX* m_ctx;
  std::size_t m_bytes = 0;
};

// The same bytes plaintext() writes, handed out in 1 MiB pieces; stops when `use` says false.
bool for_each_plaintext_chunk(std::size_t size, std::uint32_t seed,
                              const std::function<bool(std::span<const std::uint8_t>)>& use) {
  std::size_t done = 0;
  std::uint32_t block = seed;
  while (done < size) {
    const Bytes chunk = age_test::pattern(std::min<std::size_t>(size - done, 1 << 20), block++);
    if (!use(chunk)) return false;
    done += chunk.size();
  }
  return true;
}

std::string sha256_of_plaintext(std::size_t size, std::uint32_t seed) {
  StreamHash h;
  for_each_plaintext_chunk(size, seed, [&](std::span<const std::uint8_t> b) {
    h.update(b);
    return true;
  });
  return h.hex();
}

using WriteFn = std::function<bool(std::span<const std::uint8_t>)>;

// Runs argv (no shell) with a pipe on stdin fed by `producer` on a thread of its own and a pipe
// on stdout read into `consumer` here; stderr to `err`. Nothing touches the disk but stderr.
// Returns the exit code, or -1 when the producer failed or the child did not exit.
int pipe_through(const std::vector<std::string>& argv,
                 const std::function<bool(const WriteFn&)>& producer,
                 const std::function<void(std::span<const std::uint8_t>)>& consumer,
                 const fs::path& err) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (e < 0 || ::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(e, 2) < 0) ::_exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  // A child that exits early must show as its exit code, not kill the test with SIGPIPE.
  const auto old = std::signal(SIGPIPE, SIG_IGN);
  bool produced = false;
  std::thread feeder([&] {
    const WriteFn write = [&](std::span<const std::uint8_t> b) {
      std::size_t off = 0;
      while (off < b.size()) {
        const ssize_t n = ::write(in[1], b.data() + off, b.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
      }
      return true;
    };
    produced = producer(write);
    ::close(in[1]);
  });
  std::vector<std::uint8_t> buf(1 << 16);
  for (;;) {
    const ssize_t n = ::read(out[0], buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    consumer(std::span(buf.data(), static_cast<std::size_t>(n)));
  }
  ::close(out[0]);
  feeder.join();
  std::signal(SIGPIPE, old);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!produced) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class AgeInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto age = find_program("age");
    const auto keygen = find_program("age-keygen");
    if (!age || !keygen) GTEST_SKIP() << "the age tool is not installed (Debian package age)";
    m_age = *age;
    m_keygen = *keygen;
    std::string tmpl = (fs::temp_directory_path() / "smokerbak-age-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);  // mode 0700
    m_dir = tmpl;
  }
  void TearDown() override {
    if (!m_dir.empty()) fs::remove_all(m_dir);
  }

  // A key pair made by age-keygen; returns the identity file's path.
  fs::path keygen(const std::string& name) {
    const fs::path p = m_dir / name;
    EXPECT_EQ(run({m_keygen.string(), "-o", p.string()}, std::nullopt, std::nullopt, err()), 0)
        << stderr_text();
    return p;
  }
  age::Identity identity(const fs::path& file) {
    auto ids = age::read_identity_file(file);
    EXPECT_TRUE(ids) << ids.error().message;
    return ids->at(0);
  }
  std::string public_key(const fs::path& identity_file) {
    const fs::path out = m_dir / "pub.txt";
    EXPECT_EQ(run({m_keygen.string(), "-y", identity_file.string()}, std::nullopt, out, err()), 0);
    auto text = age_test::text(read_file(out));
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  // age -d -i identity -o out in; the exit code.
  int age_decrypt(const fs::path& identity_file, const fs::path& in, const fs::path& out) {
    return run(
        {m_age.string(), "-d", "-i", identity_file.string(), "-o", out.string(), in.string()},
        std::nullopt, std::nullopt, err());
  }
  int age_encrypt(const std::vector<std::string>& flags, const fs::path& in, const fs::path& out) {
    std::vector<std::string> argv = {m_age.string(), "-e"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"-o", out.string(), in.string()});
    return run(argv, std::nullopt, std::nullopt, err());
  }
  fs::path err() const { return m_dir / "stderr.txt"; }
  std::string stderr_text() const { return age_test::text(read_file(err())); }

  // Streams `in` through our Decryptor into `out` in 1 MiB pieces.
  age::Result<void> our_decrypt(const fs::path& in, const fs::path& out,
                                std::vector<age::Identity> ids) {
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    auto dec = age::Decryptor::create(std::move(ids), [&](std::span<const std::uint8_t> b) {
      o.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
      return bool(o);
    });
    if (!dec) return tl::unexpected(dec.error());
    std::ifstream i(in, std::ios::binary);
    std::vector<char> buf(1 << 20);
    while (i.read(buf.data(), static_cast<std::streamsize>(buf.size())) || i.gcount() > 0) {
      const auto n = static_cast<std::size_t>(i.gcount());
      if (auto ok = dec->update(std::span(reinterpret_cast<std::uint8_t*>(buf.data()), n)); !ok) {
        return ok;
      }
    }
    return dec->finish();
  }
  // Streams `in` through our Encryptor into `out`; checks the size promise.
  void our_encrypt(const fs::path& in, const fs::path& out,
                   const std::vector<age::Recipient>& recipients) {
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    auto enc = age::Encryptor::create(recipients, [&](std::span<const std::uint8_t> b) {
      o.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
      return bool(o);
    });
    ASSERT_TRUE(enc);
    std::ifstream i(in, std::ios::binary);
    std::vector<char> buf(1 << 20);
    while (i.read(buf.data(), static_cast<std::streamsize>(buf.size())) || i.gcount() > 0) {
      const auto n = static_cast<std::size_t>(i.gcount());
      ASSERT_TRUE(enc->update(std::span(reinterpret_cast<std::uint8_t*>(buf.data()), n)));
    }
    ASSERT_TRUE(enc->finish());
    o.close();
    EXPECT_EQ(fs::file_size(out), enc->encrypted_size(fs::file_size(in)));
  }
  fs::path plaintext(std::size_t size, std::uint32_t seed) {
    const fs::path p = m_dir / ("plain-" + std::to_string(size));
    std::ofstream o(p, std::ios::binary);
    std::size_t done = 0;
    std::uint32_t block = seed;
    while (done < size) {
      const Bytes chunk = age_test::pattern(std::min<std::size_t>(size - done, 1 << 20), block++);
      o.write(reinterpret_cast<const char*>(chunk.data()),
              static_cast<std::streamsize>(chunk.size()));
      done += chunk.size();
    }
    return p;
  }

  fs::path m_age;
  fs::path m_keygen;
  fs::path m_dir;
};

const std::vector<std::size_t> k_sizes = {0, 1, 65535, 65536, 65537, 131072, 1000000};
constexpr std::size_t k_large = 64u << 20;

TEST_F(AgeInterop, OurFilesDecryptWithAgeAtEverySize) {
  const fs::path key = keygen("key.txt");
  const age::Recipient r = identity(key).recipient();
  for (const std::size_t size : k_sizes) {
    const fs::path in = plaintext(size, 1);
    our_encrypt(in, m_dir / "file.age", {r});
    ASSERT_EQ(age_decrypt(key, m_dir / "file.age", m_dir / "out"), 0)
        << size << ": " << stderr_text();
    EXPECT_EQ(sha256(m_dir / "out"), sha256(in)) << size;
  }
}

TEST_F(AgeInterop, AgesFilesDecryptWithOursAtEverySize) {
  const fs::path key = keygen("key.txt");
  const std::string pub = public_key(key);
  for (const std::size_t size : k_sizes) {
    const fs::path in = plaintext(size, 2);
    ASSERT_EQ(age_encrypt({"-r", pub}, in, m_dir / "file.age"), 0) << stderr_text();
    EXPECT_EQ(fs::file_size(m_dir / "file.age"), age::encrypted_size(size, 1)) << size;
    const auto ok = our_decrypt(m_dir / "file.age", m_dir / "out", {identity(key)});
    ASSERT_TRUE(ok) << size << ": " << ok.error().message;
    EXPECT_EQ(sha256(m_dir / "out"), sha256(in)) << size;
  }
}

TEST_F(AgeInterop, ALargeFileStreamsBothWays) {
  // Streamed through pipes in both directions, never stored: the test needs no disk space
  // (64 MiB three times over did not fit a nearly full CI disk) and shows both sides stream.
  const fs::path key = keygen("key.txt");
  const std::string want = sha256_of_plaintext(k_large, 3);
  const std::vector<age::Recipient> recipients = {identity(key).recipient()};
  {
    StreamHash out;
    const int rc = pipe_through(
        {m_age.string(), "-d", "-i", key.string()},
        [&](const WriteFn& write) {
          auto enc = age::Encryptor::create(recipients, write);
          if (!enc) return false;
          return for_each_plaintext_chunk(k_large, 3,
                                          [&](auto chunk) { return bool(enc->update(chunk)); }) &&
                 bool(enc->finish());
        },
        [&](std::span<const std::uint8_t> b) { out.update(b); }, err());
    ASSERT_EQ(rc, 0) << stderr_text();
    EXPECT_EQ(out.bytes(), k_large);
    EXPECT_EQ(out.hex(), want) << "age -d of our stream";
  }
  {
    StreamHash out;
    auto dec = age::Decryptor::create({identity(key)}, [&](std::span<const std::uint8_t> b) {
      out.update(b);
      return true;
    });
    ASSERT_TRUE(dec);
    age::Result<void> fed;
    const int rc = pipe_through(
        {m_age.string(), "-e", "-r", public_key(key)},
        [&](const WriteFn& write) { return for_each_plaintext_chunk(k_large, 3, write); },
        [&](std::span<const std::uint8_t> b) {
          if (fed) fed = dec->update(b);
        },
        err());
    ASSERT_EQ(rc, 0) << stderr_text();
    ASSERT_TRUE(fed) << fed.error().message;
    const auto done = dec->finish();
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(out.bytes(), k_large);
    EXPECT_EQ(out.hex(), want) << "our decryption of age -e's stream";
  }
}

TEST_F(AgeInterop, MultiRecipientFilesFromARecipientsFileAndFromUs) {
  const std::vector<fs::path> keys = {keygen("a.txt"), keygen("b.txt"), keygen("c.txt")};
  {
    std::ofstream rf(m_dir / "recipients.txt");
    rf << "# off-site recipients\n";
    for (const auto& k : keys) rf << public_key(k) << "\n\n";
  }
  const auto parsed = age::read_recipients_file(m_dir / "recipients.txt");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 3u);

  const fs::path in = plaintext(200000, 4);
  ASSERT_EQ(age_encrypt({"-R", (m_dir / "recipients.txt").string()}, in, m_dir / "theirs.age"), 0)
      << stderr_text();
  our_encrypt(in, m_dir / "ours.age", *parsed);
  for (const auto& k : keys) {
    const auto ok = our_decrypt(m_dir / "theirs.age", m_dir / "out", {identity(k)});
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(sha256(m_dir / "out"), sha256(in));
    ASSERT_EQ(age_decrypt(k, m_dir / "ours.age", m_dir / "out"), 0) << stderr_text();
    EXPECT_EQ(sha256(m_dir / "out"), sha256(in));
  }
}

TEST_F(AgeInterop, AWrongIdentityFailsOnBothSides) {
  const fs::path right = keygen("right.txt");
  const fs::path wrong = keygen("wrong.txt");
  const fs::path in = plaintext(1000, 5);
  ASSERT_EQ(age_encrypt({"-r", public_key(right)}, in, m_dir / "theirs.age"), 0);
  const auto r = our_decrypt(m_dir / "theirs.age", m_dir / "out", {identity(wrong)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::no_identity_matched);
  EXPECT_NE(r.error().message.find("no identity matched"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(m_dir / "out"));

  our_encrypt(in, m_dir / "ours.age", {identity(right).recipient()});
  EXPECT_NE(age_decrypt(wrong, m_dir / "ours.age", m_dir / "out"), 0);
  EXPECT_NE(stderr_text().find("no identity matched"), std::string::npos) << stderr_text();
}

TEST_F(AgeInterop, DamageToAgesFilesFailsWithTheRightKind) {
  const fs::path key = keygen("key.txt");
  const fs::path in = plaintext(3 * 65536 + 100, 6);
  ASSERT_EQ(age_encrypt({"-r", public_key(key)}, in, m_dir / "good.age"), 0);
  const Bytes good = read_file(m_dir / "good.age");
  const std::string text = age_test::text(good);
  const std::size_t mac_line = text.find("\n--- ") + 1;
  const std::size_t header = text.find('\n', mac_line) + 1;

  auto check = [&](const Bytes& file, Kind kind, const char* what) {
    write_file(m_dir / "bad.age", file);
    const auto r = our_decrypt(m_dir / "bad.age", m_dir / "out", {identity(key)});
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().kind, kind) << what << ": " << r.error().message;
    // age agrees that the file is bad.
    EXPECT_NE(age_decrypt(key, m_dir / "bad.age", m_dir / "age-out"), 0) << what;
  };
  Bytes mac = good;
  mac[mac_line + 10] = mac[mac_line + 10] == 'A' ? 'B' : 'A';
  check(mac, Kind::header_mac_mismatch, "MAC altered");
  Bytes version = good;
  version[3] = '_';  // "age_encryption.org": not an age file any more
  check(version, Kind::malformed_header, "version line altered");
  Bytes payload = good;
  payload[header + 16 + 70000] ^= 1;
  check(payload, Kind::payload_damaged, "payload altered");
  check(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(
                                               header + 16 + 2 * age::k_sealed_chunk_size)),
        Kind::truncated, "cut at a chunk boundary");
  check(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(header + 5)),
        Kind::truncated, "cut inside the nonce");
  Bytes appended = good;
  appended.push_back('\n');
  check(appended, Kind::trailing_data, "newline appended");
}

TEST_F(AgeInterop, KeysFromAgeKeygenParseAndOurIdentityWorksWithAge) {
  const fs::path theirs = keygen("theirs.txt");
  EXPECT_EQ(identity(theirs).recipient().to_string(), public_key(theirs));

  const auto ours = age::Identity::generate();
  ASSERT_TRUE(ours);
  const fs::path ours_file = m_dir / "ours.txt";
  {
    const int fd = ::open(ours_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    const auto text = age::format_identity_file(*ours, "2026-12-03T00:00:00Z");
    ASSERT_EQ(::write(fd, text.view().data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  EXPECT_EQ(public_key(ours_file), ours->recipient().to_string());
  const fs::path in = plaintext(70000, 7);
  ASSERT_EQ(age_encrypt({"-r", ours->recipient().to_string()}, in, m_dir / "f.age"), 0);
  ASSERT_EQ(age_decrypt(ours_file, m_dir / "f.age", m_dir / "out"), 0) << stderr_text();
  EXPECT_EQ(sha256(m_dir / "out"), sha256(in));
}

TEST_F(AgeInterop, AnSshKeyMadeBySshKeygenIsRefusedWithWhatToDoAndNotEchoed) {
  // The agent reads X25519 identities only; an operator who passes an SSH key gets told so.
  // The key is made here, by ssh-keygen, and removed with the test's directory.
  const auto ssh_keygen = find_program("ssh-keygen");
  if (!ssh_keygen) GTEST_SKIP() << "ssh-keygen is not installed (Debian package openssh-client)";
  const fs::path key = m_dir / "id_ed25519";
  ASSERT_EQ(run({ssh_keygen->string(), "-q", "-t", "ed25519", "-N", "", "-C", "drill", "-f",
                 key.string()},
                std::nullopt, std::nullopt, err()),
            0)
      << stderr_text();
  const auto r = age::read_identity_file(key);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, age::Error::Kind::unsupported);
  EXPECT_NE(r.error().message.find("SSH"), std::string::npos) << r.error().message;
  const std::string body = age_test::text(read_file(key));
  const auto line = body.substr(body.find('\n') + 1, 40);  // the key's first base64 characters
  EXPECT_EQ(r.error().message.find(line), std::string::npos) << "the key must not be echoed";
}

TEST_F(AgeInterop, ArmoredFilesFromAgeDecrypt) {
  const fs::path key = keygen("key.txt");
  for (const std::size_t size : {0ul, 47ul, 48ul, 100000ul}) {
    const fs::path in = plaintext(size, 8);
    ASSERT_EQ(age_encrypt({"-a", "-r", public_key(key)}, in, m_dir / "f.age"), 0);
    const auto ok = our_decrypt(m_dir / "f.age", m_dir / "out", {identity(key)});
    ASSERT_TRUE(ok) << size << ": " << ok.error().message;
    EXPECT_EQ(sha256(m_dir / "out"), sha256(in)) << size;
  }
}

}  // namespace
