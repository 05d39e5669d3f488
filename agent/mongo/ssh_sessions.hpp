#pragma once

#include <functional>
#include <memory>

#include "agent/config/config.hpp"
#include "agent/tier/tier_error.hpp"
#include "remote/ssh_session.hpp"

namespace agent::mongo {

// Opens the SSH session a mongo operation runs on. cli/ makes it (remote::connect_ssh in
// production, agent/cli/wiring.cpp); tests may point it anywhere, e.g. a real sshd fixture.
using SessionFactory =
    std::function<remote::Result<std::unique_ptr<remote::SshSession>>(const remote::SshOptions&)>;

remote::SshOptions ssh_options(const SshConfig& ssh);
// The session of a dump or restore: the ssh settings plus mongo.max_duration_s as the
// command's overall deadline.
remote::SshOptions ssh_options(const MongoConfig& mongo);

// The kind an SSH error is for the agent, its message kept: host keys and refused keys are
// access; a failed connect, a silent stream or a dropped connection are unreachable; a local
// consumer that stopped the transfer is local_io (the disk); a channel or command the server
// would not start is refused.
TierError tier_error_of(const remote::Error& error);

}  // namespace agent::mongo
