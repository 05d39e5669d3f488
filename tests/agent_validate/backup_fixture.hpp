#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/core/atomic_file.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/mongo/sha256.hpp"
#include "agent/mongo/validation_report.hpp"
#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/dataset.hpp"

// Archive-form mongo backups on disk as the mongo tier publishes them (backup-STAMP/ with
// <db>.archive.gz and manifest.json), built from the stand-in generator without running the
// tier. Counts in the manifest come from the dataset spec, not from the validator.
namespace validate_test {
namespace fs = std::filesystem;

inline std::int64_t epoch_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A small dataset; `temps` scales the readings collection (for shrink tests).
inline fake_mongo::DatasetSpec small_dataset(std::uint64_t temps = 300) {
  fake_mongo::DatasetSpec d;
  d.db = "smoker";
  d.collections = {{"users", "users", 20},
                   {"smokes", "smokes", 40},
                   {"temps", "temps", temps},
                   {"presets", "empty", 0}};
  return d;
}

inline std::string sha256_of(const std::vector<std::uint8_t>& bytes) {
  agent::mongo::Sha256 sha;
  sha.update(bytes.data(), bytes.size());
  return sha.finish_hex();
}

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_path = fs::temp_directory_path() /
             ("smokerbak-validate-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(m_path);
    fs::create_directories(m_path);
  }
  ~TempDir() { fs::remove_all(m_path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

// Writes backup_dir/backup-<stamp>/ and returns its directory.
inline fs::path make_backup(const fs::path& backup_dir, const std::string& stamp,
                            std::int64_t started_at,
                            const fake_mongo::DatasetSpec& data = small_dataset()) {
  const std::string id = "backup-" + stamp;
  const fs::path dir = backup_dir / id;
  fs::create_directories(dir);
  const auto bytes = fake_mongo::build_archive(data);
  const std::string archive = data.db + ".archive.gz";
  std::ofstream(dir / archive, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  agent::mongo::Manifest m;
  m.backup_id = id;
  m.run_id = stamp;
  m.target = "prod-cloud";
  m.database = data.db;
  m.started_at = started_at;
  m.finished_at = started_at + 5;
  m.archive_file = archive;
  m.size = bytes.size();
  m.sha256 = sha256_of(bytes);
  m.mongodump_exit = 0;
  m.valid = true;
  for (const auto& c : data.collections) {
    agent::mongo::CollectionCount cc;
    cc.ns = data.db + "." + c.name;
    cc.log_documents = c.documents;
    cc.archive_documents = c.documents;
    cc.crc_ok = true;
    m.collections.push_back(cc);
  }
  EXPECT_FALSE(
      agent::write_file_atomically(dir / "manifest.json", agent::mongo::manifest_to_json(m)));
  return dir;
}

// Rewrites a backup's manifest through `edit`.
template <typename Edit>
void edit_manifest(const fs::path& dir, Edit edit) {
  auto m = agent::mongo::read_manifest(dir / "manifest.json");
  ASSERT_TRUE(m.has_value()) << m.error();
  edit(*m);
  ASSERT_FALSE(
      agent::write_file_atomically(dir / "manifest.json", agent::mongo::manifest_to_json(*m)));
}

// Flips one byte in the middle of `file`.
inline void flip_byte(const fs::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  const auto pos = static_cast<std::streamoff>(fs::file_size(file) / 2);
  f.seekg(pos);
  char c = 0;
  f.get(c);
  f.seekp(pos);
  f.put(static_cast<char>(c ^ 0x20));
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

}  // namespace validate_test
