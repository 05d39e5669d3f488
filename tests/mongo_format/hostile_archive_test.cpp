// Archives a compromised container could send (issue 11): names that would be paths or are not
// names at all, invalid UTF-8, 10k-deep documents, a gzip bomb, several gzip members — each
// gets one clean verdict from the validator and from export, and export never writes outside
// its output directory.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/archive_export.hpp"
#include "agent/mongo_format/archive_limits.hpp"
#include "agent/mongo_format/archive_validator.hpp"
#include "agent/mongo_format/collection_names.hpp"
#include "agent/mongo_format/directory_dump.hpp"
#include "agent/mongo_format/mongo_names.hpp"
#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/dataset.hpp"

namespace fs = std::filesystem;
namespace mf = agent::mongo_format;
using Bytes = std::vector<std::uint8_t>;

namespace {

mf::ArchiveVerdict validate(const Bytes& bytes, const mf::ArchiveLimits& limits = {},
                            std::size_t chunk = 65536) {
  mf::ArchiveValidator v(true, limits);
  for (std::size_t i = 0; i < bytes.size(); i += chunk) {
    v.feed(bytes.data() + i, std::min(chunk, bytes.size() - i));
  }
  return v.finish();
}

std::string all_errors(const mf::ArchiveVerdict& v) {
  std::string s;
  for (const auto& e : v.errors) s += e + "\n";
  return s;
}

fake_mongo::DatasetSpec dataset_named(const std::string& db, const std::string& coll = "temps") {
  fake_mongo::DatasetSpec d = fake_mongo::default_dataset(db);
  d.collections[2].name = coll;
  return d;
}

void write_file(const fs::path& p, const Bytes& bytes) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

std::size_t count_files(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

class HostileExport : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() /
             ("mf-hostile-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_root);
    // The export goes to root/a/b/out; "../../x" from there is root/x.
    fs::create_directories(m_root / "a" / "b");
    fs::create_directories(m_root / "outside");
  }
  void TearDown() override { fs::remove_all(m_root); }

  fs::path archive(const Bytes& bytes, const std::string& name = "hostile.archive.gz") {
    write_file(m_root / name, bytes);
    return m_root / name;
  }
  fs::path out() const { return m_root / "a" / "b" / "out"; }

  fs::path m_root;
};

}  // namespace

TEST(MongoNames, FollowMongoDbsRulesForDatabaseNames) {
  EXPECT_FALSE(mf::db_name_problem("smoker"));
  EXPECT_FALSE(mf::db_name_problem("caf\xC3\xA9"));
  EXPECT_FALSE(mf::db_name_problem(std::string(63, 'a')));
  EXPECT_TRUE(mf::db_name_problem(std::string(64, 'a')));
  EXPECT_TRUE(mf::db_name_problem(""));
  for (const std::string& bad :
       std::vector<std::string>{"../../x", "/etc", "a\\b", "a.b", "a b", "a\"b", "a$b",
                                std::string("a\0b", 3), std::string("x\xFF")}) {
    EXPECT_TRUE(mf::db_name_problem(bad)) << agent::escape_control_chars(bad);
  }
  // Windows-only restrictions of mongod: a Linux server accepts these.
  EXPECT_FALSE(mf::db_name_problem("a:b*c?"));
  EXPECT_NE(mf::db_name_problem("../../x")->find("contains '.'"), std::string::npos);
}

TEST(MongoNames, FollowMongoDbsRulesForCollectionNames) {
  EXPECT_FALSE(mf::collection_name_problem("smoker", "temps"));
  EXPECT_FALSE(mf::collection_name_problem("smoker", "system.buckets.temps"));
  EXPECT_FALSE(mf::collection_name_problem("smoker", "a b/c\"d"));  // legal, escaped in files
  EXPECT_FALSE(mf::collection_name_problem("local", "oplog.$main"));
  EXPECT_FALSE(mf::collection_name_problem("smoker", "$admin.system.users"));
  EXPECT_TRUE(mf::collection_name_problem("smoker", ""));
  EXPECT_TRUE(mf::collection_name_problem("smoker", ".hidden"));
  EXPECT_TRUE(mf::collection_name_problem("smoker", "a$b"));
  EXPECT_TRUE(mf::collection_name_problem("smoker", "oplog.$main"));
  EXPECT_TRUE(mf::collection_name_problem("smoker", std::string("a\0b", 3)));
  EXPECT_TRUE(mf::collection_name_problem("smoker", "temps\xC3\x28"));
  EXPECT_FALSE(mf::collection_name_problem("smoker", std::string(248, 'c')));  // 255 in all
  EXPECT_TRUE(mf::collection_name_problem("smoker", std::string(249, 'c')));
  // Only the archive's oplog entry has an empty database name.
  EXPECT_FALSE(mf::namespace_problem("", "oplog"));
  EXPECT_TRUE(mf::namespace_problem("", "temps"));
}

TEST(HostileArchive, NamesThatAreNotMongoDbNamesAreNotAMongodumpArchive) {
  const std::vector<std::pair<std::string, std::string>> cases = {{"../../x", "temps"},
                                                                  {"/etc", "temps"},
                                                                  {"smoker", "temps\xC3\x28"},
                                                                  {"smoker", "a$b"},
                                                                  {std::string(64, 'd'), "t"},
                                                                  {"smo ker", "temps"},
                                                                  {"", "temps"},
                                                                  {"smoker", ".x"}};
  for (const auto& [db, coll] : cases) {
    const auto v = validate(fake_mongo::build_archive(dataset_named(db, coll)));
    const std::string what = agent::escape_control_chars(db + "." + coll);
    EXPECT_FALSE(v.valid) << what;
    ASSERT_FALSE(v.errors.empty()) << what;
    EXPECT_NE(v.errors.front().find("not a mongodump archive"), std::string::npos)
        << v.errors.front();
    // The reason is safe to store and to print, whatever the name held.
    EXPECT_TRUE(agent::is_valid_utf8(v.errors.front()));
    EXPECT_EQ(v.errors.front().find('\x1B'), std::string::npos);
  }
}

TEST(HostileArchive, InvalidUtf8InTheHeaderCannotBreakTheManifestWriter) {
  fake_mongo::ArchiveOptions o;
  o.tool_version = "100.9.4-\xFF\xC0\x1B[31m";
  o.server_version = std::string(10000, 'v');
  const auto v = validate(fake_mongo::build_archive(fake_mongo::default_dataset(), o));
  EXPECT_TRUE(v.valid) << all_errors(v);  // versions are informational
  EXPECT_TRUE(agent::is_valid_utf8(v.tool_version));
  EXPECT_EQ(v.tool_version, "100.9.4-\\xFF\\xC0\\x1B[31m");
  EXPECT_LE(v.server_version.size(), 200u);
  const nlohmann::json j = {{"tool", v.tool_version}, {"server", v.server_version}};
  EXPECT_NO_THROW((void)j.dump());
}

TEST(HostileArchive, TenThousandDeepDocumentsGetACleanVerdict) {
  auto data = fake_mongo::default_dataset();
  data.collections.push_back({"deep", "deep", 3});
  const auto v = validate(fake_mongo::build_archive(data));
  EXPECT_FALSE(v.valid);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(v.errors.front().find("nest deeper than MongoDB allows"), std::string::npos)
      << v.errors.front();
  EXPECT_NE(v.errors.front().find("smoker.deep"), std::string::npos) << v.errors.front();
  // An operator whose server runs with a raised maxBSONDepth can say so.
  mf::ArchiveLimits lifted;
  lifted.max_bson_depth = 20000;
  EXPECT_TRUE(validate(fake_mongo::build_archive(data), lifted).valid);
}

TEST(HostileArchive, APreludeOfTooManyNamespacesIsRefused) {
  mf::ArchiveLimits limits;
  limits.max_namespaces = 3;
  const auto v = validate(fake_mongo::build_archive(fake_mongo::default_dataset()), limits);
  EXPECT_FALSE(v.valid);
  EXPECT_NE(all_errors(v).find("more than 3 namespaces"), std::string::npos) << all_errors(v);
}

TEST(GzipBomb, StopsAtTheCapWithTheReasonAndWithoutInflatingTheRest) {
  // 64 GiB inflated from about 64 MB; the cap is 64 MiB.
  const auto start = std::chrono::steady_clock::now();
  const Bytes bomb = fake_mongo::gzip_bomb_archive(64ull << 30);
  ASSERT_LT(bomb.size(), 100u << 20);
  mf::ArchiveLimits limits;
  limits.max_inflated_bytes = 64ull << 20;
  const long rss_before = peak_rss_kib();
  const auto v = validate(bomb, limits, 1 << 20);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(v.size_cap_exceeded);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(v.errors.front().find("archive inflates to more than 64.0 MiB"), std::string::npos)
      << v.errors.front();
  EXPECT_NE(v.errors.front().find("gzip bomb"), std::string::npos);
  // It stopped at the cap: what was inflated is the cap, not 64 GiB.
  EXPECT_LE(v.archive_bytes, limits.max_inflated_bytes);
  EXPECT_LT(seconds, 30.0);  // inflating 64 GiB would take minutes
  RecordProperty("bomb_compressed_bytes", static_cast<int>(bomb.size()));
  RecordProperty("peak_rss_kib", static_cast<int>(peak_rss_kib()));
  RecordProperty("rss_growth_kib", static_cast<int>(peak_rss_kib() - rss_before));
}

TEST(GzipBomb, IsValidWithoutACapWhichIsWhyTheCapMatters) {
  // A complete bomb of 1 GiB: a sound archive. Without a cap it would be stored as valid.
  const Bytes bomb = fake_mongo::gzip_bomb_archive(1ull << 30, true);
  EXPECT_TRUE(validate(bomb, {}, 1 << 20).valid);
  mf::ArchiveLimits limits;
  limits.max_inflated_bytes = 256ull << 20;
  EXPECT_TRUE(validate(bomb, limits, 1 << 20).size_cap_exceeded);
}

TEST(GzipBomb, CapFromThePreviousBackup) {
  mf::InflatedCapPolicy p;  // x50, floor 4 GiB, ceiling 64 GiB
  EXPECT_EQ(mf::inflated_size_cap(std::nullopt, p), 64ull << 30);
  EXPECT_EQ(mf::inflated_size_cap(1ull << 20, p), 4ull << 30);  // floor
  EXPECT_EQ(mf::inflated_size_cap(100ull << 20, p), 5000ull << 20);
  EXPECT_EQ(mf::inflated_size_cap(10ull << 30, p), 64ull << 30);  // ceiling
  p.ceiling = 0;
  EXPECT_EQ(mf::inflated_size_cap(UINT64_MAX / 2, p), UINT64_MAX);
}

TEST(MultiMemberGzip, IsReadWholeAsMongorestoreReadsIt) {
  const auto data = fake_mongo::default_dataset();
  const Bytes plain = fake_mongo::build_archive(data, {}, false);
  const auto single = validate(fake_mongo::gzip_bytes(plain));
  ASSERT_TRUE(single.valid) << all_errors(single);
  // Two members, split inside a document (mongodump-style content, Go-style headers).
  for (std::size_t cut : {std::size_t{1}, plain.size() / 3, plain.size() - 1}) {
    Bytes two = fake_mongo::gzip_bytes(Bytes(plain.begin(), plain.begin() + cut));
    const Bytes rest = fake_mongo::gzip_bytes(Bytes(plain.begin() + cut, plain.end()));
    two.insert(two.end(), rest.begin(), rest.end());
    for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{7}}) {
      const auto v = validate(two, {}, chunk);
      ASSERT_TRUE(v.valid) << "cut " << cut << ", chunk " << chunk << ": " << all_errors(v);
      EXPECT_EQ(v.gzip_members, 2u);
      EXPECT_EQ(v.total_documents(), single.total_documents());
      EXPECT_EQ(v.archive_bytes, single.archive_bytes);
    }
  }
  // Empty members in between are members too.
  Bytes three = fake_mongo::gzip_bytes(plain);
  const Bytes empty = fake_mongo::gzip_bytes({});
  three.insert(three.begin(), empty.begin(), empty.end());
  EXPECT_TRUE(validate(three).valid);
}

TEST_F(HostileExport, ConcatenatedGzipOutputsValidateAndExportAlike) {
  // Two outputs of the real `gzip` tool, concatenated: what `cat a.gz b.gz` makes.
  const Bytes plain = fake_mongo::build_archive(fake_mongo::default_dataset(), {}, false);
  const std::size_t cut = plain.size() / 2;
  write_file(m_root / "part1", Bytes(plain.begin(), plain.begin() + cut));
  write_file(m_root / "part2", Bytes(plain.begin() + cut, plain.end()));
  const std::string cmd =
      "cd '" + m_root.string() + "' && gzip -c part1 > two.gz && gzip -c part2 >> two.gz";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto v = mf::validate_archive_file(m_root / "two.gz");
  ASSERT_TRUE(v.valid) << all_errors(v);
  EXPECT_EQ(v.gzip_members, 2u);
  auto r = mf::export_archive_to_directory(m_root / "two.gz", out());
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(fs::exists(out() / "smoker" / "temps.bson.gz"));

  // A broken second member: the same reason from both.
  Bytes bytes;
  {
    std::ifstream in(m_root / "two.gz", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bytes[bytes.size() - 6] ^= 0x40;  // the second member's CRC32
  const fs::path broken = archive(bytes, "broken.gz");
  const auto bv = mf::validate_archive_file(broken);
  ASSERT_FALSE(bv.valid);
  const auto br = mf::export_archive_to_directory(broken, m_root / "out2");
  ASSERT_FALSE(br);
  EXPECT_NE(br.error().find(bv.errors.front()), std::string::npos) << br.error() << "\nvs\n"
                                                                   << bv.errors.front();
  EXPECT_NE(bv.errors.front().find("member 2"), std::string::npos) << bv.errors.front();
  EXPECT_FALSE(fs::exists(m_root / "out2"));
}

TEST_F(HostileExport, TraversalAndAbsoluteDatabaseNamesWriteNothingAnywhere) {
  for (const std::string db : {"../../x", "/etc", "..", "../outside"}) {  // NOLINT
    const fs::path a = archive(fake_mongo::build_archive(dataset_named(db)));
    const auto r = mf::export_archive_to_directory(a, out());
    ASSERT_FALSE(r) << db;
    EXPECT_NE(r.error().find("not a mongodump archive"), std::string::npos) << r.error();
    EXPECT_FALSE(fs::exists(out())) << db;         // removed again: nothing partial
    EXPECT_FALSE(fs::exists(m_root / "x")) << db;  // where ../../x would have led
    EXPECT_EQ(count_files(m_root / "outside"), 0u) << db;
  }
}

TEST_F(HostileExport, NoFileNameComesFromAnUncheckedName) {
  // Even without validation, the derived names are single safe components.
  for (const std::string db : {"../../x", "/etc", "..", ".", "a/b", ""}) {
    EXPECT_FALSE(mf::dump_file_name(db, "temps")) << db;
  }
  EXPECT_FALSE(mf::dump_file_name("smoker", ".."));
  EXPECT_FALSE(mf::dump_file_name("smoker", "."));
  const auto f = mf::dump_file_name("smoker", "../../etc/passwd");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->stem, "..%2F..%2Fetc%2Fpasswd");
  EXPECT_EQ(mf::dump_file_name("", "oplog")->stem, "oplog");
}

TEST_F(HostileExport, FilesAreNamedAsMongodumpNamesThem) {
  auto data = fake_mongo::default_dataset();
  data.collections[0].name = "caf\xC3\xA9s";
  data.collections[1].name = "a b/c";
  data.collections[3].name = std::string(247, 'L');
  const fs::path a = archive(fake_mongo::build_archive(data));
  ASSERT_TRUE(mf::export_archive_to_directory(a, out()));
  EXPECT_TRUE(fs::exists(out() / "smoker" / "caf%C3%A9s.bson.gz"));
  EXPECT_TRUE(fs::exists(out() / "smoker" / "caf%C3%A9s.metadata.json.gz"));
  EXPECT_TRUE(fs::exists(out() / "smoker" / "a+b%2Fc.bson.gz"));
  EXPECT_TRUE(fs::exists(out() / "smoker" /
                         (mf::escape_collection(data.collections[3].name) + ".bson.gz")));
  EXPECT_EQ(mf::escape_collection(data.collections[3].name).size(), 238u);
}

TEST_F(HostileExport, WritesPrivateFilesAndRefusesToOverwriteUnlessAsked) {
  const fs::path a = archive(fake_mongo::build_archive(fake_mongo::default_dataset()));
  ::umask(022);
  ASSERT_TRUE(mf::export_archive_to_directory(a, out()));
  struct stat st {};
  ASSERT_EQ(::stat(out().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((out() / "smoker").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((out() / "smoker" / "temps.bson.gz").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = mf::export_archive_to_directory(a, out());
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("--overwrite"), std::string::npos) << again.error();
  EXPECT_TRUE(fs::exists(out() / "smoker" / "temps.bson.gz"));  // untouched

  // With overwrite, an older file of the same name (0644) is replaced and made private.
  fs::permissions(out() / "smoker" / "temps.bson.gz", fs::perms(0644));
  fs::resize_file(out() / "smoker" / "temps.bson.gz", 3);
  write_file(out() / "keep.txt", {'k'});
  mf::ExportOptions o;
  o.overwrite = true;
  ASSERT_TRUE(mf::export_archive_to_directory(a, out(), o));
  EXPECT_GT(fs::file_size(out() / "smoker" / "temps.bson.gz"), 3u);
  ASSERT_EQ(::stat((out() / "smoker" / "temps.bson.gz").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(fs::exists(out() / "keep.txt"));
}

TEST_F(HostileExport, APlantedSymlinkIsNeverWrittenThrough) {
  // What a symlink race would leave: links inside the output directory, pointing outside.
  const fs::path a = archive(fake_mongo::build_archive(fake_mongo::default_dataset()));
  mf::ExportOptions o;
  o.overwrite = true;

  fs::create_directories(out());
  fs::create_directory_symlink(m_root / "outside", out() / "smoker");
  auto r = mf::export_archive_to_directory(a, out(), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("symbolic link"), std::string::npos) << r.error();
  EXPECT_EQ(count_files(m_root / "outside"), 0u);

  fs::remove(out() / "smoker");
  fs::create_directory(out() / "smoker");
  write_file(m_root / "outside" / "victim", {'v', 'i', 'c'});
  fs::create_symlink(m_root / "outside" / "victim", out() / "smoker" / "temps.bson.gz");
  r = mf::export_archive_to_directory(a, out(), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("symbolic link"), std::string::npos) << r.error();
  EXPECT_EQ(fs::file_size(m_root / "outside" / "victim"), 3u);

  fs::remove(out() / "smoker" / "temps.bson.gz");
  fs::create_hard_link(m_root / "outside" / "victim", out() / "smoker" / "temps.bson.gz");
  r = mf::export_archive_to_directory(a, out(), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("single link"), std::string::npos) << r.error();
  EXPECT_EQ(fs::file_size(m_root / "outside" / "victim"), 3u);

  // The output directory itself given as a symlink is refused as well.
  fs::create_directory_symlink(m_root / "outside", m_root / "linked-out");
  r = mf::export_archive_to_directory(a, m_root / "linked-out", o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("symbolic link"), std::string::npos) << r.error();
  EXPECT_EQ(count_files(m_root / "outside"), 1u);  // only the victim
}

TEST_F(HostileExport, AGzipBombIsRefusedBeforeItFillsTheDisk) {
  const fs::path a = archive(fake_mongo::gzip_bomb_archive(16ull << 30, true));
  mf::ExportOptions o;
  o.limits.max_inflated_bytes = 64ull << 20;
  const auto r = mf::export_archive_to_directory(a, out(), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("archive inflates to more than"), std::string::npos) << r.error();
  EXPECT_FALSE(fs::exists(out()));
  // And the validator gives the same reason for the same file.
  const auto v = mf::validate_archive_file(a, true, o.limits);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(r.error().find(v.errors.front()), std::string::npos);
}

TEST_F(HostileExport, ExportsTheOplogOfAWholeInstanceDump) {
  auto data = fake_mongo::default_dataset();
  data.oplog_entries = 7;
  const fs::path a = archive(fake_mongo::build_archive(data));
  const auto v = mf::validate_archive_file(a);
  ASSERT_TRUE(v.valid) << all_errors(v);
  bool oplog = false;
  for (const auto& ns : v.namespaces) {
    if (ns.db.empty() && ns.collection == "oplog") oplog = ns.documents == 7;
  }
  EXPECT_TRUE(oplog);
  ASSERT_TRUE(mf::export_archive_to_directory(a, out()));
  EXPECT_TRUE(fs::exists(out() / "oplog.bson"));
  const auto dir = mf::validate_directory_dump(out());
  EXPECT_TRUE(dir.valid) << all_errors(dir);
}
