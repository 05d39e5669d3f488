#include "agent/mongo/ssh_sessions.hpp"

namespace agent::mongo {

remote::SshOptions ssh_options(const SshConfig& ssh) {
  remote::SshOptions o;
  o.host = ssh.host;
  o.port = ssh.port;
  o.user = ssh.user;
  o.identity_file = ssh.identity_file;
  o.known_hosts = ssh.known_hosts;
  o.connect_timeout_s = ssh.connect_timeout_s;
  o.io_timeout_s = ssh.io_timeout_s;
  return o;
}

remote::SshOptions ssh_options(const MongoConfig& mongo) {
  remote::SshOptions o = ssh_options(mongo.ssh);
  o.max_duration_s = mongo.limits.max_duration_s;
  return o;
}

TierError tier_error_of(const remote::Error& error) {
  using K = remote::Error::Kind;
  TierError::Kind kind = TierError::Kind::refused;
  switch (error.kind) {
    case K::host_key_unknown:
    case K::host_key_changed:
    case K::auth:
      kind = TierError::Kind::access;
      break;
    case K::connect:
    case K::timeout:
    case K::deadline:  // the command ran past max_duration_s: like a stall, try again
    case K::disconnected:
      kind = TierError::Kind::unreachable;
      break;
    case K::aborted:
      kind = TierError::Kind::local_io;
      break;
    case K::channel:
    case K::remote_exit:
      kind = TierError::Kind::refused;
      break;
  }
  return TierError{kind, error.message};
}

}  // namespace agent::mongo
