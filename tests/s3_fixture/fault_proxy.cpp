#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>

#include "tests/s3_fixture/fault_proxy.hpp"

namespace s3::testing {
namespace {

constexpr std::size_t k_record_cap = 1 << 20;

int listen_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

FaultProxy::FaultProxy(std::uint16_t upstream_port) : m_upstream_port(upstream_port) {
  m_listen = listen_loopback(m_port);
  m_acceptor = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  m_stop = true;
  ::shutdown(m_listen, SHUT_RDWR);
  ::close(m_listen);
  m_acceptor.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(m_mutex);
    threads.swap(m_threads);
  }
  for (auto& t : threads) t.join();
}

void FaultProxy::cut_after(std::uint64_t bytes, int connections) {
  std::lock_guard lock(m_mutex);
  for (int i = 0; i < connections; ++i) m_cut_plan.push_back(bytes);
}

void FaultProxy::answer(int status, const std::string& reason, std::string body, int count,
                        std::string extra_headers) {
  std::lock_guard lock(m_mutex);
  for (int i = 0; i < count; ++i) m_answers.push_back({status, reason, body, extra_headers});
}

void FaultProxy::stall(std::uint64_t announced, std::uint64_t sent) {
  std::lock_guard lock(m_mutex);
  m_answers.push_back({200, "OK", std::string(sent, 'x'), {}, announced});
}

void FaultProxy::pass(int connections) {
  std::lock_guard lock(m_mutex);
  for (int i = 0; i < connections; ++i) {
    Canned c{0, {}, {}, {}};
    c.pass = true;
    m_answers.push_back(std::move(c));
  }
}

void FaultProxy::go_down_after(std::uint64_t bytes) { m_outage_at = m_forwarded.load() + bytes; }

void FaultProxy::come_back() {
  m_outage_at = UINT64_MAX;
  m_down = false;
}

std::string FaultProxy::sent_by_clients() const {
  std::lock_guard lock(m_mutex);
  return m_recorded;
}

void FaultProxy::accept_loop() {
  while (!m_stop) {
    pollfd p{m_listen, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int client = ::accept(m_listen, nullptr, nullptr);
    if (client < 0) continue;
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    m_connections++;
    std::lock_guard lock(m_mutex);
    m_threads.emplace_back([this, client] { serve(client); });
  }
}

void FaultProxy::serve(int client) {
  if (m_down) {
    m_refused++;
    ::close(client);
    return;
  }
  std::uint64_t cut = UINT64_MAX;
  std::optional<Canned> canned;
  {
    std::lock_guard lock(m_mutex);
    if (!m_answers.empty()) {
      canned = m_answers.front();
      m_answers.erase(m_answers.begin());
      if (canned->pass) canned.reset();
    } else if (!m_cut_plan.empty()) {
      cut = m_cut_plan.front();
      m_cut_plan.erase(m_cut_plan.begin());
    }
  }
  if (canned) {
    // Read the request head, answer, close: the client never reaches the server.
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536 && !m_stop) {
      pollfd p{client, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    const std::uint64_t length = canned->announced ? canned->announced : canned->body.size();
    std::string response =
        "HTTP/1.1 " + std::to_string(canned->status) + " " + canned->reason +
        "\r\nContent-Type: application/xml\r\nContent-Length: " + std::to_string(length) +
        "\r\nConnection: close\r\n" + canned->extra_headers + "\r\n";
    m_answered++;  // before the answer leaves: the client may look right after reading it
    write_all(client, response.data(), response.size());
    write_all(client, canned->body.data(), canned->body.size());
    if (canned->announced) {
      // Silence until the client closes (or the proxy stops).
      while (!m_stop) {
        pollfd p{client, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        if (::recv(client, buf, sizeof buf, 0) <= 0) break;
      }
    }
    ::shutdown(client, SHUT_WR);
    ::close(client);
    return;
  }
  const int upstream = connect_loopback(m_upstream_port);
  if (upstream < 0) {
    ::close(client);
    return;
  }
  bridge(client, upstream, cut, {});
}

void FaultProxy::bridge(int client, int upstream, std::uint64_t cut_after,
                        std::string already_read) {
  std::uint64_t forwarded = 0;
  std::size_t recorded = 0;
  if (!already_read.empty()) write_all(upstream, already_read.data(), already_read.size());
  std::vector<char> buf(64 * 1024);
  bool open = true;
  while (open && !m_stop && !m_down) {
    pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(p, 2, 100) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int from = i == 0 ? client : upstream;
      const int to = i == 0 ? upstream : client;
      std::size_t want = buf.size();
      if (i == 0 && cut_after != UINT64_MAX) {
        want = static_cast<std::size_t>(std::min<std::uint64_t>(want, cut_after - forwarded));
      }
      if (i == 0 && m_outage_at != UINT64_MAX) {
        const std::uint64_t total = m_forwarded.load(), at = m_outage_at.load();
        want = static_cast<std::size_t>(std::min<std::uint64_t>(want, at > total ? at - total : 0));
        if (want == 0) {
          m_down = true;
          open = false;
          break;
        }
      }
      const ssize_t n = want ? ::recv(from, buf.data(), want, 0) : 0;
      if (n <= 0) {
        open = false;
        break;
      }
      if (i == 0) {
        forwarded += static_cast<std::uint64_t>(n);
        if (m_forwarded.fetch_add(static_cast<std::uint64_t>(n)) + static_cast<std::uint64_t>(n) >=
            m_outage_at.load()) {
          m_down = true;  // this chunk still goes out; nothing after it
        }
        if (recorded < k_record_cap) {
          const std::size_t keep = std::min(static_cast<std::size_t>(n), k_record_cap - recorded);
          std::lock_guard lock(m_mutex);
          m_recorded.append(buf.data(), keep);
          recorded += keep;
        }
      }
      if (!write_all(to, buf.data(), static_cast<std::size_t>(n))) open = false;
      if (i == 0 && cut_after != UINT64_MAX && forwarded >= cut_after) {
        m_cuts++;
        open = false;
      }
    }
  }
  // RST rather than FIN towards the client after a cut would be harsher; a close is what a
  // dying middlebox or server usually produces.
  ::shutdown(client, SHUT_RDWR);
  ::shutdown(upstream, SHUT_RDWR);
  ::close(client);
  ::close(upstream);
}

}  // namespace s3::testing
