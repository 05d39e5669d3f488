// Off-site upload benchmark: one encrypted upload per process (the tier's path: a local file
// read in page-aligned blocks, hashed and age-encrypted as it is read, sent by
// s3::upload_object), printed as one line of key=value pairs. bench/offsite/run.sh compares it
// with `curl -T` of the same plaintext to the same radosgw.
//
// Usage: offsite_upload_bench --env FILE --file PATH --sha256 HEX --bucket B [--key K]
//          [--parts-in-flight N] [--part-mib N]
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "age/keys.hpp"
#include "agent/offsite/encrypting_source.hpp"
#include "s3/multipart_uploader.hpp"

namespace {

std::map<std::string, std::string> read_env(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

double cpu_seconds(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if (!args.count("--env") || !args.count("--file") || !args.count("--sha256") ||
      !args.count("--bucket")) {
    std::fprintf(stderr, "usage: see the comment at the top of offsite_upload_bench.cpp\n");
    return 2;
  }
  const auto env = read_env(args["--env"]);
  if (env.count("S3_UNAVAILABLE") || !env.count("S3_ENDPOINT_HTTPS")) {
    std::fprintf(stderr, "offsite_upload_bench: no S3 test server\n");
    return 77;
  }
  s3::ClientOptions o;
  o.endpoint = env.at("S3_ENDPOINT_HTTPS");
  o.region = env.at("S3_REGION");
  o.bucket = args["--bucket"];
  o.credentials = {env.at("S3_ACCESS_KEY"), env.at("S3_SECRET_KEY"), {}};
  o.ca_file = env.at("S3_CA_FILE");
  auto client = s3::Client::create(o);
  if (!client) {
    std::fprintf(stderr, "%s\n", client.error().message.c_str());
    return 1;
  }
  auto identity = age::Identity::generate();
  if (!identity) return 1;
  struct stat st {};
  if (::stat(args["--file"].c_str(), &st) != 0) {
    std::fprintf(stderr, "cannot stat %s\n", args["--file"].c_str());
    return 1;
  }
  auto source = agent::offsite::EncryptingFileSource::open(args["--file"], {identity->recipient()},
                                                           static_cast<std::uint64_t>(st.st_size),
                                                           args["--sha256"]);
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().c_str());
    return 1;
  }
  s3::UploaderOptions up;
  if (args.count("--parts-in-flight")) up.parts_in_flight = std::stoi(args["--parts-in-flight"]);
  if (args.count("--part-mib")) up.part_size = std::stoull(args["--part-mib"]) << 20;
  const std::string key = args.count("--key") ? args["--key"] : "bench/offsite";
  const auto start = std::chrono::steady_clock::now();
  auto receipt = s3::upload_object(**client, key, **source, {}, up);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!receipt) {
    std::fprintf(stderr, "upload failed: %s\n", receipt.error().error.message.c_str());
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double plain_mib = static_cast<double>(st.st_size) / (1 << 20);
  std::printf(
      "tool=offsite parts_in_flight=%d bytes=%llu seconds=%.2f mib_per_s=%.1f cpu_s=%.2f "
      "peak_rss_mib=%.1f\n",
      up.parts_in_flight, static_cast<unsigned long long>(receipt->size), seconds,
      plain_mib / seconds, cpu_seconds(usage), usage.ru_maxrss / 1024.0);
  (void)(*client)->delete_object(key, receipt->version_id);
  return 0;
}
