#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A TCP proxy on 127.0.0.1 in front of the test S3 server that injects real network faults:
// it cuts connections after a number of request bytes, answers requests itself (503 SlowDown,
// hostile documents) before forwarding the rest, and records what clients sent. Decisions are
// made per new connection, in order; connections without a pending fault are forwarded as is.
namespace s3::testing {

class FaultProxy {
 public:
  explicit FaultProxy(std::uint16_t upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const { return m_port; }
  std::string http_endpoint() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  std::string https_endpoint() const { return "https://127.0.0.1:" + std::to_string(m_port); }

  // The next `connections` connections are closed after `bytes` bytes from the client were
  // forwarded (mid-request when the request is longer).
  void cut_after(std::uint64_t bytes, int connections = 1);
  // The next `count` connections get this answer to their first request (read up to the end
  // of its headers; its body is not waited for) and are closed. Plain HTTP only.
  void answer(int status, const std::string& reason, std::string body, int count = 1,
              std::string extra_headers = {});
  // The next connection gets a 200 whose headers announce `announced` body bytes, then
  // `sent` of them, then silence until the client gives up (a stalled server).
  void stall(std::uint64_t announced, std::uint64_t sent);
  // The next `connections` connections are forwarded untouched: queued with answer() so that
  // faults and healthy connections alternate in a planned order.
  void pass(int connections = 1);
  // A network outage: once `bytes` more bytes from clients were forwarded (counted over every
  // connection), every open connection is cut and every new one is closed at once, until
  // come_back(). Models a link that dies in the middle of a part and stays down.
  void go_down_after(std::uint64_t bytes);
  void come_back();

  int connections() const { return m_connections.load(); }
  int cuts() const { return m_cuts.load(); }
  int answered() const { return m_answered.load(); }
  // Connections closed at once because the link was down.
  int refused() const { return m_refused.load(); }
  bool down() const { return m_down.load(); }
  // Everything clients sent on forwarded connections (first 1 MiB of each), concatenated.
  std::string sent_by_clients() const;

 private:
  struct Canned {
    int status;
    std::string reason;
    std::string body;
    std::string extra_headers;
    std::uint64_t announced = 0;  // > 0: a stall
    bool pass = false;            // forward this connection untouched
  };
  void accept_loop();
  void serve(int client);
  void bridge(int client, int upstream, std::uint64_t cut_after, std::string already_read);

  std::uint16_t m_upstream_port;
  std::uint16_t m_port = 0;
  int m_listen = -1;
  std::atomic<bool> m_stop{false};
  std::thread m_acceptor;
  mutable std::mutex m_mutex;
  std::vector<std::thread> m_threads;
  std::vector<std::uint64_t> m_cut_plan;  // per upcoming connection, bytes before the cut
  std::vector<Canned> m_answers;          // per upcoming connection
  std::string m_recorded;
  std::atomic<int> m_connections{0};
  std::atomic<int> m_cuts{0};
  std::atomic<int> m_answered{0};
  std::atomic<int> m_refused{0};
  std::atomic<bool> m_down{false};
  std::atomic<std::uint64_t> m_forwarded{0};           // client bytes, all connections
  std::atomic<std::uint64_t> m_outage_at{UINT64_MAX};  // m_forwarded at which the link dies
};

}  // namespace s3::testing
