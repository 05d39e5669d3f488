#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"
#include "agent/coverage/coverage_report.hpp"
#include "agent/mongo/ssh_sessions.hpp"
#include "proxmox/client.hpp"

// Gathering the coverage preflight's facts, read-only: the container's configuration through
// the Proxmox API (GET /cluster/resources for its node, GET /nodes/{node}/lxc/{vmid}/config)
// and, over the mongo tier's SSH connection, where mongod keeps its data and which databases
// exist (docs/coverage.md). Every answer is untrusted: each command's output is capped, each
// parse failure becomes that fact's error ("could not determine"), nothing throws.
namespace agent::coverage {

// At most this much of each remote command's output is read (ps, docker inspect, a config
// file); more makes that fact undetermined.
inline constexpr std::size_t k_max_command_output = 1u << 20;

// `api` may be null (the client could not be made): `api_error` then says why.
Facts gather_facts(const TargetConfig& target, proxmox::Client* api, const std::string& api_error,
                   const mongo::SessionFactory& sessions);

// Where mongod's data lies, over an open session (the mongo tier's mongo.command decides
// between a process in the container and a Docker/Podman container).
tl::expected<DataLocation, std::string> locate_mongo_data(remote::SshSession& session,
                                                          const MongoConfig& mongo);

// listDatabases through the MongoDB shell (as the mongo tier's user).
tl::expected<std::vector<std::string>, std::string> list_databases(remote::SshSession& session,
                                                                   const MongoConfig& mongo);

}  // namespace agent::coverage
