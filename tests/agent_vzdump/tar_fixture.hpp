#pragma once

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zlib.h>
#include <zstd.h>

// Builds small but real tar archives in memory (ustar headers with valid checksums) and writes
// them compressed with libzstd or zlib, for the verifier tests.
namespace agent::testing {

inline void put_octal(char* field, std::size_t len, unsigned long long value) {
  std::snprintf(field, len, "%0*llo", static_cast<int>(len - 1), value);
}

inline std::string tar_of(const std::vector<std::pair<std::string, std::string>>& files,
                          bool end_marker = true) {
  std::string out;
  for (const auto& [name, data] : files) {
    char header[512] = {};
    std::strncpy(header, name.c_str(), 99);
    put_octal(header + 100, 8, 0644);
    put_octal(header + 108, 8, 0);
    put_octal(header + 116, 8, 0);
    put_octal(header + 124, 12, data.size());
    put_octal(header + 136, 12, 1700000000);
    header[156] = '0';
    std::memcpy(header + 257, "ustar", 6);
    std::memcpy(header + 263, "00", 2);
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    std::snprintf(header + 148, 8, "%06o", sum);
    out.append(header, sizeof header);
    out += data;
    out.append((512 - data.size() % 512) % 512, '\0');
  }
  if (end_marker) out.append(1024, '\0');
  return out;
}

inline std::string zstd_of(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);  // as the zstd CLI (vzdump) writes
  const auto n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  out.resize(n);
  return out;
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline void write_gzip(const std::filesystem::path& path, const std::string& data) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, data.data(), static_cast<unsigned>(data.size()));
  gzclose(f);
}

inline std::string payload(std::size_t size, unsigned seed) {
  std::string s(size, '\0');
  unsigned x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>('a' + (x >> 16) % 7);  // compressible but not trivial
  }
  return s;
}

}  // namespace agent::testing
