#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"
#include "agent/tier/tier_error.hpp"
#include "remote/ssh_session.hpp"

// Running a script in the MongoDB shell over SSH (restore drills, the coverage preflight):
//   <prefix> mongosh --quiet --norc [URI] [--username=U --authenticationDatabase=A] --eval SCRIPT
// with the password on stdin (the shell prompts for it when --username comes without
// --password and reads the answer from stdin, as mongodump does: docs/mongodump-format.md
// section 1). The script is built by the agent; values from the configuration or from outside
// travel inside it as JSON literals only (ASCII, escaped), never as code. It prints exactly one
// line "SMOKERBAK-RESULT <json>"; everything else the shell prints is ignored.
namespace agent::mongo {

inline constexpr std::string_view k_shell_result_marker = "SMOKERBAK-RESULT ";
inline constexpr std::size_t k_shell_max_output = 8u << 20;

struct ShellEndpoint {
  std::string prefix;  // command prefix, e.g. "docker exec -i mongo"; "" runs the shell directly
  std::string uri;     // "" = the shell's default server (the one next to the prefix)
  std::string shell = "mongosh";  // or "mongo", the legacy shell
  std::string username;           // "" = no authentication
  std::string auth_db = "admin";
};

// The production server of a mongo tier, reached like mongodump is.
ShellEndpoint shell_endpoint(const MongoConfig& mongo);

// The command line (the script shell-quoted).
std::string shell_command(const ShellEndpoint& endpoint, const std::string& script);

// Runs `script`; `password_line` ("secret\n", or "" without auth) goes to stdin. Returns the JSON
// text after the marker. A shell that exits non-zero is `refused` (`access` when it says the
// authentication failed), with its last error line; no marker line is `refused` too.
tl::expected<std::string, TierError> run_shell_script(remote::SshSession& session,
                                                      const ShellEndpoint& endpoint,
                                                      const std::string& script,
                                                      const std::string& password_line);

}  // namespace agent::mongo
