// libFuzzer target: the configuration loader (agent/config/config_loader.hpp) on any text, as
// from a file the operator (or someone who got write access to it) wrote.
// Invariants: no crash, no exception; a rejected file comes with at least one diagnostic, each
// with a message and a sane position; an accepted file lists its effective values, and each
// key listed with a position points inside the text.
#include <algorithm>
#include <string_view>

#include "agent/config/config_listing.hpp"
#include "agent/config/config_loader.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 2;
  const auto loaded = agent::parse_config_text(text, "/fuzz/config.yaml");
  if (!loaded) {
    fuzz::check(!loaded.error().empty(), "rejected without a diagnostic");
    for (const auto& d : loaded.error()) {
      fuzz::check(!d.message.empty(), "diagnostic without a message", d.key_path);
      fuzz::check(d.line >= 0 && d.line <= lines, "diagnostic line outside the text",
                  d.to_string());
      fuzz::check(!d.to_string().empty(), "empty diagnostic text");
    }
    return 0;
  }
  const auto entries = agent::list_effective_config(*loaded);
  fuzz::check(!entries.empty(), "accepted config lists no values");
  for (const auto& [key, at] : loaded->positions) {
    fuzz::check(at.line >= 1 && at.line <= lines, "position outside the text", key);
  }
  return 0;
}
