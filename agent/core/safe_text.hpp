#pragma once

#include <string>
#include <string_view>

// Text from outside (the container's mongodump stderr, names inside an archive, API answers,
// notes) made safe for the two places it ends up: stored files (JSON must be valid UTF-8, or
// nlohmann::json::dump throws) and human output (a terminal must not execute what the remote
// side wrote). Both functions are total: they never throw on any input and never fail.
namespace agent {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF. NUL bytes are valid UTF-8.
bool is_valid_utf8(std::string_view text);

// For text that is stored: valid UTF-8 comes back byte for byte unchanged; every byte that is
// not part of a well-formed sequence becomes the four characters `\xNN` (upper-case hex), so
// the result is always valid UTF-8 and the bad bytes stay visible. (A literal `\x41` in the
// input is not escaped further: the escape is for people, not for reversing.)
std::string escape_invalid_utf8(std::string_view text);

// Whether escape_control_chars keeps TAB as it is. Log lines keep it (mongodump's own line
// format is "<timestamp>\t<message>"); single-line fields such as a table cell escape it.
enum class Tabs { keep, escape };

// For text shown to people or written to logs: escape_invalid_utf8, plus every character a
// terminal would act on is made visible: `\n`, `\r` (and `\t` with Tabs::escape) as those two
// characters, the other C0 controls and DEL as `\xNN` (ESC is `\x1B`), the C1 controls
// (U+0080..U+009F) as `\u0080`..`\u009F`, and the characters that reorder or break lines
// (U+2028, U+2029, the bidirectional embeddings/overrides U+202A..U+202E and isolates
// U+2066..U+2069) as `\uXXXX`. Printable text, including any other non-ASCII letter, stays.
std::string escape_control_chars(std::string_view text, Tabs tabs = Tabs::keep);

}  // namespace agent
