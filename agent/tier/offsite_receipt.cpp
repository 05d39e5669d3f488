#include "agent/tier/offsite_receipt.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"

namespace agent {
namespace {

constexpr std::uintmax_t k_max_file_bytes = 1 << 20;

std::string sanitised(const std::string& id) {
  std::string out = id;
  for (auto& c : out) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

std::filesystem::path tier_dir(const std::filesystem::path& state_dir, const std::string& target,
                               TierName tier) {
  return state_dir / "offsite" / "receipts" / target / to_string(tier);
}

nlohmann::json to_json(const OffsiteReceipts& r) {
  auto copies = nlohmann::json::array();
  for (const auto& c : r.copies) {
    copies.push_back({{"destination", c.destination},
                      {"bucket", c.bucket},
                      {"key", c.key},
                      {"version_id", c.version_id},
                      {"size", c.size},
                      {"etag", c.etag},
                      {"composite_sha256", c.composite_sha256},
                      {"part_size", c.part_size},
                      {"lock", c.lock_mode},
                      {"retain_until", c.retain_until},
                      {"uploaded_at", c.uploaded_at},
                      {"verified_at", c.verified_at},
                      {"verified", c.verified ? nlohmann::json(*c.verified) : nlohmann::json()},
                      {"verify_problem", c.verify_problem}});
  }
  return {{"format", 1},
          {"target", r.target},
          {"tier", to_string(r.tier)},
          {"backup_id", r.backup_id},
          {"ctime", r.ctime},
          {"file_name", r.file_name},
          {"plaintext_sha256", r.plaintext_sha256},
          {"plaintext_size", r.plaintext_size},
          {"copies", std::move(copies)}};
}

template <typename T>
void get_if(const nlohmann::json& j, const char* key, T& out) {
  if (j.contains(key) && !j[key].is_null()) out = j[key].get<T>();
}

std::optional<OffsiteReceipts> parse_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > k_max_file_bytes) return std::nullopt;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto j = nlohmann::json::parse(text.str());
    OffsiteReceipts r;
    get_if(j, "target", r.target);
    std::string tier;
    get_if(j, "tier", tier);
    const auto parsed = parse_tier_name(tier);
    if (!parsed) return std::nullopt;
    r.tier = *parsed;
    get_if(j, "backup_id", r.backup_id);
    get_if(j, "ctime", r.ctime);
    get_if(j, "file_name", r.file_name);
    get_if(j, "plaintext_sha256", r.plaintext_sha256);
    get_if(j, "plaintext_size", r.plaintext_size);
    if (j.contains("copies") && j["copies"].is_array()) {
      for (const auto& c : j["copies"]) {
        OffsiteCopy copy;
        get_if(c, "destination", copy.destination);
        get_if(c, "bucket", copy.bucket);
        get_if(c, "key", copy.key);
        get_if(c, "version_id", copy.version_id);
        get_if(c, "size", copy.size);
        get_if(c, "etag", copy.etag);
        get_if(c, "composite_sha256", copy.composite_sha256);
        get_if(c, "part_size", copy.part_size);
        get_if(c, "lock", copy.lock_mode);
        get_if(c, "retain_until", copy.retain_until);
        get_if(c, "uploaded_at", copy.uploaded_at);
        get_if(c, "verified_at", copy.verified_at);
        if (c.contains("verified") && c["verified"].is_boolean()) {
          copy.verified = c["verified"].get<bool>();
        }
        get_if(c, "verify_problem", copy.verify_problem);
        r.copies.push_back(std::move(copy));
      }
    }
    return r;
  } catch (const std::exception& e) {
    spdlog::warn("off-site receipts {} unreadable ({}); the next upload replaces it", file.string(),
                 e.what());
    return std::nullopt;
  }
}

}  // namespace

const OffsiteCopy* OffsiteReceipts::find(const std::string& destination) const {
  for (const auto& c : copies) {
    if (c.destination == destination) return &c;
  }
  return nullptr;
}

OffsiteCopy* OffsiteReceipts::find(const std::string& destination) {
  for (auto& c : copies) {
    if (c.destination == destination) return &c;
  }
  return nullptr;
}

std::filesystem::path offsite_receipts_path(const std::filesystem::path& state_dir,
                                            const std::string& target, TierName tier,
                                            const std::string& backup_id) {
  return tier_dir(state_dir, target, tier) / (sanitised(backup_id) + ".json");
}

std::optional<OffsiteReceipts> read_offsite_receipts(const std::filesystem::path& state_dir,
                                                     const std::string& target, TierName tier,
                                                     const std::string& backup_id) {
  auto r = parse_file(offsite_receipts_path(state_dir, target, tier, backup_id));
  if (!r || r->backup_id != backup_id) return std::nullopt;
  return r;
}

std::vector<OffsiteReceipts> read_all_offsite_receipts(const std::filesystem::path& state_dir,
                                                       const std::string& target, TierName tier) {
  std::vector<OffsiteReceipts> out;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(tier_dir(state_dir, target, tier), ec)) {
    if (entry.path().extension() != ".json" || !entry.is_regular_file(ec)) continue;
    if (auto r = parse_file(entry.path()); r && r->target == target && r->tier == tier) {
      out.push_back(std::move(*r));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.ctime != b.ctime ? a.ctime < b.ctime : a.backup_id < b.backup_id;
  });
  return out;
}

std::optional<std::string> write_offsite_receipts(const std::filesystem::path& state_dir,
                                                  const OffsiteReceipts& receipts) {
  const auto path =
      offsite_receipts_path(state_dir, receipts.target, receipts.tier, receipts.backup_id);
  if (receipts.copies.empty()) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) return "cannot remove " + path.string() + ": " + ec.message();
    return std::nullopt;
  }
  return write_file_atomically(path, to_json(receipts).dump(2) + "\n");
}

bool has_offsite_copy(const std::filesystem::path& state_dir, const std::string& target,
                      TierName tier, const std::string& backup_id) {
  const auto r = read_offsite_receipts(state_dir, target, tier, backup_id);
  return r && !r->copies.empty();
}

}  // namespace agent
