// Writes the fuzz targets' seed corpora (built and run at build time, not instrumented): small
// archives from the stand-in's deterministic archive writer (plain, gzip, two gzip members,
// --oplog, deep documents, a small gzip bomb), single BSON documents of every kind, mongodump
// stderr samples, PVE API bodies, tar streams, prune strings, namespaces and text, and age files
// encrypted to the fuzz target's identities (age_fuzz_keys.hpp).
// Usage: make_seeds OUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "age/encryptor.hpp"
#include "age/stream.hpp"
#include "tests/agent_vzdump/tar_fixture.hpp"
#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/dataset.hpp"
#include "tests/fuzz/age_fuzz_keys.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

fs::path g_out;

void put(const std::string& dir, const std::string& name, const void* data, std::size_t size) {
  fs::create_directories(g_out / dir);
  std::ofstream(g_out / dir / name, std::ios::binary)
      .write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}
void put(const std::string& dir, const std::string& name, const Bytes& b) {
  put(dir, name, b.data(), b.size());
}
void put(const std::string& dir, const std::string& name, const std::string& s) {
  put(dir, name, s.data(), s.size());
}

fake_mongo::DatasetSpec small_dataset() {
  fake_mongo::DatasetSpec d;
  d.db = "smoker";
  d.collections = {{"users", "users", 3},
                   {"smokes", "smokes", 2},
                   {"temps", "temps", 5},
                   {"notifications", "notifications", 2},
                   {"presets", "empty", 0}};
  return d;
}

void archives() {
  const auto data = small_dataset();
  fake_mongo::ArchiveOptions o;
  o.segment_bytes = 512;  // several interleaved segments
  const Bytes plain = fake_mongo::build_archive(data, o, false);
  put("archive", "small.archive", plain);
  put("archive", "small.archive.gz", fake_mongo::gzip_bytes(plain));
  Bytes two = fake_mongo::gzip_bytes(Bytes(plain.begin(), plain.begin() + plain.size() / 2));
  const Bytes rest = fake_mongo::gzip_bytes(Bytes(plain.begin() + plain.size() / 2, plain.end()));
  two.insert(two.end(), rest.begin(), rest.end());
  put("archive", "two-members.archive.gz", two);
  auto with_oplog = data;
  with_oplog.oplog_entries = 4;
  put("archive", "oplog.archive", fake_mongo::build_archive(with_oplog, o, false));
  auto names = data;
  names.collections[0].name = "caf\xC3\xA9s";
  names.collections[1].name = "a b$c";
  put("archive", "odd-names.archive", fake_mongo::build_archive(names, o, false));
  auto bad = data;
  bad.db = "../../x";
  put("archive", "traversal.archive", fake_mongo::build_archive(bad, o, false));
  o.faults.bad_crc_ns = "smoker.temps";
  put("archive", "bad-crc.archive", fake_mongo::build_archive(data, o, false));
  put("archive", "bomb.archive.gz", fake_mongo::gzip_bomb_archive(1, true));
}

void bson_documents() {
  const auto data = fake_mongo::default_dataset();
  for (const auto& c : data.collections) {
    if (c.kind == "empty") continue;
    for (std::uint64_t i = 0; i < 2; ++i) {
      Bytes doc;
      fake_mongo::append_document(doc, c, i, 1);
      put("bson", c.kind + std::to_string(i) + ".bson", doc);
    }
  }
  Bytes oplog;
  fake_mongo::append_document(oplog, {"oplog", "oplog", 1}, 0, 1);
  put("bson", "oplog.bson", oplog);
  // 201 levels below the top: one past MongoDB's limit.
  Bytes deep;
  std::vector<std::size_t> starts;
  for (int i = 0; i < 201; ++i) {
    starts.push_back(deep.size());
    deep.insert(deep.end(), {0, 0, 0, 0, 0x03, 0});
  }
  deep.insert(deep.end(), {5, 0, 0, 0, 0});
  for (std::size_t k = starts.size(); k-- > 0;) {
    deep.push_back(0);
    const std::size_t v = deep.size() - starts[k];
    for (int b = 0; b < 4; ++b) deep[starts[k] + b] = static_cast<std::uint8_t>(v >> (8 * b));
  }
  put("bson", "deep201.bson", deep);
}

void dump_logs() {
  const std::string ts = "2026-01-01T00:00:00.000+0000\t";
  put("dump_log", "ok.log",
      ts + "writing smoker.temps to archive on stdout\n" + ts +
          "[########................]  smoker.temps  101/4000  (2.5%)\n" + ts +
          "done dumping smoker.temps (4000 documents)\n" + ts +
          "done dumping `smoker.odd name` (1 document)\n" + ts +
          "writing captured oplog to archive on stdout\n" + ts + "\tdumped 12 oplog entries\n" +
          "Enter password for mongo user:\n");
  put("dump_log", "failed.log",
      ts + "Failed: can't create session: failed to connect to mongodb://u:pw@localhost/: "
           "(AuthenticationFailed) Authentication failed.\r\n");
  put("dump_log", "hostile.log",
      ts + "done dumping smoker.t\xFF (184467440737095516160 documents)\n" + ts +
          "Failed: \x1B[2J\xC0\xAF\n" + ts + "done dumping smoker.x (3 documents)\n" + ts +
          "done dumping smoker.x (4 documents)\n");
}

void api_bodies() {
  const std::vector<std::pair<int, std::string>> bodies = {
      {0, R"({"data":{"version":"8.2.4","release":"8.2","repoid":"abc"}})"},
      {1,
       R"({"data":[{"vmid":106,"type":"lxc","node":"pve","name":"smoker","status":"running"}]})"},
      {2, R"({"data":{"status":"running","vmid":106,"lock":"backup"}})"},
      {3, R"({"data":"UPID:pve:000A1B2C:0012D687:67A1B2C3:vzdump:106:root@pam:"})"},
      {4,
       R"({"data":{"status":"stopped","exitstatus":"OK","upid":"UPID:pve:1:2:3:vzdump:106:root@pam:","starttime":1700000000}})"},
      {5, R"({"data":[{"n":1,"t":"INFO: starting new backup job"}],"total":1})"},
      {6,
       R"({"data":[{"upid":"UPID:pve:1:2:3:vzdump:106:root@pam:","type":"vzdump","id":"106","starttime":1700000000,"status":"OK"}]})"},
      {7,
       R"({"data":[{"volid":"local:backup/vzdump-lxc-106-2026_01_01-01_00_00.tar.zst","vmid":106,"subtype":"lxc","ctime":1700000000,"size":123456,"notes":"smokerbak: nightly","protected":0,"format":"tar.zst"}]})"},
      {8, R"({"data":{"notes":"x","protected":1,"size":5}})"},
      {9,
       R"({"data":[{"id":"backup-1","schedule":"daily","vmid":"106","storage":"local","enabled":1}]})"},
      {10,
       R"({"data":{"storage":"local","type":"dir","content":"backup,iso","prune-backups":"keep-daily=7"}})"},
      {11,
       R"({"data":[{"volid":"local:backup/x.tar.zst","mark":"keep","type":"lxc","vmid":106,"ctime":1}]})"},
      {12, "UPID:pve:000A1B2C:0012D687:67A1B2C3:vzdump:106:root@pam:"},
      {13,
       R"({"data":null,"errors":{"vmid":"value does not look like a valid VM ID"},"message":"Parameter verification failed.\n"})"},
  };
  int i = 0;
  for (const auto& [sel, body] : bodies) {
    put("response_parser", "body" + std::to_string(i++),
        std::string(1, static_cast<char>(sel)) + body);
  }
  std::string deep(1, '\x07');
  deep += R"({"data":)" + std::string(2000, '[') + std::string(2000, ']') + "}";
  put("response_parser", "deep-json", deep);
}

void tars() {
  put("tar", "two-files.tar",
      agent::testing::tar_of(
          {{"./etc/hostname", "smoker\n"}, {"./var/lib/mongo/x", std::string(700, 'x')}}));
  put("tar", "no-end.tar", agent::testing::tar_of({{"./a", "1"}}, false));
}

void strings() {
  const std::vector<std::string> prune = {
      "keep-daily=7,keep-weekly=4,keep-monthly=12", "keep-all=1",  "keep-last=3, keep-hourly=0",
      "keep-yearly=99999999999999999999",           "keep-daily=", "keep-all=yes,keep-daily=0"};
  for (std::size_t i = 0; i < prune.size(); ++i)
    put("prune_options", "p" + std::to_string(i), prune[i]);
  const std::vector<std::string> names = {
      "\x06smokertemps",           "\x06smokercaf\xC3\xA9s", "\x07../../xtemps",
      std::string("\x00oplog", 6), "\x05localoplog.$main",   "\x06smoker" + std::string(247, 'L')};
  for (std::size_t i = 0; i < names.size(); ++i)
    put("export_names", "n" + std::to_string(i), names[i]);
  const std::vector<std::string> text = {
      "plain", "caf\xC3\xA9 \xF0\x9F\x94\xA5", "\x1B]0;t\x07\x1B[2J\r\n\t\x7F",
      "\xC2\x9B\xE2\x80\xAE\xE2\x81\xA6", "\xFF\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80"};
  for (std::size_t i = 0; i < text.size(); ++i) put("safe_text", "t" + std::to_string(i), text[i]);
  const std::vector<std::string> notes = {
      "smokerbak:3f9a0c2e71b4:prod-cloud:20251207T010002Z \xC2\xB7 keep: daily, weekly \xC2\xB7 "
      "verified\nsmartsmoker-cloud (pve1)",
      "smokerbak:3f9a0c2e71b4:prod-cloud:20251207T010002Z \xC2\xB7 remove pending \xC2\xB7 not "
      "yet verified by PBS \xC2\xB7 offsite: s3",
      "prod-cloud smokerbak:20251207T010002Z \xC2\xB7 keep: last \xC2\xB7 verify FAILED",
      "not for smokerbak: keep",
      "manual\nsmokerbak:3f9a0c2e71b4:prod-cloud:R1",
      "local:backup/vzdump-lxc-106-2025_12_07-01_00_02.tar.zst",
      "local:backup/vzdump-lxc-106-2025_12_07-01_00_02-renamed.tar.zst",
      "local:backup/ct/106/2025-12-07T01:00:02Z",
      "local:backup/../vzdump-lxc-106-2025_12_07-01_00_02.tar"};
  for (std::size_t i = 0; i < notes.size(); ++i) put("notes", "n" + std::to_string(i), notes[i]);
}

void configs() {
  const std::string head =
      "proxmox:\n  token_id: \"smokerbak@pve!agent\"\n"
      "  token_secret_file: /etc/pve-smokerbak/pve-token\n";
  const std::vector<std::string> yaml = {
      head + "targets:\n  - name: prod-cloud\n    vmid: 106\n    vzdump: {}\n",
      head +
          "retention:\n  keep-daily: seven\n  keep-weekyl: 4\ntimezone: Europe/Berlin\n"
          "targets:\n  - name: a\n    vmid: 106\n    vzdump: {storage: local, mode: stop}\n",
      head +
          "retention: \"keep-last=3,keep-monthly=2\"\nstate_dir: /var/lib/x\ntargets:\n"
          "  - name: b\n    vmid: 107\n    mongo:\n"
          "      ssh: {host: 10.0.0.7, port: 22, identity_file: /k, known_hosts: /kh}\n"
          "      command: \"\"\n      oplog: true\n      max_inflated_bytes: 64GiB\n"
          "      stderr_keep_bytes: 1 MiB\n      max_duration_s: 3600\n"
          "      username: backup\n      password_file: mongo-password\n",
      "targets: [ {name: &a x, vmid: *a} ]\n",
      "a: " + std::string(300, '[') + "\n",
      "proxmox: !!binary AAAA\ntargets:\n  - ? [complex, key]\n    : 1\n"};
  for (std::size_t i = 0; i < yaml.size(); ++i) put("config", "c" + std::to_string(i), yaml[i]);
}

// An age seed for fuzz_age_decrypt: the mode byte, then the bytes that mode feeds.
void put_age(const std::string& name, std::uint8_t mode, const Bytes& body) {
  Bytes seed{mode};
  seed.insert(seed.end(), body.begin(), body.end());
  put("age_decrypt", name, seed);
}

// The age ASCII armor of a binary file: PEM, standard base64 with padding, 64 columns.
Bytes armored(const Bytes& binary) {
  std::string b64(4 * ((binary.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), binary.data(),
                                static_cast<int>(binary.size()));
  b64.resize(static_cast<std::size_t>(n));
  std::string text = "-----BEGIN AGE ENCRYPTED FILE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) text += b64.substr(i, 64) + "\n";
  text += "-----END AGE ENCRYPTED FILE-----\n";
  return Bytes(text.begin(), text.end());
}

void age_files() {
  const auto ids = fuzz_age::identities();
  const std::vector<age::Recipient> first{ids[0].recipient()};
  const std::vector<age::Recipient> both{ids[1].recipient(), ids[0].recipient()};
  const std::vector<age::Recipient> second{ids[1].recipient()};
  const auto plain = [](std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 31 + 7);
    return b;
  };
  struct File {
    const char* name;
    std::size_t size;
    const std::vector<age::Recipient>* to;
  };
  const File files[] = {{"empty", 0, &first},
                        {"small", 100, &first},
                        {"one-chunk", age::k_chunk_size, &first},
                        {"two-chunks", age::k_chunk_size + 1, &first},
                        {"two-recipients", 300, &both},
                        {"other-identity", 50, &second}};
  for (const File& f : files) {
    const Bytes file = *age::encrypt(plain(f.size), *f.to);
    put_age(std::string(f.name) + ".age", 2, file);                    // all at once
    put_age(std::string(f.name) + "-pieces.age", 1 + (7 << 2), file);  // 8-byte pieces
    // The header alone (up to the payload nonce, which follows the "---" line's MAC).
    const std::size_t payload = age::payload_size(f.size);
    put_age(std::string(f.name) + ".header", 0, Bytes(file.begin(), file.end() - payload));
  }
  put_age("small-armored.age", 2, armored(*age::encrypt(plain(200), first)));

  // Payload only (mode 3): a nonce, then sealed chunks under the fixed file key.
  const age::FileKey key = fuzz_age::payload_file_key();
  age::PayloadNonce nonce{};
  for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<std::uint8_t>(i);
  for (std::size_t size : {std::size_t{0}, std::size_t{1000}, age::k_chunk_size + 10}) {
    auto sealer = *age::ChunkSealer::create(key, nonce);
    Bytes body(nonce.begin(), nonce.end());
    const Bytes text = plain(size);
    std::size_t at = 0;
    do {
      const std::size_t n = std::min(age::k_chunk_size, text.size() - at);
      const bool final = at + n == text.size();
      Bytes sealed(n + 16);
      (void)sealer.seal(std::span(text).subspan(at, n), final, sealed);
      body.insert(body.end(), sealed.begin(), sealed.end());
      at += n;
    } while (at < text.size());
    put_age("payload-" + std::to_string(size), 3, body);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  g_out = argv[1];
  archives();
  bson_documents();
  dump_logs();
  api_bodies();
  tars();
  strings();
  configs();
  age_files();
  return 0;
}
