// Re-checks of stored mongo backups read from disk: SHA-256 against the manifest, full archive
// validation, counts against the manifest, directory-form dumps, history (future, shrink).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "agent/mongo_format/archive_export.hpp"
#include "agent/validate/backup_discovery.hpp"
#include "agent/validate/history_check.hpp"
#include "agent/validate/validate_output.hpp"
#include "tests/agent_validate/backup_fixture.hpp"

namespace {
using namespace validate_test;
namespace v = agent::validate;

const std::uint64_t k_small_docs = 20 + 40 + 300;

TEST(ValidateBackupDir, ValidBackupsPassOldestFirstWithCountsAndSize) {
  TempDir t;
  const auto newer = make_backup(t.path(), "20261102-010000", 2000);
  make_backup(t.path(), "20261101-010000", 1000);
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(checks, epoch_now(), 50);
  ASSERT_EQ(checks.size(), 2U);
  EXPECT_EQ(checks[0].id, "backup-20261101-010000");
  EXPECT_EQ(checks[1].id, "backup-20261102-010000");
  for (const auto& c : checks) {
    EXPECT_TRUE(c.valid) << joined(c.errors);
    EXPECT_TRUE(c.warnings.empty()) << joined(c.warnings);
    EXPECT_EQ(c.form, v::BackupForm::archive);
    EXPECT_EQ(c.target, "prod-cloud");
    EXPECT_EQ(c.documents, k_small_docs);
    EXPECT_EQ(c.collections.at("smoker.temps"), 300U);
  }
  EXPECT_EQ(checks[1].size, fs::file_size(newer / "smoker.archive.gz"));
  EXPECT_EQ(v::exit_code_for(checks), 0);
}

TEST(ValidateBackupDir, SkipsPartialFailedAndLatest) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  fs::create_directories(t.path() / "backup-20261102-010000.partial");
  fs::create_directories(t.path() / "failed-20261103-010000");
  fs::create_directory_symlink(dir.filename(), t.path() / "latest");
  const auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_EQ(checks[0].id, "backup-20261101-010000");
}

TEST(ValidateBackupDir, BackupDirectoryWithoutManifestIsInvalid) {
  TempDir t;
  fs::create_directories(t.path() / "backup-20261101-010000");
  const auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_FALSE(checks[0].valid);
  EXPECT_NE(joined(checks[0].errors).find("manifest.json is missing"), std::string::npos);
}

TEST(ValidateArchiveBackup, FlippedByteInArchiveIsShaMismatchError) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  flip_byte(dir / "smoker.archive.gz");
  const auto c = v::check_archive_backup(dir);
  EXPECT_FALSE(c.valid);
  const std::string errors = joined(c.errors);
  EXPECT_NE(errors.find("SHA-256 of smoker.archive.gz is"), std::string::npos) << errors;
  EXPECT_NE(errors.find("bit rot or tampering"), std::string::npos) << errors;
  EXPECT_EQ(v::exit_code_for({c}), 1);
}

TEST(ValidateArchiveBackup, ManifestShaDifferingFromIntactArchiveIsError) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  edit_manifest(dir, [](agent::mongo::Manifest& m) { m.sha256 = std::string(64, '0'); });
  const auto c = v::check_archive_backup(dir);
  EXPECT_FALSE(c.valid);
  ASSERT_EQ(c.errors.size(), 1U) << joined(c.errors);  // the archive itself still validates
  EXPECT_NE(c.errors[0].find("manifest.json records 0000"), std::string::npos) << c.errors[0];
}

TEST(ValidateArchiveBackup, CountDifferingFromManifestIsError) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  edit_manifest(dir, [](agent::mongo::Manifest& m) {
    for (auto& c : m.collections) {
      if (c.ns == "smoker.smokes") c.log_documents = 41;
    }
  });
  const auto c = v::check_archive_backup(dir);
  EXPECT_FALSE(c.valid);
  EXPECT_NE(joined(c.errors).find("smoker.smokes has 40 documents but manifest.json records 41"),
            std::string::npos)
      << joined(c.errors);
}

TEST(ValidateArchiveBackup, MissingArchiveIsError) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  fs::remove(dir / "smoker.archive.gz");
  const auto c = v::check_archive_backup(dir);
  EXPECT_FALSE(c.valid);
  EXPECT_NE(joined(c.errors).find("cannot open"), std::string::npos) << joined(c.errors);
}

TEST(ValidateHistory, ManifestDatedInTheFutureIsError) {
  TempDir t;
  const std::int64_t now = epoch_now();
  make_backup(t.path(), "20261101-010000", now - 86400);
  make_backup(t.path(), "20261102-010000", now + 86400);
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(checks, now, 50);
  ASSERT_EQ(checks.size(), 2U);
  EXPECT_TRUE(checks[0].valid) << joined(checks[0].errors);
  EXPECT_FALSE(checks[1].valid);
  EXPECT_NE(joined(checks[1].errors).find("is in the future"), std::string::npos);
  EXPECT_EQ(v::exit_code_for(checks), 1);
}

TEST(ValidateHistory, AFewSecondsAheadIsTolerated) {
  TempDir t;
  const std::int64_t now = epoch_now();
  make_backup(t.path(), "20261101-010000", now + 60);
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(checks, now, 50);
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_TRUE(checks[0].valid) << joined(checks[0].errors);
}

TEST(ValidateHistory, ShrinkBeyondThresholdWarnsAndExitsThree) {
  TempDir t;
  make_backup(t.path(), "20261101-010000", 1000, small_dataset(3000));
  make_backup(t.path(), "20261102-010000", 2000, small_dataset(300));
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(checks, epoch_now(), 50);
  ASSERT_EQ(checks.size(), 2U);
  EXPECT_TRUE(checks[0].warnings.empty());
  EXPECT_TRUE(checks[1].valid);
  const std::string w = joined(checks[1].warnings);
  EXPECT_NE(w.find("collection smoker.temps has 300 documents, 90% fewer than "
                   "backup-20261101-010000 (3000)"),
            std::string::npos)
      << w;
  EXPECT_NE(w.find("size "), std::string::npos) << w;
  EXPECT_EQ(v::exit_code_for(checks), 3);
}

TEST(ValidateHistory, ShrinkWithinThresholdOrDisabledIsQuiet) {
  TempDir t;
  make_backup(t.path(), "20261101-010000", 1000, small_dataset(400));
  make_backup(t.path(), "20261102-010000", 2000, small_dataset(300));
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(checks, epoch_now(), 50);  // 25% fewer temps
  EXPECT_TRUE(checks[1].warnings.empty()) << joined(checks[1].warnings);
  auto strict = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(strict, epoch_now(), 0);
  EXPECT_TRUE(strict[1].warnings.empty());
  auto tight = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(tight, epoch_now(), 20);
  EXPECT_FALSE(tight[1].warnings.empty());
}

TEST(ValidateHistory, ShrinkComparesWithThePreviousValidBackupOnly) {
  TempDir t;
  make_backup(t.path(), "20261101-010000", 1000, small_dataset(3000));
  const auto broken = make_backup(t.path(), "20261102-010000", 2000, small_dataset(100));
  flip_byte(broken / "smoker.archive.gz");
  make_backup(t.path(), "20261103-010000", 3000, small_dataset(2900));
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  v::apply_history_checks(checks, epoch_now(), 50);
  ASSERT_EQ(checks.size(), 3U);
  EXPECT_FALSE(checks[1].valid);
  EXPECT_TRUE(checks[2].warnings.empty()) << joined(checks[2].warnings);
}

TEST(ValidateBackupDir, FindsDirectoryFormDumpBesideArchiveBackups) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  ASSERT_TRUE(agent::mongo_format::export_archive_to_directory(dir / "smoker.archive.gz",
                                                               t.path() / "cron-dump-20251001"));
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  ASSERT_EQ(checks.size(), 2U);
  const auto& d = checks[0].form == v::BackupForm::directory ? checks[0] : checks[1];
  EXPECT_EQ(d.form, v::BackupForm::directory);
  EXPECT_EQ(d.id, "cron-dump-20251001");
  EXPECT_TRUE(d.valid) << joined(d.errors);
  EXPECT_EQ(d.documents, k_small_docs);
  EXPECT_EQ(d.collections.at("smoker.users"), 20U);
}

TEST(ValidateBackupDir, DamagedDirectoryFormDumpIsInvalid) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  const auto dump = t.path() / "cron-dump";
  ASSERT_TRUE(agent::mongo_format::export_archive_to_directory(dir / "smoker.archive.gz", dump));
  const auto bson = dump / "smoker" / "temps.bson.gz";
  ASSERT_TRUE(fs::exists(bson));
  fs::resize_file(bson, fs::file_size(bson) - 20);
  const auto c = v::check_directory_dump(dump);
  EXPECT_FALSE(c.valid);
  EXPECT_FALSE(c.errors.empty());
}

TEST(ValidatePath, RealDirectoryDumpValidatesByPath) {
  const fs::path real =
      fs::path(SMOKERBAK_REAL_DUMPS_DIR) / "josmanperez__hybrid-vector-search/dump";
  if (!fs::exists(real)) GTEST_SKIP() << real << " absent";
  const auto c = v::check_path(real);
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->form, v::BackupForm::directory);
  EXPECT_TRUE(c->valid) << joined(c->errors);
  EXPECT_GT(c->documents, 0U);
  EXPECT_TRUE(c->collections.count("catalog.products"));
}

TEST(ValidatePath, AcceptsBackupDirManifestAndArchiveFile) {
  TempDir t;
  const auto dir = make_backup(t.path(), "20261101-010000", 1000);
  for (const auto& p : {dir, dir / "manifest.json"}) {
    const auto c = v::check_path(p);
    ASSERT_TRUE(c.has_value()) << c.error();
    EXPECT_EQ(c->form, v::BackupForm::archive);
    EXPECT_TRUE(c->valid) << joined(c->errors);
  }
  const auto f = v::check_path(dir / "smoker.archive.gz");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->form, v::BackupForm::archive_file);
  EXPECT_TRUE(f->valid) << joined(f->errors);
  EXPECT_EQ(f->documents, k_small_docs);
}

TEST(ValidatePath, MissingOrUnrecognisedPathIsAnError) {
  TempDir t;
  EXPECT_FALSE(v::check_path(t.path() / "nope").has_value());
  fs::create_directories(t.path() / "empty");
  const auto e = v::check_path(t.path() / "empty");
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().find("neither a backup directory"), std::string::npos);
}

TEST(ValidateOutput, JsonListsEveryBackupWithVerdictAndCounts) {
  TempDir t;
  make_backup(t.path(), "20261101-010000", 1000);
  const auto bad = make_backup(t.path(), "20261102-010000", 2000);
  flip_byte(bad / "smoker.archive.gz");
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  const auto j = nlohmann::json::parse(v::render_json(checks, 5000));
  EXPECT_EQ(j["checked_at"], "1970-01-01T01:23:20Z");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["valid_count"], 1);
  EXPECT_EQ(j["invalid_count"], 1);
  ASSERT_EQ(j["backups"].size(), 2U);
  EXPECT_EQ(j["backups"][0]["verdict"], "valid");
  EXPECT_EQ(j["backups"][0]["documents"], k_small_docs);
  EXPECT_EQ(j["backups"][0]["collections"]["smoker.temps"], 300);
  EXPECT_EQ(j["backups"][0]["started_at"], "1970-01-01T00:16:40Z");
  EXPECT_EQ(j["backups"][1]["verdict"], "invalid");
  EXPECT_FALSE(j["backups"][1]["errors"].empty());
}

TEST(ValidateOutput, TableShowsVerdictsAndProblems) {
  TempDir t;
  const auto bad = make_backup(t.path(), "20261102-010000", 2000);
  flip_byte(bad / "smoker.archive.gz");
  const auto text = v::render_table(v::check_backup_dir(t.path(), "prod-cloud"));
  EXPECT_NE(text.find("VERDICT"), std::string::npos);
  EXPECT_NE(text.find("INVALID"), std::string::npos);
  EXPECT_NE(text.find("    error:   SHA-256"), std::string::npos) << text;
}

TEST(ValidateOutput, ReportIsASupersetOfTheTierReport) {
  TempDir t;
  make_backup(t.path(), "20261101-010000", 1000);
  const auto newest = make_backup(t.path(), "20261102-010000", 2000);
  auto checks = v::check_backup_dir(t.path(), "prod-cloud");
  ASSERT_FALSE(v::write_revalidation_report(t.path(), checks, 5000));
  std::ifstream in(t.path() / "validation-report.json");
  const auto j = nlohmann::json::parse(in);
  const auto m = agent::mongo::read_manifest(newest / "manifest.json");
  ASSERT_TRUE(m.has_value());
  // Every field the tier's report has (the manifest plus "outcome").
  const auto tier_shape = nlohmann::json::parse(agent::mongo::manifest_to_json(*m));
  for (const auto& [key, value] : tier_shape.items()) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["backup_id"], "backup-20261102-010000");
  EXPECT_EQ(j["archive"]["sha256"], m->sha256);
  EXPECT_EQ(j["validation"]["valid"], true);
  EXPECT_EQ(j["outcome"], "revalidated");
  EXPECT_EQ(j["all_valid"], true);
  EXPECT_EQ(j["backups"].size(), 2U);
  std::ifstream txt(t.path() / "validation-report.txt");
  const std::string text{std::istreambuf_iterator<char>(txt), {}};
  EXPECT_NE(text.find("verdict:  ALL VALID"), std::string::npos) << text;
  EXPECT_NE(text.find("backup-20261101-010000"), std::string::npos);
}

}  // namespace
