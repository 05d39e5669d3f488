#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// UTF-8 helpers for text from the API (notes, task logs, reasons): never throw, never read
// past the input. The decoder follows RFC 3629 (no overlongs, no surrogates, at most
// U+10FFFF).
namespace proxmox::text {

bool is_valid_utf8(std::string_view s);

// `s` with every byte that does not start or belong to a well-formed sequence replaced by
// U+FFFD (each bad byte by one, as Perl's Encode::decode('utf8') does by default).
std::string to_valid_utf8(std::string_view s);

// Characters (code points) of `s`, counting each invalid byte as one: what Perl's length()
// gives for a parameter the API server decoded with Encode::decode('utf8')
// (pve-http-server AnyEvent.pm decode_urlencoded).
std::size_t char_count(std::string_view s);

// Length in bytes of the well-formed sequence starting at s[i], or 0 when s[i] does not
// start one.
std::size_t sequence_length(std::string_view s, std::size_t i);

}  // namespace proxmox::text
