#include "remote/host_key.hpp"

#include <libssh/libssh.h>

namespace remote {
namespace {

struct ServerKey {
  std::string fingerprint;  // "SHA256:..." as ssh-keygen -l prints it
  std::string type;         // "ssh-ed25519"
};

ServerKey server_key(ssh_session session) {
  ServerKey out{"(unavailable)", "unknown"};
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(session, &key) != SSH_OK) return out;
  if (const char* t = ssh_key_type_to_char(ssh_key_type(key))) out.type = t;
  unsigned char* hash = nullptr;
  size_t len = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) == 0) {
    if (char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len)) {
      out.fingerprint = fp;
      ssh_string_free_char(fp);
    }
    ssh_clean_pubkey_hash(&hash);
  }
  ssh_key_free(key);
  return out;
}

// ssh-keyscan -t wants "ed25519", "rsa", "ecdsa".
std::string keyscan_type(const std::string& ssh_type) {
  if (ssh_type.rfind("ecdsa", 0) == 0) return "ecdsa";
  if (ssh_type.rfind("ssh-", 0) == 0) return ssh_type.substr(4);
  return ssh_type;
}

// The host as known_hosts names it: "host" on port 22, "[host]:port" otherwise.
std::string known_hosts_name(const SshOptions& o) {
  if (o.port == 22) return o.host;
  return "[" + o.host + "]:" + std::to_string(o.port);
}

}  // namespace

std::string trust_command(const SshOptions& options, const std::string& key_type) {
  return "ssh-keyscan -p " + std::to_string(options.port) + " -t " + key_type + " " +
         shell_quote(options.host) + " >> " + shell_quote(options.known_hosts.string());
}

Result<void> check_host_key(ssh_session_struct* session, const SshOptions& options) {
  const auto state = ssh_session_is_known_server(session);
  if (state == SSH_KNOWN_HOSTS_OK) return {};
  const ServerKey key = server_key(session);
  const std::string who = known_hosts_name(options);
  const std::string trust = trust_command(options, keyscan_type(key.type));
  const std::string verify =
      "Compare it out of band with the server's own key (on the server: ssh-keygen -lf "
      "/etc/ssh/ssh_host_" +
      keyscan_type(key.type) + "_key.pub)";
  Error err;
  switch (state) {
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      err.kind = Error::Kind::host_key_changed;
      err.message = "host key for " + who + " does not match " + options.known_hosts.string() +
                    " (possible man-in-the-middle attack; connection refused). The server "
                    "presented " +
                    key.type + " key " + key.fingerprint + ". " + verify +
                    "; only if the change is expected, remove the old entry with: ssh-keygen -R " +
                    shell_quote(who) + " -f " + shell_quote(options.known_hosts.string()) +
                    " and trust the new key with: " + trust;
      break;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      err.kind = Error::Kind::host_key_unknown;
      err.message = "host key for " + who + " is not in " + options.known_hosts.string() +
                    (state == SSH_KNOWN_HOSTS_NOT_FOUND ? " (file missing)" : "") +
                    "; connection refused. The server presented " + key.type + " key " +
                    key.fingerprint + ". " + verify + ", then trust it with: " + trust;
      break;
    default:
      err.kind = Error::Kind::host_key_unknown;
      err.message = "cannot check the host key of " + who + " against " +
                    options.known_hosts.string() + ": " + ssh_get_error(session);
      break;
  }
  return tl::make_unexpected(std::move(err));
}

}  // namespace remote
