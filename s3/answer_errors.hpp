#pragma once

#include <string>

#include "http/error.hpp"
#include "http/transport.hpp"
#include "s3/error.hpp"

// Turns a refused S3 request (status + <Error> document) or a transport failure into a typed
// s3::Error whose message says what happened and what to do.
namespace s3 {

struct CallContext {
  std::string operation;  // "PutObject"
  std::string endpoint;
  std::string region;
  std::string bucket;
  std::string key;              // empty for bucket operations
  bool lock_requested = false;  // the request carried Object Lock headers
};

Error error_from_answer(const CallContext& call, const http::Response& answer);
Error error_from_transport(const CallContext& call, const http::Error& error);

}  // namespace s3
