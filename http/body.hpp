#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

// Streaming bodies: a request body is pulled from a BodySource of known length, a response
// body is pushed into a BodySink, so neither has to fit in memory.
namespace http {

class BodySource {
 public:
  virtual ~BodySource() = default;
  // Exactly how many bytes read() will deliver in total (sent as Content-Length).
  virtual std::uint64_t size() const = 0;
  // Copies up to `capacity` bytes to `out` and returns how many; 0 only after size() bytes.
  // An error (a sentence for the operator) aborts the request with Error::Kind::source.
  virtual tl::expected<std::size_t, std::string> read(char* out, std::size_t capacity) = 0;
  // Starts over from the first byte, if the source can; lets libcurl re-send an idempotent
  // request whose reused connection turned out dead. Default: cannot.
  virtual bool rewind() { return false; }
};

// A source over bytes the caller keeps alive until the request returns.
class BytesSource final : public BodySource {
 public:
  explicit BytesSource(std::string_view bytes) : m_bytes(bytes) {}
  std::uint64_t size() const override { return m_bytes.size(); }
  tl::expected<std::size_t, std::string> read(char* out, std::size_t capacity) override;
  bool rewind() override {
    m_offset = 0;
    return true;
  }

 private:
  std::string_view m_bytes;
  std::size_t m_offset = 0;
};

class BodySink {
 public:
  virtual ~BodySink() = default;
  // Takes the next bytes of a 2xx answer's body. An error (a sentence for the operator)
  // aborts the request with Error::Kind::sink.
  virtual tl::expected<void, std::string> write(const char* data, std::size_t size) = 0;
};

}  // namespace http
