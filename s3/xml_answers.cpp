// The only file of s3/ that uses pugixml. pugixml expands no custom entities and keeps no
// DOCTYPE, so an entity bomb stays its own (bounded) size; the caller bounds the body.
#include <charconv>
#include <cstring>

#include <pugixml.hpp>

#include "s3/time_format.hpp"
#include "s3/xml_answers.hpp"

namespace s3::xml {
namespace {

constexpr std::size_t k_max_text = 4096;

// Reads fields of one document, remembering the first problem instead of failing per field.
class Reader {
 public:
  explicit Reader(const char* what) : m_what(what) {}

  bool load(std::string_view body, const char* root_name) {
    const auto result = m_doc.load_buffer(body.data(), body.size(), pugi::parse_default);
    if (!result) return fail(std::string("not XML (") + result.description() + ")");
    m_root = m_doc.document_element();
    if (std::strcmp(m_root.name(), root_name) != 0) {
      return fail(std::string("root element <") + m_root.name() + ">, expected <" + root_name +
                  ">");
    }
    return true;
  }
  pugi::xml_node root() const { return m_root; }

  std::string text(pugi::xml_node parent, const char* name) {
    const char* value = parent.child_value(name);
    const std::size_t len = std::strlen(value);
    if (len > k_max_text) {
      fail(std::string("<") + name + "> is " + std::to_string(len) + " bytes long");
      return {};
    }
    return std::string(value, len);
  }
  std::uint64_t number(pugi::xml_node parent, const char* name) {
    const std::string value = text(parent, name);
    std::uint64_t out = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || end != value.data() + value.size()) {
      fail(std::string("<") + name + "> is not a number");
      return 0;
    }
    return out;
  }
  std::optional<Time> time(pugi::xml_node parent, const char* name) {
    const std::string value = text(parent, name);
    if (value.empty()) return std::nullopt;
    auto parsed = parse_iso8601(value);
    if (!parsed) fail(std::string("<") + name + "> is not an ISO 8601 time");
    return parsed;
  }
  bool truncated(pugi::xml_node parent) { return text(parent, "IsTruncated") == "true"; }
  // Counts entries; false (and a failure) past the bound.
  bool count(int& seen, int max_entries) {
    if (++seen > max_entries) {
      return fail("more than " + std::to_string(max_entries) + " entries in one page");
    }
    return true;
  }
  bool fail(std::string problem) {
    if (m_problem.empty()) m_problem = std::move(problem);
    return false;
  }
  bool ok() const { return m_problem.empty(); }
  Error error() const {
    return Error{Error::Kind::bad_answer,
                 0,
                 {},
                 std::string("the S3 server's answer to ") + m_what +
                     " is not what S3 documents: " + m_problem,
                 {}};
  }

 private:
  const char* m_what;
  pugi::xml_document m_doc;
  pugi::xml_node m_root;
  std::string m_problem;
};

template <typename T>
Result<T> finish(const Reader& reader, T value) {
  if (!reader.ok()) return tl::unexpected(reader.error());
  return value;
}

std::optional<LockMode> parse_mode(const std::string& text) {
  if (text == "COMPLIANCE") return LockMode::compliance;
  if (text == "GOVERNANCE") return LockMode::governance;
  return std::nullopt;
}

std::string save(const pugi::xml_document& doc) {
  struct Writer final : pugi::xml_writer {
    std::string out;
    void write(const void* data, size_t size) override {
      out.append(static_cast<const char*>(data), size);
    }
  } writer;
  doc.save(writer, "", pugi::format_raw | pugi::format_no_declaration);
  return writer.out;
}

pugi::xml_node s3_root(pugi::xml_document& doc, const char* name) {
  auto root = doc.append_child(name);
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  return root;
}

void add_text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

}  // namespace

std::optional<ErrorDocument> parse_error(std::string_view body) {
  Reader reader("a request");
  if (!reader.load(body, "Error")) return std::nullopt;
  ErrorDocument doc{reader.text(reader.root(), "Code"), reader.text(reader.root(), "Message"),
                    reader.text(reader.root(), "RequestId")};
  if (!reader.ok()) return std::nullopt;
  return doc;
}

Result<VersioningStatus> parse_versioning(std::string_view body) {
  Reader reader("GetBucketVersioning");
  if (!reader.load(body, "VersioningConfiguration")) return tl::unexpected(reader.error());
  const std::string status = reader.text(reader.root(), "Status");
  VersioningStatus out = VersioningStatus::never_enabled;
  if (status == "Enabled") {
    out = VersioningStatus::enabled;
  } else if (status == "Suspended") {
    out = VersioningStatus::suspended;
  } else if (!status.empty()) {
    reader.fail("unknown versioning status \"" + status + "\"");
  }
  return finish(reader, out);
}

Result<ObjectLockConfiguration> parse_object_lock_configuration(std::string_view body) {
  Reader reader("GetObjectLockConfiguration");
  if (!reader.load(body, "ObjectLockConfiguration")) return tl::unexpected(reader.error());
  ObjectLockConfiguration out;
  out.enabled = reader.text(reader.root(), "ObjectLockEnabled") == "Enabled";
  const auto retention = reader.root().child("Rule").child("DefaultRetention");
  if (retention) {
    out.default_mode = parse_mode(reader.text(retention, "Mode"));
    if (retention.child("Days"))
      out.default_days = static_cast<int>(reader.number(retention, "Days"));
    if (retention.child("Years")) {
      out.default_years = static_cast<int>(reader.number(retention, "Years"));
    }
  }
  return finish(reader, out);
}

Result<std::optional<Retention>> parse_retention(std::string_view body) {
  Reader reader("GetObjectRetention");
  if (!reader.load(body, "Retention")) return tl::unexpected(reader.error());
  const auto mode = parse_mode(reader.text(reader.root(), "Mode"));
  const auto until = reader.time(reader.root(), "RetainUntilDate");
  if (!mode || !until) {
    if (reader.ok()) return std::optional<Retention>{};
    return tl::unexpected(reader.error());
  }
  return finish(reader, std::optional<Retention>(Retention{*mode, *until}));
}

Result<std::string> parse_initiate_multipart(std::string_view body) {
  Reader reader("CreateMultipartUpload");
  if (!reader.load(body, "InitiateMultipartUploadResult")) return tl::unexpected(reader.error());
  std::string id = reader.text(reader.root(), "UploadId");
  if (reader.ok() && id.empty()) reader.fail("no UploadId");
  return finish(reader, std::move(id));
}

Result<CompleteAnswer> parse_complete_multipart(std::string_view body) {
  if (auto error = parse_error(body)) return CompleteAnswer{{}, std::move(error)};
  Reader reader("CompleteMultipartUpload");
  if (!reader.load(body, "CompleteMultipartUploadResult")) return tl::unexpected(reader.error());
  CompleteAnswer out;
  out.etag = reader.text(reader.root(), "ETag");
  return finish(reader, std::move(out));
}

Result<UploadPage> parse_list_uploads(std::string_view body, int max_entries) {
  Reader reader("ListMultipartUploads");
  if (!reader.load(body, "ListMultipartUploadsResult")) return tl::unexpected(reader.error());
  UploadPage page;
  int seen = 0;
  for (auto node : reader.root().children("Upload")) {
    if (!reader.count(seen, max_entries)) break;
    UploadSummary u;
    u.key = reader.text(node, "Key");
    u.upload_id = reader.text(node, "UploadId");
    u.initiated = reader.time(node, "Initiated");
    u.storage_class = reader.text(node, "StorageClass");
    page.uploads.push_back(std::move(u));
  }
  page.truncated = reader.truncated(reader.root());
  page.next_key_marker = reader.text(reader.root(), "NextKeyMarker");
  page.next_upload_id_marker = reader.text(reader.root(), "NextUploadIdMarker");
  if (reader.ok() && page.truncated && page.next_key_marker.empty()) {
    reader.fail("a truncated listing without NextKeyMarker");
  }
  return finish(reader, std::move(page));
}

Result<PartPage> parse_list_parts(std::string_view body, int max_entries) {
  Reader reader("ListParts");
  if (!reader.load(body, "ListPartsResult")) return tl::unexpected(reader.error());
  PartPage page;
  int seen = 0;
  for (auto node : reader.root().children("Part")) {
    if (!reader.count(seen, max_entries)) break;
    PartSummary p;
    p.number = static_cast<int>(reader.number(node, "PartNumber"));
    p.etag = reader.text(node, "ETag");
    p.size = reader.number(node, "Size");
    p.checksum_sha256 = reader.text(node, "ChecksumSHA256");
    page.parts.push_back(std::move(p));
  }
  page.truncated = reader.truncated(reader.root());
  if (page.truncated) {
    page.next_part_number_marker =
        static_cast<int>(reader.number(reader.root(), "NextPartNumberMarker"));
  }
  return finish(reader, std::move(page));
}

Result<ObjectPage> parse_list_objects_v2(std::string_view body, int max_entries) {
  Reader reader("ListObjectsV2");
  if (!reader.load(body, "ListBucketResult")) return tl::unexpected(reader.error());
  ObjectPage page;
  int seen = 0;
  for (auto node : reader.root().children("Contents")) {
    if (!reader.count(seen, max_entries)) break;
    ObjectSummary o;
    o.key = reader.text(node, "Key");
    o.size = reader.number(node, "Size");
    o.etag = reader.text(node, "ETag");
    o.last_modified = reader.time(node, "LastModified");
    o.storage_class = reader.text(node, "StorageClass");
    page.objects.push_back(std::move(o));
  }
  page.truncated = reader.truncated(reader.root());
  page.next_continuation_token = reader.text(reader.root(), "NextContinuationToken");
  if (reader.ok() && page.truncated && page.next_continuation_token.empty()) {
    reader.fail("a truncated listing without NextContinuationToken");
  }
  return finish(reader, std::move(page));
}

Result<VersionPage> parse_list_versions(std::string_view body, int max_entries) {
  Reader reader("ListObjectVersions");
  if (!reader.load(body, "ListVersionsResult")) return tl::unexpected(reader.error());
  VersionPage page;
  int seen = 0;
  // Versions and delete markers interleave in key order; keep that order.
  for (auto node : reader.root().children()) {
    const bool is_version = std::strcmp(node.name(), "Version") == 0;
    const bool is_marker = std::strcmp(node.name(), "DeleteMarker") == 0;
    if (!is_version && !is_marker) continue;
    if (!reader.count(seen, max_entries)) break;
    VersionSummary v;
    v.key = reader.text(node, "Key");
    v.version_id = reader.text(node, "VersionId");
    v.is_latest = reader.text(node, "IsLatest") == "true";
    v.delete_marker = is_marker;
    v.last_modified = reader.time(node, "LastModified");
    if (is_version) {
      v.size = reader.number(node, "Size");
      v.etag = reader.text(node, "ETag");
      v.storage_class = reader.text(node, "StorageClass");
    }
    page.versions.push_back(std::move(v));
  }
  page.truncated = reader.truncated(reader.root());
  page.next_key_marker = reader.text(reader.root(), "NextKeyMarker");
  page.next_version_id_marker = reader.text(reader.root(), "NextVersionIdMarker");
  if (reader.ok() && page.truncated && page.next_key_marker.empty()) {
    reader.fail("a truncated listing without NextKeyMarker");
  }
  return finish(reader, std::move(page));
}

std::string complete_multipart_body(const std::vector<CompletedPart>& parts) {
  pugi::xml_document doc;
  auto root = s3_root(doc, "CompleteMultipartUpload");
  for (const auto& part : parts) {
    auto node = root.append_child("Part");
    add_text(node, "PartNumber", std::to_string(part.number));
    add_text(node, "ETag", part.etag);
    if (!part.checksum_sha256.empty()) add_text(node, "ChecksumSHA256", part.checksum_sha256);
  }
  return save(doc);
}

std::string retention_body(const Retention& retention) {
  pugi::xml_document doc;
  auto root = s3_root(doc, "Retention");
  add_text(root, "Mode", to_string(retention.mode));
  add_text(root, "RetainUntilDate", format_iso8601(retention.retain_until));
  return save(doc);
}

std::string versioning_body(bool enabled) {
  pugi::xml_document doc;
  auto root = s3_root(doc, "VersioningConfiguration");
  add_text(root, "Status", enabled ? "Enabled" : "Suspended");
  return save(doc);
}

std::string create_bucket_body(const std::string& location_constraint) {
  pugi::xml_document doc;
  auto root = s3_root(doc, "CreateBucketConfiguration");
  add_text(root, "LocationConstraint", location_constraint);
  return save(doc);
}

}  // namespace s3::xml
