#include "age/header.hpp"

#include <algorithm>
#include <string_view>

#include "age/base64.hpp"

namespace age {
namespace {

constexpr std::size_t k_columns = 64;     // base64 characters per full body line
constexpr std::size_t k_line_bytes = 48;  // bytes a full body line encodes
constexpr std::string_view k_version_prefix = "age-encryption.org/";

tl::unexpected<Error> malformed(std::size_t line, const std::string& what) {
  return fail(Error::Kind::malformed_header,
              "malformed age header: line " + std::to_string(line) + ": " + what);
}

// Walks the input line by line. A line is the bytes up to (not including) the next LF.
class Lines {
 public:
  explicit Lines(std::string_view text) : m_text(text) {}
  // False when no complete line is left (input ends without LF).
  bool next(std::string_view& line) {
    const auto lf = m_text.find('\n', m_pos);
    if (lf == std::string_view::npos) return false;
    line = m_text.substr(m_pos, lf - m_pos);
    m_pos = lf + 1;
    ++m_number;
    return true;
  }
  std::size_t number() const { return m_number; }
  std::size_t position() const { return m_pos; }
  std::string_view rest() const { return m_text.substr(m_pos); }

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_number = 0;
};

bool is_vchar(char c) { return c >= 33 && c <= 126; }

// Splits "prefix arg arg..." on single spaces; false if any part is empty or not VCHAR.
bool split_arguments(std::string_view line, std::vector<std::string>& parts) {
  parts.clear();
  std::size_t start = 0;
  while (true) {
    const auto sp = line.find(' ', start);
    const std::string_view part =
        line.substr(start, sp == std::string_view::npos ? sp : sp - start);
    if (part.empty() || !std::all_of(part.begin(), part.end(), is_vchar)) return false;
    parts.emplace_back(part);
    if (sp == std::string_view::npos) return true;
    start = sp + 1;
  }
}

tl::unexpected<Error> truncated_header(std::size_t size) {
  return fail(Error::Kind::truncated, "the input ends inside the age header (after " +
                                          std::to_string(size) + " bytes, before the MAC line)");
}

}  // namespace

Result<Header> parse_header(std::span<const std::uint8_t> input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()),
                              std::min(input.size(), k_max_header_size));
  Lines lines(text);
  std::string_view line;
  const bool whole_input = input.size() <= k_max_header_size;
  auto ended = [&]() -> tl::unexpected<Error> {
    if (!whole_input) {
      return fail(Error::Kind::malformed_header, "malformed age header: larger than " +
                                                     std::to_string(k_max_header_size / 1024) +
                                                     " KiB (no MAC line within the limit)");
    }
    return truncated_header(input.size());
  };

  if (!lines.next(line)) {
    // Say "not an age file" as early as the first bytes allow.
    const std::string_view head = text.substr(0, std::min(text.size(), k_version_prefix.size()));
    if (k_version_prefix.substr(0, head.size()) != head) {
      return fail(Error::Kind::malformed_header,
                  "not an age file: it does not start with \"age-encryption.org/\"");
    }
    return ended();
  }
  if (std::string_view(line.data(), line.size() + 1) != k_version_line) {
    if (!line.empty() && line.back() == '\r') {
      return malformed(1,
                       "the header has CRLF line endings; age headers use LF only (was the "
                       "file converted as text?)");
    }
    const std::string_view version = line.substr(std::min(line.size(), k_version_prefix.size()));
    if (line.substr(0, k_version_prefix.size()) == k_version_prefix && !version.empty() &&
        std::all_of(version.begin(), version.end(), is_vchar)) {
      return fail(Error::Kind::unsupported,
                  version.size() <= 32 ? "unsupported age format version \"" +
                                             std::string(version) + "\" (this library reads v1)"
                                       : std::string("unsupported age format version"));
    }
    return fail(Error::Kind::malformed_header,
                "not an age file: it does not start with \"age-encryption.org/v1\"");
  }

  Header header;
  std::vector<std::string> parts;
  while (true) {
    const std::size_t line_start = lines.position();
    if (!lines.next(line)) return ended();
    const std::size_t number = lines.number();
    if (line.substr(0, 3) == "---") {
      if (!split_arguments(line, parts) || parts.size() != 2 || parts[0] != "---") {
        return malformed(number, "the MAC line must be \"--- \" and 43 base64 characters");
      }
      const auto mac = base64::decode_unpadded(parts[1]);
      if (!mac || mac->size() != header.mac.size()) {
        return malformed(number, "the header MAC is not canonical base64 of 32 bytes");
      }
      std::copy(mac->begin(), mac->end(), header.mac.begin());
      header.mac_input_size = line_start + 3;
      header.size = lines.position();
      break;
    }
    if (line.substr(0, 2) != "->") {
      return malformed(number, "expected a recipient stanza (\"-> \") or the MAC line (\"--- \")");
    }
    if (!split_arguments(line, parts) || parts.size() < 2 || parts[0] != "->") {
      return malformed(number,
                       "a stanza line must be \"->\" and one or more space-separated arguments");
    }
    Stanza stanza;
    stanza.type = std::move(parts[1]);
    stanza.args.assign(std::make_move_iterator(parts.begin() + 2),
                       std::make_move_iterator(parts.end()));
    // Body: full 64-column lines, then exactly one shorter (possibly empty) line.
    while (true) {
      if (!lines.next(line)) return ended();
      if (line.size() > k_columns) {
        return malformed(lines.number(), "a stanza body line is longer than 64 columns");
      }
      const auto bytes = base64::decode_unpadded(line);
      if (!bytes) {
        return malformed(lines.number(),
                         line.substr(0, 2) == "->" || line.substr(0, 3) == "---"
                             ? std::string("a stanza ended without a short final body line")
                             : std::string("a stanza body line is not canonical base64"));
      }
      stanza.body.insert(stanza.body.end(), bytes->begin(), bytes->end());
      if (bytes->size() < k_line_bytes) break;
    }
    header.stanzas.push_back(std::move(stanza));
  }
  if (header.stanzas.empty()) {
    return malformed(lines.number(), "the header has no recipient stanza");
  }
  return header;
}

std::string encode_header_for_mac(const std::vector<Stanza>& stanzas) {
  std::string out(k_version_line);
  for (const Stanza& s : stanzas) {
    out += "-> ";
    out += s.type;
    for (const std::string& a : s.args) {
      out += ' ';
      out += a;
    }
    out += '\n';
    const std::string body = base64::encode_unpadded(s.body);
    for (std::size_t i = 0; i < body.size(); i += k_columns) {
      out.append(body, i, k_columns);
      out += '\n';
    }
    // The body always ends with a line shorter than 64 columns, empty if need be.
    if (body.size() % k_columns == 0) out += '\n';
  }
  out += "---";
  return out;
}

std::string encode_mac_line(const std::array<std::uint8_t, 32>& mac) {
  return " " + base64::encode_unpadded(mac) + "\n";
}

}  // namespace age
