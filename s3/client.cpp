#include <algorithm>
#include <random>
#include <thread>

#include "s3/answer_errors.hpp"
#include "s3/client.hpp"
#include "s3/digest.hpp"
#include "s3/time_format.hpp"
#include "s3/xml_answers.hpp"

namespace s3 {

const char* to_string(LockMode mode) {
  return mode == LockMode::compliance ? "COMPLIANCE" : "GOVERNANCE";
}

namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

// Keys, sorted by their encoded form, each with '=': the canonical query libcurl signs as
// written (docs/s3.md "Connection and trust").
std::string render_query(Query query) {
  for (auto& [k, v] : query) {
    k = http::escape(k);
    v = http::escape(v);
  }
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [k, v] : query) {
    out += out.empty() ? "?" : "&";
    out += k + "=" + v;
  }
  return out;
}

std::string escape_key(const std::string& key) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto slash = key.find('/', start);
    out += http::escape(std::string_view(key).substr(start, slash - start));
    if (slash == std::string::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

bool valid_bucket(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

bool valid_region(const std::string& region) {
  return !region.empty() && region.size() <= 64 &&
         std::all_of(region.begin(), region.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

bool printable_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::optional<std::uint64_t> parse_u64(const std::string& text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (out > (UINT64_MAX - digit) / 10) return std::nullopt;
    out = out * 10 + digit;
  }
  return out;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Counts what reached the sink, so a GET that already delivered bytes is not repeated (the
// sink would get them twice).
class CountingSink final : public http::BodySink {
 public:
  explicit CountingSink(http::BodySink& inner) : m_inner(inner) {}
  tl::expected<void, std::string> write(const char* data, std::size_t size) override {
    m_count += size;
    return m_inner.write(data, size);
  }
  std::uint64_t count() const { return m_count; }

 private:
  http::BodySink& m_inner;
  std::uint64_t m_count = 0;
};

}  // namespace

// One S3 request as the operations describe it; Impl::perform signs, sends and repeats it.
struct Call {
  CallContext context;
  http::Method method = http::Method::get;
  Query query;
  http::Headers headers;
  std::string payload;               // a small body (XML) kept here
  http::BodySource* body = nullptr;  // a streamed body instead of `payload`
  std::string body_sha256_hex;       // the streamed body's hash; empty: UNSIGNED-PAYLOAD
  http::BodySink* sink = nullptr;
  std::uint64_t max_body = 0;  // 0: ClientOptions::max_xml_bytes
  bool repeatable = true;
  bool idempotent = true;
  bool long_transfer = false;
};

struct Client::Impl {
  static std::string url(const Client& c, const std::string& key, const Query& query) {
    const auto& o = c.m_options;
    std::string base;
    if (o.addressing == AddressingStyle::virtual_host) {
      const auto scheme_end = o.endpoint.find("://");
      base =
          o.endpoint.substr(0, scheme_end + 3) + o.bucket + "." + o.endpoint.substr(scheme_end + 3);
    } else {
      base = o.endpoint + "/" + o.bucket;
    }
    if (!key.empty()) base += "/" + escape_key(key);
    return base + render_query(query);
  }

  static Call call(const Client& c, std::string operation, http::Method method,
                   std::string key = {}) {
    Call out;
    out.context.operation = std::move(operation);
    out.context.endpoint = c.m_options.endpoint;
    out.context.region = c.m_options.region;
    out.context.bucket = c.m_options.bucket;
    out.context.key = std::move(key);
    out.method = method;
    return out;
  }

  static std::chrono::milliseconds backoff(Client& c, int retry) {
    const auto& p = c.m_options.retry;
    const double cap = std::min<double>(static_cast<double>(p.max_delay.count()),
                                        static_cast<double>(p.first_delay.count()) *
                                            static_cast<double>(1ull << std::min(retry, 20)));
    std::uniform_real_distribution<double> pick(0.0, cap);
    return std::chrono::milliseconds(static_cast<std::int64_t>(pick(c.rng())));
  }

  // Sends `call`, repeating it when it is repeatable and the failure retryable. Returns the 2xx
  // answer or the typed error of the last attempt.
  static Result<http::Response> perform(Client& c, Call& call) {
    const auto& o = c.m_options;
    http::Request request;
    request.method = call.method;
    request.url = url(c, call.context.key, call.query);
    request.headers = call.headers;
    request.max_body_bytes = call.max_body ? call.max_body : o.max_xml_bytes;
    request.idempotent = call.idempotent;
    request.timeout = call.long_transfer ? o.transfer_timeout : o.request_timeout;
    request.sigv4 = http::SigV4{o.region, "s3", o.credentials.access_key, o.credentials.secret_key};
    http::BytesSource payload(call.payload);
    if (call.body) {
      request.body = call.body;
      request.headers.push_back({"x-amz-content-sha256", call.body_sha256_hex.empty()
                                                             ? "UNSIGNED-PAYLOAD"
                                                             : call.body_sha256_hex});
    } else {
      if (call.method == http::Method::put || call.method == http::Method::post) {
        request.body = &payload;
      }
      request.headers.push_back({"x-amz-content-sha256", call.payload.empty()
                                                             ? std::string(k_empty_sha256_hex)
                                                             : to_hex(sha256(call.payload))});
      if (!call.payload.empty()) {
        request.headers.push_back({"Content-MD5", to_base64(md5(call.payload))});
        if (!http::find_header(request.headers, "content-type")) {
          request.headers.push_back({"Content-Type", "application/xml"});
        }
      }
    }
    if (!o.credentials.session_token.empty()) {
      request.headers.push_back({"x-amz-security-token", o.credentials.session_token});
    }
    std::optional<CountingSink> counting;
    if (call.sink) {
      counting.emplace(*call.sink);
      request.sink = &*counting;
    }
    const std::size_t fixed_headers = request.headers.size();

    const int attempts = std::max(1, call.repeatable ? o.retry.attempts : 1);
    Error last;
    int tried = 0;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      if (attempt > 1) {
        if (request.body && !request.body->rewind()) break;
        if (counting && counting->count() > 0) break;
        auto delay = backoff(c, attempt - 2);
        c.m_stats.retries++;
        if (o.sleep) {
          o.sleep(delay);
        } else {
          std::this_thread::sleep_for(delay);
        }
      }
      request.headers.resize(fixed_headers);
      if (o.signing_clock) {
        request.headers.push_back(
            {"X-Amz-Date", format_amz_date(std::chrono::time_point_cast<std::chrono::seconds>(
                               o.signing_clock()))});
      }
      c.m_stats.requests++;
      ++tried;
      auto answer = c.m_transport->send(request);
      if (answer && answer->status >= 200 && answer->status < 300) return std::move(*answer);
      last = answer ? error_from_answer(call.context, *answer)
                    : error_from_transport(call.context, answer.error());
      if (!is_retryable(last)) return tl::unexpected(last);
    }
    if (tried > 1) last.message += " (after " + std::to_string(tried) + " attempts)";
    return tl::unexpected(last);
  }

  static ObjectInfo object_info(const http::Response& answer) {
    ObjectInfo info;
    auto header = [&](const char* name) -> std::string {
      const auto* v = http::find_header(answer.headers, name);
      return v ? *v : std::string();
    };
    if (auto size = parse_u64(header("content-length"))) info.size = *size;
    // A ranged GET: the object's size is after the '/' of Content-Range.
    const std::string range = header("content-range");
    if (const auto slash = range.rfind('/'); slash != std::string::npos) {
      if (auto total = parse_u64(range.substr(slash + 1))) info.size = *total;
    }
    info.etag = header("etag");
    info.version_id = header("x-amz-version-id");
    info.last_modified = parse_http_date(header("last-modified"));
    info.storage_class = header("x-amz-storage-class");
    info.checksum_sha256 = header("x-amz-checksum-sha256");
    info.content_type = header("content-type");
    const std::string mode = header("x-amz-object-lock-mode");
    const auto until = parse_iso8601(header("x-amz-object-lock-retain-until-date"));
    if ((mode == "COMPLIANCE" || mode == "GOVERNANCE") && until) {
      info.retention =
          Retention{mode == "COMPLIANCE" ? LockMode::compliance : LockMode::governance, *until};
    }
    static constexpr std::string_view k_meta = "x-amz-meta-";
    for (const auto& h : answer.headers) {
      const std::string name = lower(h.name);
      if (name.size() > k_meta.size() && name.compare(0, k_meta.size(), k_meta) == 0) {
        info.metadata[name.substr(k_meta.size())] = h.value;
      }
    }
    return info;
  }

  static Result<void> add_put_headers(const PutOptions& options, Call& call) {
    call.headers.push_back({"Content-Type", options.content_type.empty()
                                                ? std::string("application/octet-stream")
                                                : options.content_type});
    std::size_t meta_bytes = 0;
    for (const auto& [name, value] : options.metadata) {
      const bool good_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
      });
      if (!good_name || value.empty() || !printable_ascii(value)) {
        return make_error(Error::Kind::invalid_argument,
                          "metadata \"" + name +
                              "\": names are lowercase letters, digits and '-', values "
                              "non-empty printable ASCII");
      }
      meta_bytes += name.size() + value.size();
      call.headers.push_back({"x-amz-meta-" + name, value});
    }
    if (meta_bytes > 2048) {
      return make_error(Error::Kind::invalid_argument,
                        "user metadata is limited to 2 KiB per object by S3");
    }
    if (!options.storage_class.empty()) {
      call.headers.push_back({"x-amz-storage-class", options.storage_class});
    }
    if (options.retention) {
      call.context.lock_requested = true;
      call.headers.push_back({"x-amz-object-lock-mode", to_string(options.retention->mode)});
      call.headers.push_back(
          {"x-amz-object-lock-retain-until-date", format_iso8601(options.retention->retain_until)});
    }
    return {};
  }

  static Result<void> check_key(const std::string& key) {
    if (key.empty() || key.size() > 1024 || !printable_ascii(key)) {
      return make_error(Error::Kind::invalid_argument,
                        "object keys must be 1-1024 bytes of printable ASCII (got \"" +
                            (printable_ascii(key) ? key.substr(0, 64) : std::string("?")) + "\")");
    }
    return {};
  }
};

std::mt19937_64& Client::rng() {
  if (!m_rng) m_rng = std::make_unique<std::mt19937_64>(std::random_device{}());
  return *m_rng;
}

Client::Client(ClientOptions options, TransportFactory factory,
               std::unique_ptr<http::Transport> transport)
    : m_options(std::move(options)),
      m_factory(std::move(factory)),
      m_transport(std::move(transport)) {}

Client::~Client() = default;

namespace {
http::TransportOptions transport_options(const ClientOptions& o) {
  http::TransportOptions t;
  t.ca_file = o.ca_file;
  t.fingerprint = o.fingerprint;
  t.allow_plain_loopback = o.allow_plain_loopback;
  t.connect_timeout = o.connect_timeout;
  t.request_timeout = o.request_timeout;
  t.low_speed_bytes_per_second = o.low_speed_bytes_per_second;
  t.low_speed_time = o.low_speed_time;
  t.max_send_bytes_per_second = o.max_send_bytes_per_second;
  t.user_agent = "pve-smokerbak/" SMOKERBAK_VERSION;
  return t;
}
}  // namespace

Result<std::unique_ptr<Client>> Client::create(ClientOptions options, TransportFactory factory) {
  while (!options.endpoint.empty() && options.endpoint.back() == '/') options.endpoint.pop_back();
  const bool https = options.endpoint.rfind("https://", 0) == 0;
  const bool http_loopback = options.endpoint.rfind("http://127.0.0.1", 0) == 0 ||
                             options.endpoint.rfind("http://[::1]", 0) == 0;
  if (!https && !(http_loopback && options.allow_plain_loopback)) {
    return make_error(
        Error::Kind::invalid_argument,
        "the S3 endpoint must start with https:// (got \"" + options.endpoint + "\")");
  }
  if (options.endpoint.find_first_of("?#", 0) != std::string::npos ||
      options.endpoint.find('/', options.endpoint.find("://") + 3) != std::string::npos) {
    return make_error(Error::Kind::invalid_argument,
                      "the S3 endpoint is scheme://host[:port] without a path (got \"" +
                          options.endpoint + "\")");
  }
  if (!valid_bucket(options.bucket)) {
    return make_error(Error::Kind::invalid_argument,
                      "\"" + options.bucket +
                          "\" is not an S3 bucket name (3-63 lowercase letters, digits, '.', '-')");
  }
  if (!valid_region(options.region)) {
    return make_error(Error::Kind::invalid_argument,
                      "\"" + options.region + "\" is not a region name (e.g. eu-central-1)");
  }
  if (options.credentials.access_key.empty() || options.credentials.secret_key.empty() ||
      !printable_ascii(options.credentials.access_key) ||
      !printable_ascii(options.credentials.secret_key)) {
    return make_error(Error::Kind::invalid_argument,
                      "the S3 access key id and secret must be non-empty printable ASCII");
  }
  if (!factory)
    factory = [](const http::TransportOptions& t) { return http::make_curl_transport(t); };
  auto transport = factory(transport_options(options));
  if (!transport) {
    return make_error(Error::Kind::invalid_argument,
                      "S3 destination " + options.endpoint + ": " + transport.error().message);
  }
  return std::unique_ptr<Client>(
      new Client(std::move(options), std::move(factory), std::move(*transport)));
}

Result<std::unique_ptr<Client>> Client::clone(std::uint64_t max_send_bytes_per_second) const {
  ClientOptions o = m_options;
  o.max_send_bytes_per_second = max_send_bytes_per_second;
  return create(std::move(o), m_factory);
}

// --- bucket ---

Result<void> Client::head_bucket() {
  auto call = Impl::call(*this, "HeadBucket", http::Method::head);
  auto answer = Impl::perform(*this, call);
  if (answer) return {};
  // A HEAD refusal has no body, so 403 cannot tell a policy from a wrong key: ask a GET, whose
  // answer carries the S3 error code.
  if (answer.error().http_status == 403) {
    auto probe = Impl::call(*this, "HeadBucket", http::Method::get);
    probe.query = {{"versioning", ""}};
    auto detail = Impl::perform(*this, probe);
    if (!detail) return tl::unexpected(detail.error());
  }
  return tl::unexpected(answer.error());
}

Result<VersioningStatus> Client::get_bucket_versioning() {
  auto call = Impl::call(*this, "GetBucketVersioning", http::Method::get);
  call.query = {{"versioning", ""}};
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return xml::parse_versioning(answer->body);
}

Result<ObjectLockConfiguration> Client::get_object_lock_configuration() {
  auto call = Impl::call(*this, "GetObjectLockConfiguration", http::Method::get);
  call.query = {{"object-lock", ""}};
  auto answer = Impl::perform(*this, call);
  if (!answer) {
    if (answer.error().code == "ObjectLockConfigurationNotFoundError") {
      return ObjectLockConfiguration{};
    }
    return tl::unexpected(answer.error());
  }
  return xml::parse_object_lock_configuration(answer->body);
}

Result<void> Client::create_bucket(bool object_lock) {
  auto call = Impl::call(*this, "CreateBucket", http::Method::put);
  if (object_lock) call.headers.push_back({"x-amz-bucket-object-lock-enabled", "true"});
  // us-east-1 takes no LocationConstraint; RGW accepts only "default" or none.
  if (m_options.region != "us-east-1" && m_options.region != "default") {
    call.payload = xml::create_bucket_body(m_options.region);
  }
  call.repeatable = false;
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return {};
}

Result<void> Client::delete_bucket() {
  auto call = Impl::call(*this, "DeleteBucket", http::Method::del);
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return {};
}

Result<void> Client::put_bucket_versioning(bool enabled) {
  auto call = Impl::call(*this, "PutBucketVersioning", http::Method::put);
  call.query = {{"versioning", ""}};
  call.payload = xml::versioning_body(enabled);
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return {};
}

// --- objects ---

Result<PutResult> Client::put_object(const std::string& key, http::BodySource& body,
                                     const PutOptions& options, const PutDigests& digests) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "PutObject", http::Method::put, key);
  if (auto ok = Impl::add_put_headers(options, call); !ok) return tl::unexpected(ok.error());
  if (!digests.md5_base64.empty()) call.headers.push_back({"Content-MD5", digests.md5_base64});
  if (!digests.sha256_hex.empty()) {
    const std::string raw = from_hex(digests.sha256_hex);
    if (raw.size() != 32) {
      return make_error(Error::Kind::invalid_argument,
                        "the SHA-256 given for " + key + " is not 64 hex digits");
    }
    call.headers.push_back({"x-amz-checksum-sha256", to_base64(raw)});
    if (m_options.sign_payload) call.body_sha256_hex = digests.sha256_hex;
  }
  call.body = &body;
  call.long_transfer = true;
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  const auto info = Impl::object_info(*answer);
  return PutResult{info.etag, info.version_id};
}

Result<PutResult> Client::put_object(const std::string& key, std::string_view data,
                                     const PutOptions& options) {
  http::BytesSource source(data);
  return put_object(key, source, options, PutDigests{to_base64(md5(data)), to_hex(sha256(data))});
}

Result<ObjectInfo> Client::head_object(const std::string& key, const std::string& version_id) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "HeadObject", http::Method::head, key);
  if (!version_id.empty()) call.query = {{"versionId", version_id}};
  call.headers.push_back({"x-amz-checksum-mode", "ENABLED"});
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return Impl::object_info(*answer);
}

Result<ObjectInfo> Client::get_object(const std::string& key, http::BodySink& sink,
                                      const GetOptions& options) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "GetObject", http::Method::get, key);
  if (!options.version_id.empty()) call.query = {{"versionId", options.version_id}};
  if (options.range) {
    if (options.range->last < options.range->first) {
      return make_error(Error::Kind::invalid_argument, "a byte range ends before it starts");
    }
    call.headers.push_back({"Range", "bytes=" + std::to_string(options.range->first) + "-" +
                                         std::to_string(options.range->last)});
  }
  call.sink = &sink;
  call.max_body = options.max_bytes;
  call.long_transfer = true;
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return Impl::object_info(*answer);
}

Result<void> Client::delete_object(const std::string& key, const std::string& version_id,
                                   bool bypass_governance) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "DeleteObject", http::Method::del, key);
  if (!version_id.empty()) call.query = {{"versionId", version_id}};
  if (bypass_governance) call.headers.push_back({"x-amz-bypass-governance-retention", "true"});
  auto answer = Impl::perform(*this, call);
  if (answer) return {};
  Error error = answer.error();
  if (error.kind == Error::Kind::access_denied && !version_id.empty()) {
    // Locked, or not allowed? The version's retention tells.
    auto retention = get_object_retention(key, version_id);
    const auto now = std::chrono::system_clock::now();
    if (retention && *retention && (*retention)->retain_until > now) {
      error.kind = Error::Kind::object_locked;
      error.message = "S3 refused to delete version " + version_id + " of " + m_options.bucket +
                      "/" + key + ": it is under Object Lock (" + to_string((*retention)->mode) +
                      ") until " + format_iso8601((*retention)->retain_until) +
                      "; it can be deleted after that";
    }
  }
  return tl::unexpected(error);
}

Result<void> Client::put_object_retention(const std::string& key, const std::string& version_id,
                                          const Retention& retention, bool bypass_governance) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "PutObjectRetention", http::Method::put, key);
  call.query = {{"retention", ""}};
  if (!version_id.empty()) call.query.push_back({"versionId", version_id});
  if (bypass_governance) call.headers.push_back({"x-amz-bypass-governance-retention", "true"});
  call.headers.push_back({"Content-Type", "application/xml"});
  call.payload = xml::retention_body(retention);
  call.context.lock_requested = true;
  auto answer = Impl::perform(*this, call);
  if (answer) return {};
  Error error = answer.error();
  if (error.kind == Error::Kind::access_denied) {
    auto current = get_object_retention(key, version_id);
    if (current && *current) {
      const auto& now = **current;
      const bool shorter = retention.retain_until < now.retain_until;
      const bool weaker =
          now.mode == LockMode::compliance && retention.mode == LockMode::governance;
      if (shorter || weaker) {
        error.kind = Error::Kind::retention_refused;
        error.message = "S3 refused to change the retention of " + m_options.bucket + "/" + key +
                        " (version " + version_id + ") to " + to_string(retention.mode) +
                        " until " + format_iso8601(retention.retain_until) + ": it is locked " +
                        to_string(now.mode) + " until " + format_iso8601(now.retain_until) +
                        ", and a lock can only be extended (COMPLIANCE never shortened)";
      }
    }
  }
  return tl::unexpected(error);
}

Result<std::optional<Retention>> Client::get_object_retention(const std::string& key,
                                                              const std::string& version_id) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "GetObjectRetention", http::Method::get, key);
  call.query = {{"retention", ""}};
  if (!version_id.empty()) call.query.push_back({"versionId", version_id});
  auto answer = Impl::perform(*this, call);
  if (!answer) {
    // No retention on this version: AWS says NoSuchObjectLockConfiguration.
    if (answer.error().code == "NoSuchObjectLockConfiguration") return std::optional<Retention>{};
    return tl::unexpected(answer.error());
  }
  return xml::parse_retention(answer->body);
}

// --- listings ---

namespace {
int bounded(int requested, int cap) { return std::clamp(requested, 1, std::max(1, cap)); }
}  // namespace

Result<ObjectPage> Client::list_objects_v2(const std::string& prefix,
                                           const std::string& continuation_token, int max_keys) {
  auto call = Impl::call(*this, "ListObjectsV2", http::Method::get);
  const int n = bounded(max_keys, m_options.max_list_entries);
  call.query = {{"list-type", "2"}, {"max-keys", std::to_string(n)}};
  if (!prefix.empty()) call.query.push_back({"prefix", prefix});
  if (!continuation_token.empty()) call.query.push_back({"continuation-token", continuation_token});
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return xml::parse_list_objects_v2(answer->body, n);
}

Result<VersionPage> Client::list_object_versions(const std::string& prefix,
                                                 const std::string& key_marker,
                                                 const std::string& version_id_marker,
                                                 int max_keys) {
  auto call = Impl::call(*this, "ListObjectVersions", http::Method::get);
  const int n = bounded(max_keys, m_options.max_list_entries);
  call.query = {{"versions", ""}, {"max-keys", std::to_string(n)}};
  if (!prefix.empty()) call.query.push_back({"prefix", prefix});
  if (!key_marker.empty()) call.query.push_back({"key-marker", key_marker});
  if (!version_id_marker.empty()) call.query.push_back({"version-id-marker", version_id_marker});
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return xml::parse_list_versions(answer->body, n);
}

// --- multipart ---

Result<std::string> Client::create_multipart_upload(const std::string& key,
                                                    const PutOptions& options,
                                                    bool sha256_checksums) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "CreateMultipartUpload", http::Method::post, key);
  call.query = {{"uploads", ""}};
  if (auto ok = Impl::add_put_headers(options, call); !ok) return tl::unexpected(ok.error());
  if (sha256_checksums) call.headers.push_back({"x-amz-checksum-algorithm", "SHA256"});
  // A repeat after a lost answer leaves an unused upload behind: the caller's stale-upload
  // cleanup (ListMultipartUploads + Abort) removes it.
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return xml::parse_initiate_multipart(answer->body);
}

Result<PartResult> Client::upload_part(const std::string& key, const std::string& upload_id,
                                       int part_number, std::string_view data,
                                       PartDigests digests) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  if (part_number < 1 || part_number > 10000 || upload_id.empty()) {
    return make_error(Error::Kind::invalid_argument,
                      "part numbers are 1..10000 and need an upload id (got part " +
                          std::to_string(part_number) + ")");
  }
  auto call = Impl::call(*this, "UploadPart", http::Method::put, key);
  call.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  PartResult result;
  if (digests.md5) {
    const std::string md5_raw = md5(data);
    result.md5_hex = to_hex(md5_raw);
    call.headers.push_back({"Content-MD5", to_base64(md5_raw)});
  }
  if (digests.sha256) {
    const std::string sha_raw = sha256(data);
    result.checksum_sha256 = to_base64(sha_raw);
    call.headers.push_back({"x-amz-checksum-sha256", result.checksum_sha256});
    if (m_options.sign_payload) call.body_sha256_hex = to_hex(sha_raw);
  }
  http::BytesSource source(data);
  call.body = &source;
  call.long_transfer = true;
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  const auto* etag = http::find_header(answer->headers, "etag");
  if (!etag || etag->empty()) {
    return make_error(Error::Kind::bad_answer, "S3 UploadPart of " + key + " part " +
                                                   std::to_string(part_number) +
                                                   " answered without an ETag");
  }
  result.etag = *etag;
  // A plain-MD5 ETag must be this part's MD5 (servers with SSE-KMS send other ETags).
  std::string bare = *etag;
  bare.erase(std::remove(bare.begin(), bare.end(), '"'), bare.end());
  if (!result.md5_hex.empty() && bare.size() == 32 && from_hex(bare).size() == 16 &&
      lower(bare) != result.md5_hex) {
    return make_error(Error::Kind::bad_digest,
                      "S3 UploadPart of " + key + " part " + std::to_string(part_number) +
                          " stored data with MD5 " + bare + ", sent " + result.md5_hex);
  }
  return result;
}

Result<PutResult> Client::complete_multipart_upload(const std::string& key,
                                                    const std::string& upload_id,
                                                    const std::vector<CompletedPart>& parts) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  if (parts.empty()) {
    return make_error(Error::Kind::invalid_argument,
                      "CompleteMultipartUpload needs at least one part");
  }
  std::vector<std::string> etags;
  for (const auto& p : parts) etags.push_back(p.etag);
  const std::string expected_etag = multipart_etag(etags);

  const int attempts = std::max(1, m_options.retry.attempts);
  Error last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) {
      const auto delay = Impl::backoff(*this, attempt - 2);
      m_stats.retries++;
      m_options.sleep ? m_options.sleep(delay) : std::this_thread::sleep_for(delay);
    }
    auto call = Impl::call(*this, "CompleteMultipartUpload", http::Method::post, key);
    call.query = {{"uploadId", upload_id}};
    call.headers.push_back({"Content-Type", "application/xml"});
    call.payload = xml::complete_multipart_body(parts);
    // Each attempt once, on a connection of its own (libcurl must not silently re-send it):
    // the repeat decision is made here, knowing what a lost answer may mean.
    call.repeatable = false;
    call.idempotent = false;
    auto answer = Impl::perform(*this, call);
    if (answer) {
      auto parsed = xml::parse_complete_multipart(answer->body);
      if (!parsed) return tl::unexpected(parsed.error());
      if (!parsed->error) {
        const auto info = Impl::object_info(*answer);
        return PutResult{parsed->etag.empty() ? expected_etag : parsed->etag, info.version_id};
      }
      // "200 OK" with an <Error> inside: S3 failed after it started answering.
      http::Response as_error = std::move(*answer);
      as_error.status = parsed->error->code == "InternalError" ? 500 : 400;
      last = error_from_answer(call.context, as_error);
    } else {
      last = answer.error();
    }
    if (last.kind == Error::Kind::no_such_upload && attempt > 1) {
      // An earlier attempt may have completed it and lost the answer: the object with exactly
      // these parts is there, or it is not.
      auto head = head_object(key);
      if (head && head->etag == expected_etag) return PutResult{head->etag, head->version_id};
      return tl::unexpected(last);
    }
    if (!is_retryable(last)) return tl::unexpected(last);
  }
  last.message += " (after " + std::to_string(attempts) + " attempts)";
  return tl::unexpected(last);
}

Result<void> Client::abort_multipart_upload(const std::string& key, const std::string& upload_id) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "AbortMultipartUpload", http::Method::del, key);
  call.query = {{"uploadId", upload_id}};
  auto answer = Impl::perform(*this, call);
  if (!answer && answer.error().kind != Error::Kind::no_such_upload) {
    return tl::unexpected(answer.error());
  }
  return {};
}

Result<UploadPage> Client::list_multipart_uploads(const std::string& prefix,
                                                  const std::string& key_marker,
                                                  const std::string& upload_id_marker,
                                                  int max_uploads) {
  auto call = Impl::call(*this, "ListMultipartUploads", http::Method::get);
  const int n = bounded(max_uploads, m_options.max_list_entries);
  call.query = {{"uploads", ""}, {"max-uploads", std::to_string(n)}};
  if (!prefix.empty()) call.query.push_back({"prefix", prefix});
  if (!key_marker.empty()) call.query.push_back({"key-marker", key_marker});
  if (!upload_id_marker.empty()) call.query.push_back({"upload-id-marker", upload_id_marker});
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return xml::parse_list_uploads(answer->body, n);
}

Result<PartPage> Client::list_parts(const std::string& key, const std::string& upload_id,
                                    int part_number_marker, int max_parts) {
  if (auto ok = Impl::check_key(key); !ok) return tl::unexpected(ok.error());
  auto call = Impl::call(*this, "ListParts", http::Method::get, key);
  const int n = bounded(max_parts, m_options.max_list_entries);
  call.query = {{"uploadId", upload_id}, {"max-parts", std::to_string(n)}};
  if (part_number_marker > 0) {
    call.query.push_back({"part-number-marker", std::to_string(part_number_marker)});
  }
  auto answer = Impl::perform(*this, call);
  if (!answer) return tl::unexpected(answer.error());
  return xml::parse_list_parts(answer->body, n);
}

std::string multipart_etag(const std::vector<std::string>& part_etags) {
  Digest all(Digest::Algorithm::md5);
  for (std::string etag : part_etags) {
    etag.erase(std::remove(etag.begin(), etag.end(), '"'), etag.end());
    const std::string raw = from_hex(etag);
    if (raw.size() != 16) return {};
    all.update(raw);
  }
  return "\"" + to_hex(all.finish()) + "-" + std::to_string(part_etags.size()) + "\"";
}

}  // namespace s3
