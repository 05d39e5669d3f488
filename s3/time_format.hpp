#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "s3/types.hpp"

// The time formats of S3: ISO 8601 in XML and lock headers, RFC 7231 dates in Last-Modified
// and Date, the compact SigV4 form in X-Amz-Date.
namespace s3 {

std::string format_iso8601(Time time);   // "2026-12-03T09:09:51.000Z"
std::string format_amz_date(Time time);  // "20261203T090951Z"
// "2026-12-03T09:09:51Z", with any fraction of a second (RGW sends nanoseconds), which is
// dropped; nullopt otherwise.
std::optional<Time> parse_iso8601(std::string_view text);
// "Thu, 03 Dec 2026 08:09:52 GMT"; nullopt otherwise.
std::optional<Time> parse_http_date(std::string_view text);

}  // namespace s3
