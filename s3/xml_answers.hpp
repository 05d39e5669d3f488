#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/error.hpp"
#include "s3/types.hpp"

// S3's XML documents, read and written with pugixml (in xml_answers.cpp only). Every reader
// is bounded: at most `max_entries` list entries, and text fields over 4 KiB are refused, so a
// hostile answer costs bounded memory and time. Readers fail with Error::Kind::bad_answer.
namespace s3::xml {

struct ErrorDocument {
  std::string code;
  std::string message;
  std::string request_id;
};
// The <Error> document of a refusal; nullopt when `body` is not one.
std::optional<ErrorDocument> parse_error(std::string_view body);

Result<VersioningStatus> parse_versioning(std::string_view body);
Result<ObjectLockConfiguration> parse_object_lock_configuration(std::string_view body);
Result<std::optional<Retention>> parse_retention(std::string_view body);
Result<std::string> parse_initiate_multipart(std::string_view body);  // the UploadId
// The CompleteMultipartUploadResult's ETag (may be empty, RGW sends none); an <Error> root is
// returned as its document in `error`.
struct CompleteAnswer {
  std::string etag;
  std::optional<ErrorDocument> error;
};
Result<CompleteAnswer> parse_complete_multipart(std::string_view body);
Result<UploadPage> parse_list_uploads(std::string_view body, int max_entries);
Result<PartPage> parse_list_parts(std::string_view body, int max_entries);
Result<ObjectPage> parse_list_objects_v2(std::string_view body, int max_entries);
Result<VersionPage> parse_list_versions(std::string_view body, int max_entries);

std::string complete_multipart_body(const std::vector<CompletedPart>& parts);
std::string retention_body(const Retention& retention);
std::string versioning_body(bool enabled);
std::string create_bucket_body(const std::string& location_constraint);

}  // namespace s3::xml
