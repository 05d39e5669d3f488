#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "remote/ssh_session.hpp"

namespace agent::mongo {

// stdin of mongorestore: the password line (read byte-wise by the tool up to '\n'), then the
// archive file read from `fd`, which the source owns and closes. `on_read` is told the size of
// every read of the file (0 once at its end). The source's copy of the password is wiped when
// the last copy of the source goes; its state is shared so the std::function stays copyable.
remote::StdinSource password_then_file(std::string password_line, int fd,
                                       std::function<void(std::uint64_t bytes)> on_read = {});

}  // namespace agent::mongo
