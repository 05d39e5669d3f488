#include "agent/tier/tier_error.hpp"

#include "agent/core/exit_codes.hpp"

namespace agent {
namespace {

constexpr TierError::Kind k_kinds[] = {
    TierError::Kind::access,  TierError::Kind::unreachable, TierError::Kind::refused,
    TierError::Kind::invalid, TierError::Kind::local_io,    TierError::Kind::internal,
};

}  // namespace

const char* to_string(TierError::Kind kind) {
  switch (kind) {
    case TierError::Kind::access:
      return "access";
    case TierError::Kind::unreachable:
      return "unreachable";
    case TierError::Kind::refused:
      return "refused";
    case TierError::Kind::invalid:
      return "invalid";
    case TierError::Kind::local_io:
      return "local_io";
    case TierError::Kind::internal:
      return "internal";
  }
  return "internal";
}

std::optional<TierError::Kind> parse_error_kind(std::string_view text) {
  for (const auto kind : k_kinds) {
    if (text == to_string(kind)) return kind;
  }
  return std::nullopt;
}

bool needs_operator(TierError::Kind kind) {
  switch (kind) {
    case TierError::Kind::unreachable:
    case TierError::Kind::refused:
      return false;
    case TierError::Kind::access:
    case TierError::Kind::invalid:
    case TierError::Kind::local_io:
    case TierError::Kind::internal:
      return true;
  }
  return true;
}

int exit_code_for(TierError::Kind /*kind*/) { return exit_code::k_failure; }

}  // namespace agent
