// libFuzzer target: agent/core/safe_text. Invariants: escape_invalid_utf8 gives valid UTF-8 and
// is the identity on valid UTF-8; escape_control_chars leaves no C0/C1 control, DEL or bidi
// override (TAB only with Tabs::keep); nlohmann::json::dump never throws on either result.
#include <nlohmann/json.hpp>

#include "agent/core/safe_text.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string stored = agent::escape_invalid_utf8(text);
  fuzz::check(agent::is_valid_utf8(stored), "stored text not UTF-8");
  if (agent::is_valid_utf8(text)) fuzz::check(stored == text, "valid text changed");
  const std::string shown = agent::escape_control_chars(text, agent::Tabs::escape);
  fuzz::check(agent::is_valid_utf8(shown), "shown text not UTF-8");
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const auto c = static_cast<unsigned char>(shown[i]);
    fuzz::check(c >= 0x20 && c != 0x7F, "control character shown");
    if (c == 0xC2 && i + 1 < shown.size()) {
      const auto d = static_cast<unsigned char>(shown[i + 1]);
      fuzz::check(d < 0x80 || d > 0x9F, "C1 control shown");
    }
    if (c == 0xE2 && i + 2 < shown.size()) {
      const auto b = static_cast<unsigned char>(shown[i + 1]);
      const auto d = static_cast<unsigned char>(shown[i + 2]);
      fuzz::check(!(b == 0x80 && d >= 0xA8 && d <= 0xAE), "line separator or bidi override");
      fuzz::check(!(b == 0x81 && d >= 0xA6 && d <= 0xA9), "bidi isolate shown");
    }
  }
  (void)nlohmann::json({stored, shown}).dump();
  return 0;
}
