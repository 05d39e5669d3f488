#include "agent/tier/backup_listing.hpp"

namespace agent {

const char* to_string(ListMark mark) {
  switch (mark) {
    case ListMark::keep:
      return "keep";
    case ListMark::remove:
      return "remove";
    case ListMark::protected_backup:
      return "protected";
    case ListMark::foreign:
      return "foreign";
  }
  return "";
}

const char* to_string(Validation validation) {
  switch (validation) {
    case Validation::unknown:
      return "";
    case Validation::ok:
      return "ok";
    case Validation::failed:
      return "failed";
    case Validation::pending:
      return "pending";
    case Validation::not_verifiable:
      return "not-verifiable-here";
  }
  return "";
}

std::optional<Validation> parse_validation(std::string_view text) {
  for (const auto v :
       {Validation::ok, Validation::failed, Validation::pending, Validation::not_verifiable}) {
    if (text == to_string(v)) return v;
  }
  return std::nullopt;
}

}  // namespace agent
