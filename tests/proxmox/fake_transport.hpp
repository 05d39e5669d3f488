#pragma once

#include <deque>
#include <string>
#include <vector>

#include "proxmox/http_transport.hpp"

// A scripted HttpTransport for unit tests of request building and response handling: it
// records every request and answers from a queue. It stands in for the network, not for the
// client under test.
namespace proxmox::testing {

class FakeTransport final : public HttpTransport {
 public:
  struct Shared {
    std::vector<Request> requests;
    std::deque<Result<Response>> answers;
  };
  explicit FakeTransport(Shared& shared) : m_shared(shared) {}

  Result<Response> send(const Request& request) override {
    m_shared.requests.push_back(request);
    if (m_shared.answers.empty()) {
      return make_error(Error::Kind::transport, "fake transport: no scripted answer");
    }
    auto answer = std::move(m_shared.answers.front());
    m_shared.answers.pop_front();
    return answer;
  }

 private:
  Shared& m_shared;
};

inline Result<Response> ok(std::string body) { return Response{200, "OK", std::move(body)}; }
inline Result<Response> status(int code, std::string reason, std::string body = "") {
  return Response{code, std::move(reason), std::move(body)};
}

}  // namespace proxmox::testing
