// mongo-validate-file FILE [--plain]: runs agent::mongo_format's archive validator over a file
// and prints the verdict and the inflated throughput. Used by bench/validate/run.sh.
#include <chrono>
#include <cstdio>
#include <cstring>

#include "agent/mongo_format/archive_validator.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mongo-validate-file FILE [--plain]\n");
    return 2;
  }
  const bool gzip = !(argc > 2 && std::strcmp(argv[2], "--plain") == 0);
  const auto start = std::chrono::steady_clock::now();
  const auto v = agent::mongo_format::validate_archive_file(argv[1], gzip);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "valid=%d documents=%llu archive_bytes=%llu compressed_bytes=%llu seconds=%.3f "
      "MB/s=%.1f\n",
      v.valid ? 1 : 0, static_cast<unsigned long long>(v.total_documents()),
      static_cast<unsigned long long>(v.archive_bytes),
      static_cast<unsigned long long>(v.compressed_bytes), s,
      static_cast<double>(v.archive_bytes) / 1e6 / s);
  for (const auto& e : v.errors) std::printf("error: %s\n", e.c_str());
  return v.valid ? 0 : 1;
}
