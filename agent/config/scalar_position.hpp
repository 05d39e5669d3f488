#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "agent/config/config_loader.hpp"

// Where a character of a string value sits in the configuration file, so checks of a value's
// content (e.g. the notes template's rules) can name FILE:LINE:COLUMN of the offending
// character rather than of its key.
namespace agent {

// The position of character `index` (0-based, counted in Unicode characters of the value as
// YAML decodes it) of the value of the key that starts at `key` (as
// LoadedConfig::positions records it) in `file_text`. Known for a value on the key's own line
// written plain, 'single-quoted' or "double-quoted" (escapes map to their backslash); nullopt
// for block scalars, values continued on later lines, or an index past the value. Columns are
// 1-based characters of the line.
std::optional<SourcePosition> scalar_char_position(std::string_view file_text, SourcePosition key,
                                                   std::size_t index);

}  // namespace agent
