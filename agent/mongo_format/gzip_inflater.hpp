#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

// Internal to mongo_format: streaming gzip inflate (ISA-L) that accepts exactly one gzip member
// with a correct CRC32 and ISIZE and nothing after it.
namespace agent::mongo_format {

class GzipInflater {
 public:
  // Receives each piece of inflated output; the bytes are valid only during the call.
  using Output = std::function<void(const std::uint8_t*, std::size_t)>;

  explicit GzipInflater(Output out);
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  void feed(const std::uint8_t* data, std::size_t size);
  // Call at end of input; records an error when the member did not end.
  void finish();

  bool failed() const { return !m_error.empty(); }
  const std::string& error() const { return m_error; }
  std::uint64_t compressed_bytes() const { return m_in; }

 private:
  struct State;
  std::unique_ptr<State> m_state;
  Output m_out;
  std::string m_error;
  std::uint64_t m_in = 0;
  bool m_done = false;
};

}  // namespace agent::mongo_format
