#include "agent/vzdump/archive_verifier.hpp"

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "agent/vzdump/tar_walker.hpp"

namespace agent {
namespace {

constexpr std::size_t k_read_size = 1 << 20;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A decompressor turns file bytes into tar bytes for the walker; returns an error text or "".
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::string feed(const unsigned char* data, std::size_t size, TarWalker& tar) = 0;
  virtual std::string finish() = 0;  // at end of file: error if the stream is incomplete
};

class PlainDecoder final : public Decoder {
 public:
  std::string feed(const unsigned char* data, std::size_t size, TarWalker& tar) override {
    tar.feed(data, size);
    return {};
  }
  std::string finish() override { return {}; }
};

class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder() : m_ctx(ZSTD_createDCtx()), m_out(ZSTD_DStreamOutSize()) {}
  ~ZstdDecoder() override { ZSTD_freeDCtx(m_ctx); }
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;

  std::string feed(const unsigned char* data, std::size_t size, TarWalker& tar) override {
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
      m_last = ZSTD_decompressStream(m_ctx, &out, &in);
      if (ZSTD_isError(m_last)) {
        return std::string("zstd: ") + ZSTD_getErrorName(m_last) + " (corrupt data)";
      }
      tar.feed(m_out.data(), out.pos);
    }
    // Flush what the decoder still holds for this input.
    while (m_last != 0) {
      ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
      ZSTD_inBuffer none{nullptr, 0, 0};
      m_last = ZSTD_decompressStream(m_ctx, &out, &none);
      if (ZSTD_isError(m_last)) {
        return std::string("zstd: ") + ZSTD_getErrorName(m_last) + " (corrupt data)";
      }
      tar.feed(m_out.data(), out.pos);
      if (out.pos < out.size) break;  // needs more input
    }
    m_any = true;
    return {};
  }
  std::string finish() override {
    if (!m_any) return "the file is empty";
    if (m_last != 0) return "zstd: the compressed stream ends inside a frame (truncated)";
    return {};
  }

 private:
  ZSTD_DCtx* m_ctx;
  std::vector<unsigned char> m_out;
  std::size_t m_last = 1;
  bool m_any = false;
};

class GzipDecoder final : public Decoder {
 public:
  GzipDecoder() : m_out(256 * 1024) {
    std::memset(&m_z, 0, sizeof(m_z));
    m_ok = inflateInit2(&m_z, 15 + 32) == Z_OK;
  }
  ~GzipDecoder() override { inflateEnd(&m_z); }
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  std::string feed(const unsigned char* data, std::size_t size, TarWalker& tar) override {
    if (!m_ok) return "zlib: cannot initialise inflate";
    m_z.next_in = const_cast<unsigned char*>(data);
    m_z.avail_in = static_cast<uInt>(size);
    while (m_z.avail_in > 0) {
      if (m_member_done) {
        // Another gzip member (pigz, concatenated files) follows.
        inflateReset(&m_z);
        m_member_done = false;
      }
      m_z.next_out = m_out.data();
      m_z.avail_out = static_cast<uInt>(m_out.size());
      const int rc = inflate(&m_z, Z_NO_FLUSH);
      tar.feed(m_out.data(), m_out.size() - m_z.avail_out);
      if (rc == Z_STREAM_END) {
        m_member_done = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return std::string("gzip: ") + (m_z.msg ? m_z.msg : "inflate failed") + " (corrupt data)";
      }
    }
    m_any = true;
    return {};
  }
  std::string finish() override {
    if (!m_any) return "the file is empty";
    if (!m_member_done) return "gzip: the compressed stream ends early (truncated)";
    return {};
  }

 private:
  z_stream m_z;
  std::vector<unsigned char> m_out;
  bool m_ok = false;
  bool m_member_done = false;
  bool m_any = false;
};

std::string to_hex(const unsigned char* data, unsigned int len) {
  static const char* k_digits = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += k_digits[data[i] >> 4];
    out += k_digits[data[i] & 0xF];
  }
  return out;
}

// Reads a file in k_read_size pieces on a thread of its own and hashes them (SHA-256) there,
// handing each piece to the caller through a fixed ring of k_slots buffers (no copy; memory
// k_slots x k_read_size). take() returns the pieces in order, nullopt at the end.
class ReadAhead {
 public:
  static constexpr std::size_t k_slots = 4;
  struct Piece {
    const unsigned char* data;
    std::size_t size;
  };
  struct Outcome {
    std::string sha256;  // hex, of every byte read
    std::string error;   // read error text, or ""
  };

  explicit ReadAhead(int fd) : m_fd(fd) {
    for (std::size_t i = 0; i < k_slots; ++i) {
      m_slots.emplace_back(new unsigned char[k_read_size]);
      m_free.push_back(m_slots.back().get());
    }
    m_thread = std::thread([this] { run(); });
  }
  ~ReadAhead() { finish(); }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  std::optional<Piece> take() {
    std::unique_lock lock(m_mutex);
    m_taker.wait(lock, [this] { return !m_filled.empty() || m_ended; });
    if (m_filled.empty()) return std::nullopt;
    const Piece p = m_filled.front();
    m_filled.pop_front();
    return p;
  }
  void done(const unsigned char* data) {
    std::lock_guard lock(m_mutex);
    m_free.push_back(const_cast<unsigned char*>(data));  // one of m_slots, lent as const
    m_reader.notify_one();
  }
  // Waits for the reading thread (after the last take(), or early: it stops at once).
  Outcome finish() {
    if (m_thread.joinable()) {
      {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_reader.notify_one();
      }
      m_thread.join();
    }
    return m_outcome;
  }

 private:
  void run() {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    for (;;) {
      unsigned char* slot = nullptr;
      {
        std::unique_lock lock(m_mutex);
        m_reader.wait(lock, [this] { return !m_free.empty() || m_stop; });
        if (m_stop) break;
        slot = m_free.back();
        m_free.pop_back();
      }
      std::size_t got = 0;  // fill the slot: the decoder gets the same pieces as before
      while (got < k_read_size) {
        const ssize_t n = ::read(m_fd, slot + got, k_read_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) m_outcome.error = std::strerror(errno);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
      if (got > 0) EVP_DigestUpdate(md.get(), slot, got);
      std::lock_guard lock(m_mutex);
      if (got > 0) {
        m_filled.push_back({slot, got});
      } else {
        m_free.push_back(slot);
      }
      if (got < k_read_size) break;  // end of file or an error
      m_taker.notify_one();
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md.get(), digest, &len);
    std::lock_guard lock(m_mutex);
    m_outcome.sha256 = to_hex(digest, len);
    m_ended = true;
    m_taker.notify_one();
  }

  int m_fd;
  std::vector<std::unique_ptr<unsigned char[]>> m_slots;
  std::thread m_thread;
  std::mutex m_mutex;  // guards everything below
  std::condition_variable m_reader, m_taker;
  std::vector<unsigned char*> m_free;
  std::deque<Piece> m_filled;
  bool m_stop = false, m_ended = false;
  Outcome m_outcome;
};

}  // namespace

const char* to_string(ArchiveVerdict verdict) {
  switch (verdict) {
    case ArchiveVerdict::verified:
      return "verified";
    case ArchiveVerdict::corrupt:
      return "corrupt";
    case ArchiveVerdict::unreadable:
      return "unreadable";
    case ArchiveVerdict::unsupported:
      return "unsupported";
  }
  return "unreadable";
}

std::optional<ArchiveVerdict> parse_archive_verdict(std::string_view text) {
  for (const auto v : {ArchiveVerdict::verified, ArchiveVerdict::corrupt,
                       ArchiveVerdict::unreadable, ArchiveVerdict::unsupported}) {
    if (text == to_string(v)) return v;
  }
  return std::nullopt;
}

ArchiveCheck verify_archive(const std::filesystem::path& path,
                            const std::function<void(std::uint64_t bytes)>& on_read) {
  ArchiveCheck check;
  const std::string name = path.filename().string();
  std::unique_ptr<Decoder> decoder;
  if (ends_with(name, ".tar.zst")) {
    check.compression = "zstd";
    decoder = std::make_unique<ZstdDecoder>();
  } else if (ends_with(name, ".tar.gz") || ends_with(name, ".tgz")) {
    check.compression = "gzip";
    decoder = std::make_unique<GzipDecoder>();
  } else if (ends_with(name, ".tar")) {
    check.compression = "none";
    decoder = std::make_unique<PlainDecoder>();
  } else {
    check.compression = path.extension().string();
    check.verdict = ArchiveVerdict::unsupported;
    check.problem = "cannot verify " + name +
                    ": only .tar.zst, .tar.gz and .tar are supported (set vzdump.compress to "
                    "zstd)";
    return check;
  }

  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    check.problem = "cannot open " + path.string() + ": " + std::strerror(errno) +
                    " (the agent must run on the Proxmox node that holds the storage)";
    return check;
  }
  // Reading and SHA-256 run on a second thread, decompression and the tar walk here: the two
  // halves take about a third and two thirds of the work (bench/RESULTS.md), so the check runs
  // at about the decompressor's own speed.
  ReadAhead reader(fd);
  TarWalker tar;
  std::string problem;
  while (const auto piece = reader.take()) {
    check.file_bytes += piece->size;
    if (on_read) on_read(piece->size);
    if (problem.empty()) problem = decoder->feed(piece->data, piece->size, tar);
    if (problem.empty() && !tar.error().empty()) problem = tar.error();
    reader.done(piece->data);
  }
  const ReadAhead::Outcome read = reader.finish();
  ::close(fd);
  if (!read.error.empty()) {
    check.problem = "reading " + path.string() + " failed: " + read.error;
    return check;
  }
  check.sha256 = read.sha256;
  check.tar_bytes = tar.bytes();
  check.tar_entries = tar.entries();
  if (problem.empty()) problem = decoder->finish();
  if (problem.empty()) problem = tar.finish_error();
  if (!problem.empty()) {
    check.verdict = ArchiveVerdict::corrupt;
    check.problem = name + ": " + problem;
    return check;
  }
  check.verdict = ArchiveVerdict::verified;
  return check;
}

}  // namespace agent
