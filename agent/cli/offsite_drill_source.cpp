#include "agent/cli/offsite_drill_source.hpp"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <charconv>
#include <system_error>

#include "age/key_files.hpp"
#include "agent/offsite/object_names.hpp"
#include "agent/offsite/offsite_fetch.hpp"
#include "agent/tier/offsite_receipt.hpp"

namespace agent {
namespace {

namespace fs = std::filesystem;

TierError::Kind kind_of(const offsite::FetchError& e) {
  using K = offsite::FetchError::Kind;
  switch (e.kind) {
    case K::remote:
      return TierError::Kind::unreachable;
    case K::identity:
      return TierError::Kind::access;
    case K::not_ours:
      return TierError::Kind::refused;
    case K::integrity:
    case K::invalid:
      return TierError::Kind::invalid;
    case K::exists:
    case K::disk:
      return TierError::Kind::local_io;
  }
  return TierError::Kind::invalid;
}

class OffsiteMongoSource final : public drill::MongoBackupSource {
 public:
  OffsiteMongoSource(const Config& config, const offsite::ClientFactory& clients,
                     const OffsiteDestination& destination, std::vector<age::Identity> identities)
      : m_config(config),
        m_clients(clients),
        m_destination(destination),
        m_identities(std::move(identities)) {}
  ~OffsiteMongoSource() override { remove_private_dir(); }
  OffsiteMongoSource(const OffsiteMongoSource&) = delete;
  OffsiteMongoSource& operator=(const OffsiteMongoSource&) = delete;

  std::string name() const override { return "offsite"; }

  tl::expected<drill::FetchedMongoBackup, TierError> fetch(const TargetConfig& target,
                                                           const std::string& backup) override {
    auto fetched = fetch_into_private_dir(target, backup);
    if (!fetched) remove_private_dir();
    return fetched;
  }

 private:
  tl::expected<drill::FetchedMongoBackup, TierError> fetch_into_private_dir(
      const TargetConfig& target, const std::string& backup) {
    const OffsiteDestination& d = m_destination;
    auto client = m_clients(d);
    if (!client) return tl::unexpected(offsite::destination_error(d, client.error(), "connecting"));
    auto key = find_key(**client, target, backup);
    if (!key) return tl::unexpected(key.error());
    if (auto made = make_private_dir(); !made) return tl::unexpected(made.error());
    offsite::FetchOptions options;
    for (const auto& rec :
         read_all_offsite_receipts(m_config.state_dir, target.name, TierName::mongo)) {
      if (const auto* c = rec.find(d.name); c && c->key == *key) {
        options.expected_sha256 = rec.plaintext_sha256;
        options.version_id = c->version_id;
      }
    }
    auto fetched = offsite::fetch_and_validate(**client, *key, m_identities, m_dir, options);
    if (!fetched) {
      return tl::unexpected(
          TierError{kind_of(fetched.error()),
                    "off-site copy " + *key + " on " + d.name + ": " + fetched.error().message});
    }
    // Checked again as a local backup of the private directory (SHA-256 against its manifest,
    // full validation, the namespaces' shapes for the comparison after the restore).
    TargetConfig copy = target;
    copy.mongo->backup_dir = m_dir;
    return drill::local_mongo_source()->fetch(copy, fetched->backup_id);
  }

  // The newest mongo copy of `target` (or the one named `backup`) on the destination.
  tl::expected<std::string, TierError> find_key(s3::Client& client, const TargetConfig& target,
                                                const std::string& backup) {
    const OffsiteDestination& d = m_destination;
    std::string best;
    std::int64_t best_ctime = 0;
    std::string token;
    for (int page = 0; page < 100; ++page) {
      auto listed = client.list_objects_v2(offsite::target_prefix(d, target.name), token);
      if (!listed) return tl::unexpected(offsite::destination_error(d, listed.error(), "listing"));
      for (const auto& o : listed->objects) {
        const auto name = offsite::parse_object_key(d, o.key);
        if (!name || name->tier != TierName::mongo || name->target != target.name) continue;
        const bool match = backup.empty() || backup == "latest" || name->file_name == backup ||
                           name->file_name.rfind(backup + ".", 0) == 0;
        if (match && (best.empty() || name->ctime > best_ctime)) {
          best = o.key;
          best_ctime = name->ctime;
        }
      }
      if (!listed->truncated) break;
      token = listed->next_continuation_token;
    }
    if (best.empty()) {
      return tl::unexpected(TierError{
          TierError::Kind::refused,
          "no off-site mongo copy of " + target.name +
              (backup.empty() || backup == "latest" ? std::string() : " named '" + backup + "'") +
              " on " + d.name + ": see `pve-smokerbak offsite list`"});
    }
    return best;
  }

  tl::expected<void, TierError> make_private_dir() {
    remove_private_dir();
    std::error_code ec;
    fs::create_directories(m_config.state_dir, ec);
    remove_dirs_of_dead_drills();
    std::string pattern =
        (m_config.state_dir / ("drill-offsite." + std::to_string(::getpid()) + ".XXXXXX")).string();
    if (ec || ::mkdtemp(pattern.data()) == nullptr) {
      return tl::unexpected(TierError{TierError::Kind::local_io,
                                      "cannot create a private directory under " +
                                          m_config.state_dir.string() + " for the off-site copy"});
    }
    m_dir = pattern;
    return {};
  }

  // A killed drill leaves its directory behind: the next one removes those whose process is
  // gone (drill-offsite.<pid>.XXXXXX; a dry run holds no run lock, so a live one is kept).
  void remove_dirs_of_dead_drills() {
    std::error_code ec;
    for (fs::directory_iterator it(m_config.state_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const std::string prefix = "drill-offsite.";
      if (name.rfind(prefix, 0) != 0) continue;
      const auto dot = name.find('.', prefix.size());
      if (dot == std::string::npos) continue;
      int pid = 0;
      const char* first = name.data() + prefix.size();
      const char* last = name.data() + dot;
      const auto [end_of_pid, bad] = std::from_chars(first, last, pid);
      if (bad != std::errc() || end_of_pid != last || pid <= 0) continue;
      const bool gone = ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
      if (!gone) continue;
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }

  void remove_private_dir() {
    if (m_dir.empty()) return;
    std::error_code ec;
    fs::remove_all(m_dir, ec);
    m_dir.clear();
  }

  const Config& m_config;
  const offsite::ClientFactory& m_clients;
  const OffsiteDestination& m_destination;
  std::vector<age::Identity> m_identities;
  fs::path m_dir;
};

}  // namespace

drill::OffsiteMongoSourceFactory make_offsite_mongo_source_factory(
    const Config& config, const offsite::ClientFactory& clients) {
  return [&config, &clients](const drill::DrillFrom& from)
             -> tl::expected<std::unique_ptr<drill::MongoBackupSource>, TierError> {
    if (!config.offsite.enabled()) {
      return tl::unexpected(
          TierError{TierError::Kind::refused, "no offsite destinations are configured in " +
                                                  config.source_file.string() +
                                                  " (see docs/configuration.md, section offsite)"});
    }
    const auto& all = config.offsite.destinations;
    const auto it = std::find_if(all.begin(), all.end(), [&](const OffsiteDestination& d) {
      return from.destination.empty() || d.name == from.destination;
    });
    if (it == all.end()) {
      std::string names;
      for (const auto& d : all) names += (names.empty() ? "" : ", ") + d.name;
      return tl::unexpected(TierError{
          TierError::Kind::refused,
          "no off-site destination named '" + from.destination + "'; configured: " + names});
    }
    if (from.identity.empty()) {
      return tl::unexpected(TierError{TierError::Kind::refused,
                                      "a drill from off-site needs --identity FILE (the age "
                                      "identity that decrypts the copies)"});
    }
    auto identities = age::read_identity_file(from.identity);
    if (!identities) {
      return tl::unexpected(TierError{
          TierError::Kind::refused, "cannot use the identity file: " + identities.error().message});
    }
    return std::make_unique<OffsiteMongoSource>(config, clients, *it, std::move(*identities));
  };
}

}  // namespace agent
