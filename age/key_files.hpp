#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "age/error.hpp"
#include "age/keys.hpp"
#include "age/secret.hpp"

// Identity files (as `age-keygen` writes them and `age -d -i` reads them) and recipients files
// (as `age -e -R` reads them): one key per line, lines starting with '#' and empty lines
// ignored, LF or CRLF line ends. Errors name the file (the `name` given) and the line; they
// never quote a line of an identity file.
namespace age {

// Identity and recipients files larger than this are refused (age itself stops at 16 MiB; a
// key file is a few hundred bytes).
inline constexpr std::size_t k_max_key_file_size = 1024 * 1024;

Result<std::vector<Identity>> parse_identity_file(std::string_view contents,
                                                  std::string_view name = "identity file");
Result<std::vector<Recipient>> parse_recipients_file(std::string_view contents,
                                                     std::string_view name = "recipients file");

// Read and parse a file (Kind::io when it cannot be read or is too large). The file's bytes are
// wiped from memory after parsing.
Result<std::vector<Identity>> read_identity_file(const std::filesystem::path& path);
Result<std::vector<Recipient>> read_recipients_file(const std::filesystem::path& path);

// The text `age-keygen` writes for `identity`:
//   # created: <created>\n# public key: age1…\nAGE-SECRET-KEY-1…\n
// `created` is an RFC 3339 UTC time such as "2026-12-03T08:09:08Z" (the caller's clock).
SecretString format_identity_file(const Identity& identity, std::string_view created);

}  // namespace age
