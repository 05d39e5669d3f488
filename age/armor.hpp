#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "age/error.hpp"

// Strict decoding of age's ASCII armor (C2SP age, "ASCII armor"): RFC 7468 PEM with the label
// "AGE ENCRYPTED FILE", no headers, padded canonical base64 in 64-column lines (only the last
// one shorter), LF or CRLF line ends, and nothing but a little whitespace before and after.
// Pushed in pieces of any size; decoded bytes go to `out` line by line. Errors are
// Kind::armor_malformed (or whatever `out` returns) and sticky.
namespace age {

class ArmorDecoder {
 public:
  using Output = std::function<Result<void>(std::span<const std::uint8_t>)>;

  explicit ArmorDecoder(Output out) : m_out(std::move(out)) {}

  Result<void> update(std::span<const std::uint8_t> armored);
  Result<void> finish();

 private:
  enum class State { before_begin, body, expect_end, after_end };
  Result<void> line(std::string_view text);
  Result<void> emit();
  tl::unexpected<Error> stop(std::string message);

  Output m_out;
  State m_state = State::before_begin;
  std::string m_line;  // the line being assembled (bounded)
  std::size_t m_whitespace = 0;
  std::size_t m_line_number = 0;
  std::vector<std::uint8_t> m_decoded;
  std::optional<Error> m_failed;
};

}  // namespace age
