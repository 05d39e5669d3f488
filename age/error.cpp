#include "age/error.hpp"

namespace age {

const char* kind_name(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::invalid_key:
      return "invalid_key";
    case Error::Kind::unsupported:
      return "unsupported";
    case Error::Kind::malformed_header:
      return "malformed_header";
    case Error::Kind::no_identity_matched:
      return "no_identity_matched";
    case Error::Kind::header_mac_mismatch:
      return "header_mac_mismatch";
    case Error::Kind::truncated:
      return "truncated";
    case Error::Kind::payload_damaged:
      return "payload_damaged";
    case Error::Kind::trailing_data:
      return "trailing_data";
    case Error::Kind::armor_malformed:
      return "armor_malformed";
    case Error::Kind::aborted:
      return "aborted";
    case Error::Kind::misuse:
      return "misuse";
    case Error::Kind::crypto:
      return "crypto";
    case Error::Kind::io:
      return "io";
  }
  return "unknown";
}

}  // namespace age
