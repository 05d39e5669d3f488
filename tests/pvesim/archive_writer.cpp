#include "tests/pvesim/archive_writer.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include <zlib.h>
#include <zstd.h>

namespace pvesim {
namespace {

constexpr std::size_t k_block = 512;

// Compressed output sink: raw, gzip (zlib, gzip wrapper) or zstd (checksummed frame).
class Sink {
 public:
  Sink(std::ofstream& out, Compression c) : m_out(out), m_compression(c) {
    if (c == Compression::zstd) {
      m_zstd = ZSTD_createCCtx();
      ZSTD_CCtx_setParameter(m_zstd, ZSTD_c_compressionLevel, 1);
      ZSTD_CCtx_setParameter(m_zstd, ZSTD_c_checksumFlag, 1);
    } else if (c == Compression::gzip) {
      m_gz_ok = deflateInit2(&m_gz, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    m_buffer.resize(1 << 17);
  }
  ~Sink() {
    if (m_zstd != nullptr) ZSTD_freeCCtx(m_zstd);
    if (m_gz_ok) deflateEnd(&m_gz);
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  bool write(const char* data, std::size_t n, bool last) {
    if (m_compression == Compression::none) {
      m_out.write(data, static_cast<std::streamsize>(n));
      return static_cast<bool>(m_out);
    }
    if (m_compression == Compression::zstd) {
      if (m_zstd == nullptr) return false;
      ZSTD_inBuffer in{data, n, 0};
      const auto mode = last ? ZSTD_e_end : ZSTD_e_continue;
      for (;;) {
        ZSTD_outBuffer out{m_buffer.data(), m_buffer.size(), 0};
        const std::size_t rest = ZSTD_compressStream2(m_zstd, &out, &in, mode);
        if (ZSTD_isError(rest)) return false;
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(out.pos));
        if (last ? rest == 0 : in.pos == in.size) break;
      }
      return static_cast<bool>(m_out);
    }
    if (!m_gz_ok) return false;
    m_gz.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    m_gz.avail_in = static_cast<uInt>(n);
    for (;;) {
      m_gz.next_out = reinterpret_cast<Bytef*>(m_buffer.data());
      m_gz.avail_out = static_cast<uInt>(m_buffer.size());
      const int rc = deflate(&m_gz, last ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return false;
      m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size() - m_gz.avail_out));
      if (last ? rc == Z_STREAM_END : m_gz.avail_in == 0) break;
    }
    return static_cast<bool>(m_out);
  }

 private:
  std::ofstream& m_out;
  Compression m_compression;
  ZSTD_CCtx* m_zstd = nullptr;
  z_stream m_gz{};
  bool m_gz_ok = false;
  std::vector<char> m_buffer;
};

void put_octal(char* field, std::size_t width, std::uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

std::array<char, k_block> ustar_header(const std::string& name, std::uint64_t size, char type,
                                       std::uint64_t mtime) {
  std::array<char, k_block> h{};
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 99));
  put_octal(&h[100], 8, type == '5' ? 0755 : 0644);
  put_octal(&h[108], 8, 0);
  put_octal(&h[116], 8, 0);
  put_octal(&h[124], 12, size);
  put_octal(&h[136], 12, mtime);
  std::memset(&h[148], ' ', 8);
  h[156] = type;
  std::memcpy(&h[257], "ustar", 6);
  std::memcpy(&h[263], "00", 2);
  std::memcpy(&h[265], "root", 4);
  std::memcpy(&h[297], "root", 4);
  unsigned sum = 0;
  for (const char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(&h[148], 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

// Fast deterministic filler: xorshift64 words mapped to printable bytes, so the payload
// compresses somewhat like real file system content instead of not at all.
void fill(std::vector<char>& buf, std::uint64_t& state) {
  for (std::size_t i = 0; i + 8 <= buf.size(); i += 8) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const std::uint64_t word = (state & 0x0F0F0F0F0F0F0F0FULL) | 0x4040404040404040ULL;
    std::memcpy(&buf[i], &word, 8);
  }
}

}  // namespace

tl::expected<std::uint64_t, std::string> write_archive(
    const std::filesystem::path& path, Compression compression, std::uint64_t payload_bytes,
    std::uint64_t seed, const std::string& hostname, bool truncate, const std::string& pct_conf) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return tl::make_unexpected("cannot create " + path.string());
  Sink sink(out, compression);
  const std::uint64_t mtime = 1700000000;
  bool ok = true;
  auto emit = [&](const char* data, std::size_t n) { ok = ok && sink.write(data, n, false); };
  auto emit_file = [&](const std::string& name, const std::string& content) {
    const auto h = ustar_header(name, content.size(), '0', mtime);
    emit(h.data(), h.size());
    emit(content.data(), content.size());
    const std::string pad((k_block - content.size() % k_block) % k_block, '\0');
    emit(pad.data(), pad.size());
  };
  if (!pct_conf.empty()) emit_file("./etc/vzdump/pct.conf", pct_conf);
  for (const char* dir : {"./", "./etc/", "./var/", "./var/lib/", "./var/lib/mongodb/"}) {
    const auto h = ustar_header(dir, 0, '5', mtime);
    emit(h.data(), h.size());
  }
  emit_file("./etc/hostname", hostname + "\n");
  emit_file("./etc/pve-smokerbak-sim", "seed=" + std::to_string(seed) + "\n");

  const std::uint64_t bulk = payload_bytes > 8 * k_block ? payload_bytes - 8 * k_block : k_block;
  const auto h = ustar_header("./var/lib/mongodb/collection-0.wt", bulk, '0', mtime);
  emit(h.data(), h.size());
  std::vector<char> chunk(1 << 16);
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (std::uint64_t left = bulk; left > 0 && ok;) {
    fill(chunk, state);
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
    emit(chunk.data(), n);
    left -= n;
  }
  const std::string tail((k_block - bulk % k_block) % k_block + 2 * k_block, '\0');
  ok = ok && sink.write(tail.data(), tail.size(), true);
  out.close();
  if (!ok || !out) return tl::make_unexpected("writing " + path.string() + " failed");
  std::error_code ec;
  std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return tl::make_unexpected("cannot stat " + path.string());
  if (truncate) {
    size /= 2;
    std::filesystem::resize_file(path, size, ec);
    if (ec) return tl::make_unexpected("cannot truncate " + path.string());
  }
  return size;
}

namespace {

// Up to `limit` bytes of the decompressed stream.
std::string decompressed_head(const std::filesystem::path& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string raw(std::min<std::size_t>(limit, 1 << 22), '\0');
  in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
  raw.resize(static_cast<std::size_t>(in.gcount()));
  std::string out;
  if (raw.size() >= 4 && static_cast<unsigned char>(raw[0]) == 0x28 &&
      static_cast<unsigned char>(raw[1]) == 0xB5 && static_cast<unsigned char>(raw[2]) == 0x2F &&
      static_cast<unsigned char>(raw[3]) == 0xFD) {
    ZSTD_DStream* z = ZSTD_createDStream();
    ZSTD_inBuffer zin{raw.data(), raw.size(), 0};
    std::vector<char> buf(1 << 16);
    while (out.size() < limit && zin.pos < zin.size) {
      ZSTD_outBuffer zout{buf.data(), buf.size(), 0};
      if (ZSTD_isError(ZSTD_decompressStream(z, &zout, &zin))) break;
      out.append(buf.data(), zout.pos);
      if (zout.pos == 0 && zin.pos == zin.size) break;
    }
    ZSTD_freeDStream(z);
    return out;
  }
  if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1F &&
      static_cast<unsigned char>(raw[1]) == 0x8B) {
    z_stream gz{};
    if (inflateInit2(&gz, 31) != Z_OK) return out;
    gz.next_in = reinterpret_cast<Bytef*>(raw.data());
    gz.avail_in = static_cast<uInt>(raw.size());
    std::vector<char> buf(1 << 16);
    while (out.size() < limit) {
      gz.next_out = reinterpret_cast<Bytef*>(buf.data());
      gz.avail_out = static_cast<uInt>(buf.size());
      const int rc = inflate(&gz, Z_NO_FLUSH);
      out.append(buf.data(), buf.size() - gz.avail_out);
      if (rc != Z_OK) break;
    }
    inflateEnd(&gz);
    return out;
  }
  return raw;
}

}  // namespace

std::optional<std::string> read_archive_member(const std::filesystem::path& path,
                                               const std::string& name, std::size_t scan_bytes) {
  const std::string tar = decompressed_head(path, scan_bytes);
  for (std::size_t pos = 0; pos + k_block <= tar.size();) {
    const char* h = tar.data() + pos;
    if (h[0] == '\0') return std::nullopt;
    const std::string member(h, strnlen(h, 100));
    const std::uint64_t size = std::strtoull(std::string(h + 124, 12).c_str(), nullptr, 8);
    const std::size_t data = pos + k_block;
    if (member == name) {
      if (data + size > tar.size()) return std::nullopt;
      return tar.substr(data, size);
    }
    pos = data + (size + k_block - 1) / k_block * k_block;
  }
  return std::nullopt;
}

}  // namespace pvesim
