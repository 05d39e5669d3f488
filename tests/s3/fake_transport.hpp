#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "http/transport.hpp"
#include "s3/client.hpp"

// A scripted http::Transport for unit tests of request building and answer handling: it
// records every request (with its body read out) and answers from a queue. It stands in for
// the network, not for the client under test; the real wire is tested against radosgw.
namespace s3::testing {

struct Recorded {
  http::Method method;
  std::string url;
  http::Headers headers;
  std::string body;
  bool idempotent = true;
  const std::string* header(const std::string& name) const {
    return http::find_header(headers, name);
  }
};

struct Script {
  std::vector<Recorded> requests;
  std::deque<http::Result<http::Response>> answers;
};

class FakeTransport final : public http::Transport {
 public:
  explicit FakeTransport(Script& script) : m_script(script) {}
  http::Result<http::Response> send(const http::Request& request) override {
    Recorded r{request.method, request.url, request.headers, {}, request.idempotent};
    if (request.body) {
      char buf[4096];
      while (true) {
        auto n = request.body->read(buf, sizeof buf);
        if (!n || *n == 0) break;
        r.body.append(buf, *n);
      }
    }
    m_script.requests.push_back(std::move(r));
    if (m_script.answers.empty()) {
      return http::make_error(http::Error::Kind::transport, "fake transport: no scripted answer");
    }
    auto answer = std::move(m_script.answers.front());
    m_script.answers.pop_front();
    if (answer && request.sink && answer->status / 100 == 2) {
      (void)request.sink->write(answer->body.data(), answer->body.size());
      answer->body.clear();
    }
    return answer;
  }

 private:
  Script& m_script;
};

inline http::Response answer(int status, std::string body = {}, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

inline std::string error_xml(const std::string& code, const std::string& message = {}) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
         message + "</Message><RequestId>tx-1</RequestId></Error>";
}

inline ClientOptions fake_options() {
  ClientOptions o;
  o.endpoint = "https://s3.example.test";
  o.region = "eu-test-1";
  o.bucket = "backups";
  o.credentials = {"AKIDEXAMPLE", "not-a-real-secret", {}};
  o.sleep = [](std::chrono::milliseconds) {};
  return o;
}

inline std::unique_ptr<Client> fake_client(Script& script, ClientOptions o = fake_options()) {
  auto c = Client::create(std::move(o), [&script](const http::TransportOptions&) {
    return http::Result<std::unique_ptr<http::Transport>>(std::make_unique<FakeTransport>(script));
  });
  return c ? std::move(*c) : nullptr;
}

}  // namespace s3::testing
