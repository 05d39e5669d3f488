#pragma once

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

// Errors of the SSH transport, as values (DEVELOPERS.md). Messages never contain secrets: the
// transport never sees a password except as opaque stdin bytes, which it does not log.
namespace remote {

struct Error {
  enum class Kind {
    connect,           // TCP connect, key exchange or session setup failed
    host_key_unknown,  // the server's key is not in known_hosts (or known_hosts is missing)
    host_key_changed,  // known_hosts holds a different key (or key type) for this host
    auth,              // the identity file could not be read or the key was refused
    channel,           // opening the channel or starting the command failed
    timeout,           // the stream was silent for longer than io_timeout_s
    deadline,          // the command ran longer than max_duration_s (however lively its streams)
    disconnected,      // the connection dropped mid-command
    aborted,           // the local consumer (stdout sink / stdin source) stopped the transfer
    remote_exit,       // reserved for callers that turn a non-zero exit into an error
  };
  Kind kind = Kind::connect;
  std::string message;             // what happened and, where useful, what to do about it
  std::uint64_t stdout_bytes = 0;  // bytes of stdout delivered before the failure
};

template <typename T>
using Result = tl::expected<T, Error>;

// Short stable name of a kind ("host_key_changed"), for logs and JSON.
const char* kind_name(Error::Kind kind);

}  // namespace remote
