#include "agent/events/event_body.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/human_format.hpp"
#include "agent/core/log.hpp"
#include "agent/core/safe_text.hpp"

namespace agent::events {
namespace {

std::string cut_utf8(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  const std::string mark = "…";
  std::size_t keep = max_bytes > mark.size() ? max_bytes - mark.size() : 0;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  text.resize(keep);
  return text + mark;
}

double rounded(double seconds) {
  return static_cast<double>(static_cast<long long>(seconds * 1000.0 + 0.5)) / 1000.0;
}

}  // namespace

std::string scrub_excerpt(std::string_view text, std::size_t max_bytes) {
  // Bound the work first: a tier's message is a sentence, but nothing here trusts that.
  std::string s = redact(text.substr(0, 16 * 1024));
  // The patterns below cost up to quadratic time in the text's length: they see only what can
  // end up in the excerpt (plus room for what they shorten). A cut secret's head is still
  // matched by the keyed patterns; registered secrets were removed from the whole text above.
  s.resize(std::min(s.size(), std::max<std::size_t>(4 * max_bytes, 1024)));
  static const std::regex url(
      R"(([A-Za-z][A-Za-z0-9+.-]*://)([^/\s?#@]*@)?([^/\s?#]+)[/?#][^\s"'<>]*)");
  s = std::regex_replace(s, url, "$1$3/…");
  static const std::regex userinfo(R"(([A-Za-z][A-Za-z0-9+.-]*://)[^/\s?#@]*@)");
  s = std::regex_replace(s, userinfo, "$1***@");
  static const std::regex keyed(
      R"(((?:password|passwd|secret|token|apikey|api_key|access_key|secret_key)\s*[=:]\s*)[^\s&,;"']+)",
      std::regex::icase);
  s = std::regex_replace(s, keyed, "$1***");
  static const std::regex auth(R"((authorization\s*[:=]\s*)[^\r\n"]+)", std::regex::icase);
  s = std::regex_replace(s, auth, "$1***");
  static const std::regex bearer(R"((Bearer|Basic|PVEAPIToken)[ =][^\s"]+)");
  s = std::regex_replace(s, bearer, "$1 ***");
  return cut_utf8(escape_control_chars(s, Tabs::escape), max_bytes);
}

std::string webhook_body(const RunEventData& run, bool include_messages) {
  nlohmann::json body;
  body["event"] = run.result == "start" ? "run.started" : "run.finished";
  body["agent"] = "pve-smokerbak";
  body["run_id"] = run.run_id;
  body["dry_run"] = run.dry_run;
  body["started_at"] = rfc3339_utc(run.started_epoch);
  if (run.result != "start") {
    body["result"] = run.result;
    body["exit_code"] = run.exit_code;
    body["duration_s"] = rounded(run.seconds);
    auto steps = nlohmann::json::array();
    for (const auto& s : run.steps) {
      nlohmann::json j;
      j["target"] = escape_invalid_utf8(s.target);
      j["tier"] = s.tier;
      j["step"] = s.step;
      j["result"] = s.result;
      j["error_kind"] =
          s.error_kind.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error_kind);
      j["backup_id"] = escape_invalid_utf8(s.backup_id);
      j["backup_bytes"] = s.backup_bytes;
      j["duration_s"] = rounded(s.seconds);
      j["warnings"] = s.warnings.size();
      if (include_messages) {
        if (!s.error_message.empty()) j["error"] = scrub_excerpt(s.error_message);
        auto texts = nlohmann::json::array();
        for (std::size_t i = 0; i < s.warnings.size() && i < k_warnings_per_step; ++i) {
          texts.push_back(scrub_excerpt(s.warnings[i]));
        }
        j["warning_texts"] = std::move(texts);
      }
      steps.push_back(std::move(j));
    }
    body["steps"] = std::move(steps);
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ping_body(const RunEventData& run, bool include_messages) {
  std::ostringstream o;
  o << "pve-smokerbak run " << run.run_id;
  if (run.dry_run) o << " (dry run)";
  if (run.result == "start") {
    o << ": started\n";
  } else {
    o << ": " << run.result << " (exit " << run.exit_code << ") in " << rounded(run.seconds)
      << " s\n";
  }
  for (const auto& s : run.steps) {
    o << escape_control_chars(s.target, Tabs::escape) << ' ' << s.tier << ' ' << s.step << ": "
      << s.result;
    if (!s.error_kind.empty()) o << " (" << s.error_kind << ")";
    if (s.backup_bytes > 0) o << ", " << human_bytes(s.backup_bytes);
    if (!s.warnings.empty()) o << ", " << s.warnings.size() << " warning(s)";
    o << '\n';
    if (include_messages && !s.error_message.empty()) {
      o << "  " << scrub_excerpt(s.error_message) << '\n';
    }
  }
  return cut_utf8(o.str(), k_ping_body_bytes);
}

}  // namespace agent::events
