#include "agent/events/event_url.hpp"

namespace agent::events {

std::string shown_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return "(URL)";
  const auto rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return "(URL)";
  std::string shown(url.substr(0, scheme_end + 3));
  shown += authority;
  if (authority_end != std::string_view::npos && authority_end + 1 < rest.size()) shown += "/…";
  return shown;
}

std::string hide_url(std::string text, std::string_view url) {
  if (url.empty()) return text;
  const std::string shown = shown_url(url);
  const auto replace_all = [&](std::string_view what) {
    if (what.empty()) return;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
      text.replace(at, what.size(), shown);
      at += shown.size();
    }
  };
  replace_all(url);
  replace_all(url.substr(0, url.find('?')));
  // The path alone (a message may quote it without the host).
  const auto scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    const auto path_at = url.find('/', scheme_end + 3);
    if (path_at != std::string_view::npos && path_at + 1 < url.size()) {
      const auto path = url.substr(path_at);
      for (auto at = text.find(path); at != std::string::npos; at = text.find(path, at)) {
        text.replace(at, path.size(), "/…");
        at += 4;
      }
    }
  }
  return text;
}

bool is_plain_loopback_url(std::string_view url) {
  for (std::string_view prefix : {"http://127.0.0.1", "http://[::1]"}) {
    if (url.substr(0, prefix.size()) == prefix) {
      const auto next = url.substr(prefix.size());
      if (next.empty() || next.front() == ':' || next.front() == '/') return true;
    }
  }
  return false;
}

}  // namespace agent::events
