#pragma once

#include <string>
#include <string_view>

// The URLs of events hold their secret in the path (a healthchecks.io ping URL is
// https://hc-ping.com/<uuid>: whoever knows the UUID can ping the check) or the query, so the
// agent never shows more than the scheme and the host.
namespace agent::events {

// "https://hc-ping.com/…" for "https://hc-ping.com/0b6a…/start": scheme and authority, then
// "/…" when anything followed. Text that is not a URL comes back as "(URL)".
std::string shown_url(std::string_view url);

// Replaces every copy of `url` and of its part before '?' in `text` with shown_url(url):
// transport error messages name the URL they failed on.
std::string hide_url(std::string text, std::string_view url);

// Whether `url` is http:// to 127.0.0.1 or [::1] (allowed with events.allow_plain_loopback).
bool is_plain_loopback_url(std::string_view url);

}  // namespace agent::events
