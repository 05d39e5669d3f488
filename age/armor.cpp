#include "age/armor.hpp"

#include <algorithm>

#include "age/base64.hpp"

namespace age {
namespace {

constexpr std::string_view k_begin = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view k_end = "-----END AGE ENCRYPTED FILE-----";
constexpr std::size_t k_columns = 64;
constexpr std::size_t k_line_bytes = 48;
// Whitespace tolerated before the BEGIN line and after the END line (as age does).
constexpr std::size_t k_max_whitespace = 1024;
// No armor line is longer than this (64 columns, CRLF); longer ones fail before buffering.
constexpr std::size_t k_max_line = k_max_whitespace + 2;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool all_space(std::string_view s) { return std::all_of(s.begin(), s.end(), is_space); }

}  // namespace

tl::unexpected<Error> ArmorDecoder::stop(std::string message) {
  m_failed = Error{
      Error::Kind::armor_malformed,
      "malformed age armor: line " + std::to_string(m_line_number) + ": " + std::move(message)};
  return tl::unexpected(*m_failed);
}

Result<void> ArmorDecoder::emit() {
  if (auto ok = m_out(m_decoded); !ok) {
    m_failed = ok.error();
    return ok;
  }
  return {};
}

Result<void> ArmorDecoder::line(std::string_view text) {
  ++m_line_number;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  switch (m_state) {
    case State::before_begin:
      if (all_space(text)) {
        m_whitespace += text.size() + 1;
        if (m_whitespace > k_max_whitespace) return stop("too much whitespace before the armor");
        return {};
      }
      if (text != k_begin) {
        return stop("expected \"" + std::string(k_begin) + "\" (no headers, nothing before it)");
      }
      m_state = State::body;
      return {};
    case State::body: {
      if (text == k_end) {
        m_state = State::after_end;
        return {};
      }
      if (text.empty()) return stop("an empty line inside the armor");
      if (text.size() > k_columns) return stop("a line is longer than 64 columns");
      if (!base64::decode_padded(text, m_decoded)) {
        return stop("a line is not canonical padded base64");
      }
      if (m_decoded.size() < k_line_bytes) {
        // The short last line is passed on only once the END line confirms it is the last.
        m_state = State::expect_end;
        return {};
      }
      return emit();
    }
    case State::expect_end:
      if (text != k_end) {
        return stop("a line shorter than 64 columns must be the last; expected \"" +
                    std::string(k_end) + "\"");
      }
      m_state = State::after_end;
      return emit();
    case State::after_end:
      break;
  }
  return {};
}

Result<void> ArmorDecoder::update(std::span<const std::uint8_t> armored) {
  if (m_failed) return tl::unexpected(*m_failed);
  const std::string_view in(reinterpret_cast<const char*>(armored.data()), armored.size());
  if (m_state == State::after_end) {
    m_whitespace += in.size();
    if (!all_space(in)) return stop("data after the END line");
    if (m_whitespace >= k_max_whitespace) return stop("too much whitespace after the armor");
    return {};
  }
  std::size_t pos = 0;
  while (pos < in.size()) {
    if (m_state == State::after_end) return update(armored.subspan(pos));
    const auto lf = in.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? in.size() : lf;
    if (m_line.size() + (end - pos) > k_max_line) {
      ++m_line_number;
      return stop("a line is longer than 64 columns");
    }
    m_line.append(in.substr(pos, end - pos));
    if (lf == std::string_view::npos) break;
    pos = lf + 1;
    auto ok = line(m_line);
    m_line.clear();
    if (!ok) return ok;
    if (m_state == State::after_end) m_whitespace = 0;
  }
  return {};
}

Result<void> ArmorDecoder::finish() {
  if (m_failed) return tl::unexpected(*m_failed);
  if (m_state != State::after_end && !m_line.empty()) {
    // The last line may lack its line end.
    auto ok = line(m_line);
    m_line.clear();
    if (!ok) return ok;
  }
  if (m_state != State::after_end) {
    return stop(m_state == State::before_begin ? "no \"" + std::string(k_begin) + "\" line"
                                               : "no \"" + std::string(k_end) + "\" line");
  }
  return {};
}

}  // namespace age
