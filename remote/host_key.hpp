#pragma once

#include <string>

#include "remote/error.hpp"
#include "remote/ssh_session.hpp"

struct ssh_session_struct;

namespace remote {

// Strict host key check after the key exchange: accepts only a key recorded in
// options.known_hosts. Otherwise returns host_key_unknown / host_key_changed with the server's
// "SHA256:<base64>" fingerprint and the exact commands to trust the key after checking it.
Result<void> check_host_key(ssh_session_struct* session, const SshOptions& options);

// The ssh-keyscan line that appends the host's key of `key_type` ("ed25519") to known_hosts.
std::string trust_command(const SshOptions& options, const std::string& key_type);

}  // namespace remote
