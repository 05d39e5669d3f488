#include "agent/offsite/offsite_commands.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "age/key_files.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/human_format.hpp"
#include "agent/core/progress.hpp"
#include "agent/offsite/destination_state.hpp"
#include "agent/offsite/object_names.hpp"
#include "agent/offsite/offsite_fetch.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "s3/digest.hpp"

namespace agent::offsite {
namespace {

struct Listed {
  const OffsiteDestination* destination = nullptr;
  std::string key;
  std::uint64_t size = 0;
  ObjectName name;
};

s3::Result<std::vector<Listed>> list_destination(s3::Client& client, const OffsiteDestination& d,
                                                 const std::string& target) {
  std::vector<Listed> out;
  const std::string prefix = target.empty() ? d.prefix : target_prefix(d, target);
  std::string token;
  for (int page = 0; page < 100; ++page) {
    auto listed = client.list_objects_v2(prefix, token);
    if (!listed) return tl::unexpected(listed.error());
    for (const auto& o : listed->objects) {
      auto name = parse_object_key(d, o.key);
      if (!name) continue;
      out.push_back({&d, o.key, o.size, *name});
    }
    if (!listed->truncated) break;
    token = listed->next_continuation_token;
  }
  std::sort(out.begin(), out.end(),
            [](const Listed& a, const Listed& b) { return a.name.ctime > b.name.ctime; });
  return out;
}

std::vector<const OffsiteDestination*> selected(const Config& config, const std::string& name,
                                                Output& out, bool& ok) {
  std::vector<const OffsiteDestination*> list;
  ok = true;
  if (!config.offsite.enabled()) {
    out.error("no offsite destinations are configured in " + config.source_file.string() +
              " (see docs/configuration.md, section offsite)");
    ok = false;
    return list;
  }
  for (const auto& d : config.offsite.destinations) {
    if (name.empty() || d.name == name) list.push_back(&d);
  }
  if (list.empty()) {
    std::string names;
    for (const auto& d : config.offsite.destinations) names += (names.empty() ? "" : ", ") + d.name;
    out.error("no off-site destination named '" + name + "'; configured: " + names);
    ok = false;
  }
  return list;
}

// S3's composite SHA-256 of a download, recomputed piece by piece as it arrives.
class RehashSink final : public http::BodySink {
 public:
  RehashSink(std::uint64_t part_size, http::BodySink* also)
      : m_part_size(part_size), m_also(also) {}
  tl::expected<void, std::string> write(const char* data, std::size_t size) override {
    m_bytes += size;
    std::size_t done = 0;
    while (done < size) {
      std::size_t n = size - done;
      if (m_part_size > 0) n = std::min<std::uint64_t>(n, m_part_size - m_in_part);
      m_part.update(data + done, n);
      m_in_part += n;
      done += n;
      if (m_part_size > 0 && m_in_part == m_part_size) close_part();
    }
    if (m_also) return m_also->write(data, size);
    return {};
  }
  std::string composite() {
    if (m_part_size == 0) return s3::to_base64(m_part.finish());
    if (m_in_part > 0 || m_parts == 0) close_part();
    return s3::to_base64(m_outer.finish()) + "-" + std::to_string(m_parts);
  }
  std::uint64_t bytes() const { return m_bytes; }

 private:
  void close_part() {
    m_outer.update(m_part.finish());
    ++m_parts;
    m_in_part = 0;
  }
  std::uint64_t m_part_size;
  http::BodySink* m_also;
  s3::Digest m_part{s3::Digest::Algorithm::sha256};
  s3::Digest m_outer{s3::Digest::Algorithm::sha256};
  std::uint64_t m_in_part = 0, m_bytes = 0;
  int m_parts = 0;
};

struct Candidate {
  OffsiteReceipts receipts;
  OffsiteCopy copy;
};

}  // namespace

int list_offsite(const Config& config, const ClientFactory& clients, const ListRequest& request,
                 Output& out) {
  bool ok = false;
  const auto dests = selected(config, request.destination, out, ok);
  if (!ok) return exit_code::k_usage;
  if (!request.target.empty() && !config.find_target(request.target)) {
    out.error("no target named '" + request.target + "' in " + config.source_file.string());
    return exit_code::k_usage;
  }
  int code = exit_code::k_success;
  std::vector<Listed> all;
  for (const auto* d : dests) {
    auto client = clients(*d);
    s3::Result<std::vector<Listed>> listed =
        client ? list_destination(**client, *d, request.target)
               : s3::Result<std::vector<Listed>>(tl::unexpected(client.error()));
    if (!listed) {
      out.error(destination_error(*d, listed.error(), "listing").message);
      code = exit_code::k_failure;
      continue;
    }
    all.insert(all.end(), listed->begin(), listed->end());
  }
  if (request.json) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& l : all) {
      arr.push_back({{"destination", l.destination->name},
                     {"target", l.name.target},
                     {"tier", to_string(l.name.tier)},
                     {"backup_time", rfc3339_utc(l.name.ctime)},
                     {"ctime", l.name.ctime},
                     {"file", l.name.file_name},
                     {"size", l.size},
                     {"key", l.key},
                     {"id", l.key.substr(l.destination->prefix.size())}});
    }
    out.json(arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return code;
  }
  std::ostringstream t;
  t << "DESTINATION  TARGET        TIER     BACKUP TIME           SIZE        ID\n";
  for (const auto& l : all) {
    char line[512];
    std::snprintf(line, sizeof line, "%-12s %-13s %-8s %-21s %-11s %s\n",
                  l.destination->name.c_str(), l.name.target.c_str(), to_string(l.name.tier),
                  rfc3339_utc(l.name.ctime).c_str(), human_bytes(l.size).c_str(),
                  l.key.substr(l.destination->prefix.size()).c_str());
    t << line;
  }
  if (all.empty()) t << "(no off-site copies)\n";
  out.result(t.str());
  return code;
}

int fetch_offsite(const Config& config, const ClientFactory& clients, const FetchRequest& request,
                  Output& out) {
  bool ok = false;
  auto dests = selected(config, request.destination, out, ok);
  if (!ok) return exit_code::k_usage;
  const OffsiteDestination& d = *dests.front();
  auto identities = age::read_identity_file(request.identity_file);
  if (!identities) {
    out.error("cannot use the identity file: " + identities.error().message);
    return exit_code::k_usage;
  }
  auto client = clients(d);
  if (!client) {
    out.error(destination_error(d, client.error(), "cannot connect").message);
    return exit_code::k_failure;
  }
  // Which object: a key (with or without the prefix), else a backup id or "latest".
  std::string key;
  std::string spec = request.backup;
  if (parse_object_key(d, spec)) {
    key = spec;
  } else if (parse_object_key(d, d.prefix + spec)) {
    key = d.prefix + spec;
  } else {
    auto listed = list_destination(**client, d, request.target);
    if (!listed) {
      out.error(destination_error(d, listed.error(), "listing").message);
      return exit_code::k_failure;
    }
    std::vector<const Listed*> matches;
    for (const auto& l : *listed) {
      if (!request.tier.empty() && to_string(l.name.tier) != request.tier) continue;
      const std::string base = spec.substr(spec.rfind('/') + 1);
      const bool match = spec == "latest" || l.name.file_name == base ||
                         l.name.file_name.rfind(spec + ".", 0) == 0;
      if (match) matches.push_back(&l);
    }
    if (matches.empty()) {
      out.error("no off-site copy on " + d.name + " matches '" + spec +
                "': see `pve-smokerbak offsite list`");
      return exit_code::k_failure;
    }
    if (spec == "latest" && request.tier.empty() && request.target.empty()) {
      // One of each tier may be newest; "latest" needs to know which.
      std::set<std::string> kinds;
      for (const auto* m : matches) kinds.insert(m->name.target + "/" + to_string(m->name.tier));
      if (kinds.size() > 1) {
        out.error("'latest' is ambiguous here: give --target and --tier (mongo or vzdump)");
        return exit_code::k_usage;
      }
    }
    key = matches.front()->key;  // newest first
  }
  const auto name = parse_object_key(d, key);
  std::filesystem::path dir = request.to;
  const TargetConfig* target = config.find_target(name->target);
  if (dir.empty()) {
    if (name->tier == TierName::mongo && target && target->mongo) {
      dir = target->mongo->backup_dir;
    } else {
      out.error(
          "give --to DIR: where to place the vzdump archive (a storage's dump directory, "
          "e.g. /var/lib/vz/dump, for `pct restore`)");
      return exit_code::k_usage;
    }
  }
  FetchOptions options;
  for (const auto& rec : read_all_offsite_receipts(config.state_dir, name->target, name->tier)) {
    if (const auto* c = rec.find(d.name); c && c->key == key) {
      options.expected_sha256 = rec.plaintext_sha256;
      options.version_id = c->version_id;
    }
  }
  ProgressOptions po;
  po.label = "off-site fetch of " + key;
  std::optional<ProgressReporter> progress;
  std::uint64_t seen = 0;
  options.on_progress = [&](std::uint64_t done, std::uint64_t total) {
    if (!progress) {
      po.total = total;
      progress.emplace(po, monotonic_clock());
    }
    progress->advance(done - seen);
    seen = done;
  };
  out.message("fetching " + key + " from " + d.name + " into " + dir.string() + "\n");
  auto fetched = fetch_and_validate(**client, key, *identities, dir, options);
  if (progress) progress->finish(fetched ? "done" : "stopped");
  if (!fetched) {
    out.error("offsite fetch failed: " + fetched.error().message);
    return exit_code::k_failure;
  }
  std::string next;
  if (fetched->tier == TierName::mongo) {
    const bool in_backup_dir = target && target->mongo && dir == target->mongo->backup_dir;
    next = in_backup_dir ? "restore it with: pve-smokerbak restore mongo --target " + name->target +
                               " --backup " + fetched->backup_id
                         : "restore it with: mongorestore --archive=" + fetched->file.string() +
                               " --gzip (or fetch it into the target's backup_dir and use "
                               "`pve-smokerbak restore mongo`)";
  } else {
    next = "restore it with: pct restore " +
           (target ? std::to_string(target->vmid) : std::string("VMID")) + " " +
           fetched->file.string() + " --storage STORAGE";
  }
  out.result("fetched " + fetched->backup_id + " (" + to_string(fetched->tier) + ", " +
             human_bytes(fetched->size) + ", sha256 " + fetched->sha256.substr(0, 12) + ") to " +
             fetched->file.string() + "\n" + fetched->validation + "\n" + next + "\n");
  return exit_code::k_success;
}

int validate_offsite(const Config& config, const ClientFactory& clients,
                     const VerifyRequest& request, std::int64_t now, Output& out) {
  bool ok = false;
  const auto dests = selected(config, request.destination, out, ok);
  if (!ok) return exit_code::k_usage;
  std::optional<std::vector<age::Identity>> identities;
  if (!request.identity_file.empty()) {
    auto ids = age::read_identity_file(request.identity_file);
    if (!ids) {
      out.error("cannot use the identity file: " + ids.error().message);
      return exit_code::k_usage;
    }
    identities = std::move(*ids);
  }
  int code = exit_code::k_success;
  auto results = nlohmann::ordered_json::array();
  std::ostringstream table;
  for (const auto* d : dests) {
    DestinationState state = load_destination_state(config.state_dir, d->name);
    std::vector<Candidate> candidates;
    for (const auto& t : config.targets) {
      if (!request.target.empty() && t.name != request.target) continue;
      for (const TierName tier : {TierName::vzdump, TierName::mongo}) {
        for (auto& rec : read_all_offsite_receipts(config.state_dir, t.name, tier)) {
          if (const auto* c = rec.find(d->name)) candidates.push_back({rec, *c});
        }
      }
    }
    // Never verified first, then the longest ago.
    std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
      return a.copy.verified_at < b.copy.verified_at;
    });
    const std::uint64_t budget =
        request.all ? 0 : request.budget_bytes.value_or(d->verify_budget_bytes);
    auto client = clients(*d);
    if (!client) {
      out.error(destination_error(*d, client.error(), "cannot connect").message);
      code = exit_code::k_failure;
      continue;
    }
    std::uint64_t spent = 0;
    int checked = 0, failed = 0;
    std::string first_problem;
    for (auto& c : candidates) {
      if (budget > 0 && checked > 0 && spent + c.copy.size > budget) break;
      spent += c.copy.size;
      ++checked;
      std::string problem;
      // 1. What the bucket says of the version the receipt names.
      auto head = (*client)->head_object(c.copy.key, c.copy.version_id);
      if (!head) {
        problem = "the version the receipt names cannot be read: " + head.error().message;
      } else if (head->size != c.copy.size) {
        problem = "its size is " + std::to_string(head->size) + ", the receipt says " +
                  std::to_string(c.copy.size);
      } else if (!c.copy.etag.empty() && head->etag != c.copy.etag) {
        problem = "its ETag is " + head->etag + ", the receipt says " + c.copy.etag;
      } else if (head->metadata[k_meta_sha256] != c.receipts.plaintext_sha256) {
        problem = "its plaintext SHA-256 metadata differs from the receipt's";
      } else if (!c.copy.lock_mode.empty() &&
                 (!head->retention ||
                  head->retention->retain_until.time_since_epoch().count() < c.copy.retain_until)) {
        problem = "its Object Lock is missing or shorter than the receipt's (" +
                  rfc3339_utc(c.copy.retain_until) + ")";
      }
      // 2. The bytes, re-hashed (and with an identity decrypted and validated).
      if (problem.empty()) {
        if (identities) {
          const auto scratch = config.state_dir / "offsite" / "scratch";
          std::error_code ec;
          std::filesystem::remove_all(scratch, ec);
          FetchOptions fo;
          fo.version_id = c.copy.version_id;
          fo.expected_sha256 = c.receipts.plaintext_sha256;
          auto fetched = fetch_and_validate(**client, c.copy.key, *identities, scratch, fo);
          if (!fetched) problem = fetched.error().message;
          std::filesystem::remove_all(scratch, ec);
        }
        if (problem.empty()) {
          RehashSink sink(c.copy.part_size, nullptr);
          s3::GetOptions get;
          get.version_id = c.copy.version_id;
          get.max_bytes = c.copy.size;
          auto got = (*client)->get_object(c.copy.key, sink, get);
          if (!got) {
            problem = "download failed: " + got.error().message;
          } else if (sink.bytes() != c.copy.size) {
            problem = "downloaded " + std::to_string(sink.bytes()) + " bytes, the receipt says " +
                      std::to_string(c.copy.size);
          } else if (!c.copy.composite_sha256.empty() &&
                     sink.composite() != c.copy.composite_sha256) {
            problem =
                "its content changed: the SHA-256 of what is stored differs from the "
                "receipt's (someone or something altered the object)";
          }
        }
      }
      // The receipt's version should still be the latest: a newer one was written by someone
      // else (the agent never writes a key twice).
      if (problem.empty()) {
        auto latest = (*client)->head_object(c.copy.key);
        if (latest && latest->version_id != c.copy.version_id && !c.copy.version_id.empty()) {
          problem = "a newer version (" + latest->version_id +
                    ") was written over the agent's copy by someone else";
        }
      }
      const bool good = problem.empty();
      if (!good) {
        ++failed;
        if (first_problem.empty()) first_problem = c.copy.key + ": " + problem;
        out.message("offsite " + d->name + ": " + c.copy.key + ": FAILED: " + problem + "\n");
      }
      auto rec = read_offsite_receipts(config.state_dir, c.receipts.target, c.receipts.tier,
                                       c.receipts.backup_id);
      if (rec) {
        if (auto* copy = rec->find(d->name)) {
          copy->verified_at = now;
          copy->verified = good;
          copy->verify_problem = problem;
          write_offsite_receipts(config.state_dir, *rec);
        }
      }
      results.push_back({{"destination", d->name},
                         {"target", c.receipts.target},
                         {"tier", to_string(c.receipts.tier)},
                         {"backup_id", c.receipts.backup_id},
                         {"key", c.copy.key},
                         {"version_id", c.copy.version_id},
                         {"decrypted", identities.has_value()},
                         {"valid", good},
                         {"problem", problem}});
      table << d->name << "  " << c.copy.key << "  " << (good ? "ok" : "FAILED") << "\n";
    }
    state.last_verified_at = now;
    state.last_verify_ok = failed == 0;
    state.last_verify_problem = first_problem;
    state.last_verified_count = static_cast<std::uint64_t>(checked);
    save_destination_state(config.state_dir, state);
    table << d->name << ": " << checked << " of " << candidates.size() << " copies checked ("
          << human_bytes(spent) << (identities ? ", decrypted and validated" : ", re-hashed")
          << "), " << failed << " failed\n";
    if (failed > 0) code = exit_code::k_failure;
  }
  if (request.json) {
    out.json(nlohmann::ordered_json({{"checked_at", now}, {"exit_code", code}, {"copies", results}})
                 .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
             "\n");
  } else {
    out.result(table.str());
  }
  return code;
}

std::vector<ConfigFinding> check_destinations(const Config& config, const ClientFactory& clients) {
  std::vector<ConfigFinding> findings;
  for (std::size_t i = 0; i < config.offsite.destinations.size(); ++i) {
    const auto& d = config.offsite.destinations[i];
    const std::string p = "offsite.destinations[" + std::to_string(i) + "].";
    for (std::size_t r = 0; r < d.recipients.size(); ++r) {
      if (auto parsed = age::Recipient::parse(d.recipients[r]); !parsed) {
        findings.push_back({p + "recipients[" + std::to_string(r) + "]",
                            "not an age X25519 recipient: " + parsed.error().message});
      }
    }
    if (d.credentials_from_credentials && d.credentials_path.is_relative()) continue;
    auto client = clients(d);
    if (!client) {
      findings.push_back(
          {p + "credentials_file", "destination " + d.name + ": " + client.error().message});
      continue;
    }
    const std::string who = "destination " + d.name + ": bucket " + d.bucket + " at " + d.endpoint;
    const std::string create = "`aws s3api create-bucket --bucket " + d.bucket +
                               " --object-lock-enabled-for-bucket --endpoint-url " + d.endpoint +
                               "` (this also turns versioning on)";
    if (auto head = (*client)->head_bucket(); !head) {
      const auto kind = head.error().kind;
      if (kind == s3::Error::Kind::no_such_bucket || kind == s3::Error::Kind::no_such_key) {
        findings.push_back(
            {p + "bucket", who + " does not exist: create it" +
                               (d.lock == OffsiteLock::off ? "" : " with Object Lock") + ", e.g. " +
                               create + ", or correct bucket"});
      } else {
        findings.push_back({p + "bucket", who + ": " + head.error().message});
      }
      continue;
    }
    if (d.lock == OffsiteLock::off) continue;
    auto versioning = (*client)->get_bucket_versioning();
    if (!versioning) {
      findings.push_back(
          {p + "bucket", who + ": cannot read its versioning: " + versioning.error().message});
      continue;
    }
    auto lock = (*client)->get_object_lock_configuration();
    if (!lock) {
      findings.push_back({p + "bucket", who + ": cannot read its Object Lock configuration: " +
                                            lock.error().message});
      continue;
    }
    const std::string versioning_text =
        *versioning == s3::VersioningStatus::enabled     ? "versioning on"
        : *versioning == s3::VersioningStatus::suspended ? "versioning suspended"
                                                         : "versioning off";
    if (!lock->enabled) {
      findings.push_back(
          {p + "lock",
           who + " has no Object Lock (" + versioning_text + ") but lock is " +
               std::string(to_string(d.lock)) +
               ". Object Lock is chosen when a bucket is created (Ceph RGW cannot add it later; "
               "AWS can on a versioned bucket with `aws s3api put-object-lock-configuration`): "
               "create a new bucket with it, e.g. " +
               create +
               ", and point bucket at it, or set lock: off to copy without protection "
               "against deletion"});
    } else if (*versioning != s3::VersioningStatus::enabled) {
      findings.push_back({p + "lock", who + " has Object Lock but " + versioning_text +
                                          ": turn versioning on with `aws s3api "
                                          "put-bucket-versioning --bucket " +
                                          d.bucket +
                                          " --versioning-configuration Status=Enabled "
                                          "--endpoint-url " +
                                          d.endpoint + "`"});
    }
  }
  return findings;
}

}  // namespace agent::offsite
