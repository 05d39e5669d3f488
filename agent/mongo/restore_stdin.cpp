#include "agent/mongo/restore_stdin.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "agent/core/secret_memory.hpp"

namespace agent::mongo {

remote::StdinSource password_then_file(std::string password_line, int fd,
                                       std::function<void(std::uint64_t bytes)> on_read) {
  struct State {
    std::string head;
    std::size_t off = 0;
    int fd = -1;
    std::function<void(std::uint64_t)> on_read;
    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
      wipe(head);
      if (fd >= 0) ::close(fd);
    }
  };
  auto st = std::make_shared<State>();
  st->head = std::move(password_line);
  st->fd = fd;
  st->on_read = std::move(on_read);
  return [st](char* buf, std::size_t size) -> std::optional<std::size_t> {
    if (st->off < st->head.size()) {
      const std::size_t n = std::min(size, st->head.size() - st->off);
      std::memcpy(buf, st->head.data() + st->off, n);
      st->off += n;
      return n;
    }
    for (;;) {
      const ssize_t n = ::read(st->fd, buf, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::nullopt;
      if (st->on_read) st->on_read(static_cast<std::uint64_t>(n));
      return static_cast<std::size_t>(n);
    }
  };
}

}  // namespace agent::mongo
