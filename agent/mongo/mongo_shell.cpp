#include "agent/mongo/mongo_shell.hpp"

#include "agent/core/safe_text.hpp"
#include "agent/mongo/mongo_commands.hpp"
#include "agent/mongo/redact.hpp"
#include "agent/mongo/ssh_sessions.hpp"

namespace agent::mongo {

ShellEndpoint shell_endpoint(const MongoConfig& mongo) {
  ShellEndpoint e;
  e.prefix = mongo.command;
  if (uses_auth(mongo)) {
    e.username = mongo.username;
    e.auth_db = mongo.auth_db;
  }
  return e;
}

std::string shell_command(const ShellEndpoint& e, const std::string& script) {
  std::string cmd = e.prefix.empty() ? "" : e.prefix + " ";
  cmd += e.shell + " --quiet --norc";
  if (!e.uri.empty()) cmd += " " + remote::shell_quote(e.uri);
  if (!e.username.empty()) {
    cmd += " " + remote::shell_quote("--username=" + e.username) + " " +
           remote::shell_quote("--authenticationDatabase=" + e.auth_db);
  }
  return cmd + " --eval " + remote::shell_quote(script);
}

tl::expected<std::string, TierError> run_shell_script(remote::SshSession& session,
                                                      const ShellEndpoint& endpoint,
                                                      const std::string& script,
                                                      const std::string& password_line) {
  std::string out;
  bool too_much = false;
  std::string last_error;
  auto status = session.exec(
      shell_command(endpoint, script), remote::stdin_from_string(password_line),
      [&](const std::uint8_t* data, std::size_t size) {
        if (out.size() + size > k_shell_max_output) {
          too_much = true;
          return false;
        }
        out.append(reinterpret_cast<const char*>(data), size);
        return true;
      },
      [&](std::string_view line) {
        const std::string clean = redact_mongo_line(line);
        if (clean.find_first_not_of(" \t") != std::string::npos) last_error = clean;
      });
  const std::string what = endpoint.shell + " on " + session.describe();
  if (too_much) {
    return tl::unexpected(
        TierError{TierError::Kind::refused, what + " printed more than 8 MiB; stopped reading it"});
  }
  if (!status) return tl::unexpected(tier_error_of(status.error()));
  // The answer line; the rest (a password prompt, deprecation notes) is not ours.
  std::string json;
  for (std::size_t start = 0; start < out.size();) {
    auto end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string_view line(out.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto at = line.find(k_shell_result_marker);
    if (at != std::string_view::npos) json = line.substr(at + k_shell_result_marker.size());
    start = end + 1;
  }
  if (!status->success()) {
    const std::string why = status->signal ? "was killed by signal " + *status->signal
                                           : "exited with status " + std::to_string(status->code);
    const std::string line = escape_control_chars(last_error, Tabs::escape);
    const bool auth = line.find("Authentication failed") != std::string::npos ||
                      line.find("AuthenticationFailed") != std::string::npos;
    if (auth) {
      return tl::unexpected(TierError{TierError::Kind::access,
                                      "wrong MongoDB username or password (" + what + ": " + line +
                                          "); check mongo.username and the password file"});
    }
    return tl::unexpected(
        TierError{TierError::Kind::refused, what + " " + why + (line.empty() ? "" : ": " + line) +
                                                " (is " + endpoint.shell +
                                                " installed where mongodump is? drill.mongo.shell "
                                                "chooses mongosh or the legacy mongo shell)"});
  }
  if (json.empty()) {
    return tl::unexpected(
        TierError{TierError::Kind::refused, what + " ran the script but printed no result line"});
  }
  return json;
}

}  // namespace agent::mongo
