// Directory-form dumps as the old cron scripts wrote them (<db>/<coll>.bson.gz +
// .metadata.json.gz), generated into a temporary folder.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/mongo_format/collection_names.hpp"
#include "agent/mongo_format/directory_dump.hpp"
#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/dataset.hpp"

namespace fs = std::filesystem;
namespace mf = agent::mongo_format;

namespace {

void write_file(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

class DirectoryDump : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() /
             ("mf-dir-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_root);
    fs::create_directories(m_root / "smoker");
    const auto data = fake_mongo::default_dataset();
    for (const auto& c : data.collections) {
      std::vector<std::uint8_t> bson;
      for (std::uint64_t i = 0; i < c.documents; ++i) fake_mongo::append_document(bson, c, i, 1);
      write_file(m_root / "smoker" / (c.name + ".bson.gz"), fake_mongo::gzip_bytes(bson));
      const std::string md = fake_mongo::metadata_json("smoker", c);
      write_file(m_root / "smoker" / (c.name + ".metadata.json.gz"),
                 fake_mongo::gzip_bytes({md.begin(), md.end()}));
    }
  }
  void TearDown() override { fs::remove_all(m_root); }

  std::vector<std::uint8_t> read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  fs::path m_root;
};

std::uint64_t docs(const mf::ArchiveVerdict& v, const std::string& coll) {
  for (const auto& ns : v.namespaces) {
    if (ns.collection == coll) return ns.documents;
  }
  return 999999;
}

}  // namespace

TEST_F(DirectoryDump, AcceptsAGzipDumpGivenTheRootOrTheDatabaseFolder) {
  for (const fs::path& p : {m_root, m_root / "smoker"}) {
    const auto v = mf::validate_directory_dump(p);
    ASSERT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors[0]);
    EXPECT_EQ(v.namespaces.size(), 5u);
    EXPECT_EQ(docs(v, "temps"), 4000u);
    EXPECT_EQ(docs(v, "presets"), 0u);
  }
}

TEST_F(DirectoryDump, RejectsATruncatedGzipFileAndNamesIt) {
  auto gz = read(m_root / "smoker/temps.bson.gz");
  gz.resize(gz.size() / 2);
  write_file(m_root / "smoker/temps.bson.gz", gz);
  const auto v = mf::validate_directory_dump(m_root);
  EXPECT_FALSE(v.valid);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(v.errors[0].find("temps.bson.gz"), std::string::npos) << v.errors[0];
}

TEST_F(DirectoryDump, RejectsABsonFileEndingInsideADocument) {
  std::vector<std::uint8_t> bson;
  fake_mongo::append_document(bson, {"users", "users", 1}, 0, 1);
  bson.resize(bson.size() - 3);
  write_file(m_root / "smoker/users.bson.gz", fake_mongo::gzip_bytes(bson));
  const auto v = mf::validate_directory_dump(m_root);
  EXPECT_FALSE(v.valid);
}

TEST_F(DirectoryDump, RejectsMetadataThatIsNotJson) {
  const std::string bad = "{\"indexes\":";
  write_file(m_root / "smoker/users.metadata.json.gz",
             fake_mongo::gzip_bytes({bad.begin(), bad.end()}));
  EXPECT_FALSE(mf::validate_directory_dump(m_root).valid);
}

TEST_F(DirectoryDump, RejectsAnEmptyFolder) {
  fs::remove_all(m_root / "smoker");
  fs::create_directories(m_root / "smoker");
  EXPECT_FALSE(mf::validate_directory_dump(m_root).valid);
}

TEST(CollectionNames, EscapesLikeGoQueryEscapeAndHashesLongNames) {
  EXPECT_EQ(mf::escape_collection("caf\xC3\xA9s"), "caf%C3%A9s");
  EXPECT_EQ(mf::escape_collection("a b"), "a+b");
  EXPECT_EQ(mf::escape_collection("a$b/c+d"), "a%24b%2Fc%2Bd");
  EXPECT_EQ(mf::escape_collection("system.version"), "system.version");
  EXPECT_EQ(mf::unescape_collection("caf%C3%A9s"), "caf\xC3\xA9s");
  EXPECT_EQ(mf::unescape_collection("a+b"), "a b");
  const std::string longname(300, 'x');
  const std::string stem = mf::escape_collection(longname);
  EXPECT_EQ(stem.size(), 238u);
  EXPECT_EQ(stem.substr(0, 208), std::string(208, 'x'));
  EXPECT_EQ(stem.substr(208, 3), "%24");
}

TEST_F(DirectoryDump, RefusesDatabaseFoldersAndCollectionsMongoDbCannotHave) {
  fs::create_directories(m_root / "bad name");
  fs::copy_file(m_root / "smoker" / "users.bson.gz", m_root / "bad name" / "users.bson.gz");
  auto v = mf::validate_directory_dump(m_root);
  EXPECT_FALSE(v.valid);
  EXPECT_NE(v.errors.front().find("not a mongodump dump: database name \"bad name\""),
            std::string::npos)
      << v.errors.front();
  fs::remove_all(m_root / "bad name");

  const std::string md = R"({"indexes":[],"collectionName":"a$b"})";
  write_file(m_root / "smoker" / "users.metadata.json.gz",
             fake_mongo::gzip_bytes({md.begin(), md.end()}));
  v = mf::validate_directory_dump(m_root);
  EXPECT_FALSE(v.valid);
  EXPECT_NE(v.errors.front().find("contains '$'"), std::string::npos) << v.errors.front();
}

TEST_F(DirectoryDump, ReadsEveryGzipMemberAndKeepsTheSizeCap) {
  const auto plain = [&] {
    std::vector<std::uint8_t> bson;
    const auto c = fake_mongo::default_dataset().collections[2];
    for (std::uint64_t i = 0; i < c.documents; ++i) fake_mongo::append_document(bson, c, i, 1);
    return bson;
  }();
  // temps.bson.gz as two members, split inside a document.
  auto two = fake_mongo::gzip_bytes({plain.begin(), plain.begin() + 1001});
  const auto rest = fake_mongo::gzip_bytes({plain.begin() + 1001, plain.end()});
  two.insert(two.end(), rest.begin(), rest.end());
  write_file(m_root / "smoker" / "temps.bson.gz", two);
  auto v = mf::validate_directory_dump(m_root);
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors.front());
  EXPECT_EQ(docs(v, "temps"), 4000u);

  mf::ArchiveLimits limits;
  limits.max_inflated_bytes = 100 * 1024;
  v = mf::validate_directory_dump(m_root, limits);
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(v.size_cap_exceeded);
  EXPECT_NE(v.errors.front().find("size cap"), std::string::npos) << v.errors.front();
}

TEST_F(DirectoryDump, DoesNotFollowSymbolicLinks) {
  fs::create_symlink("/etc/passwd", m_root / "smoker" / "passwd.bson");
  const auto v = mf::validate_directory_dump(m_root);
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors.front());
  EXPECT_NE(v.warnings.front().find("symbolic link ignored"), std::string::npos);
}
