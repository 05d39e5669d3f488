#include "tests/pvesim/simulator.hpp"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <fstream>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/pvesim/api.hpp"
#include "tests/pvesim/control.hpp"
#include "tests/pvesim/tls_material.hpp"
#include "tests/pvesim/world.hpp"

namespace pvesim {

Token default_token() {
  return Token{"smokerbak@pve!agent",
               "5f0c7d52-3b7e-4d8e-9a41-7c2f1e6b9d30",
               {"VM.Backup", "VM.Audit", "VM.Snapshot", "VM.Allocate", "VM.Config.Network",
                "VM.Config.Options", "VM.Config.Disk", "VM.Config.CPU", "VM.Config.Memory",
                "VM.PowerMgmt", "Datastore.AllocateSpace", "Datastore.Audit", "Datastore.Allocate",
                "Sys.Audit", "Sys.Modify"}};
}

namespace {

namespace fs = std::filesystem;

std::string default_reason(int status) {
  switch (status) {
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 595:
      return "Connection refused";
    case 596:
      return "Connection timed out";
    default:
      return "error " + std::to_string(status);
  }
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;

X509Ptr parse_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

KeyPtr parse_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  KeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

bool write_text(const fs::path& path, const std::string& text, fs::perms perms) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  std::error_code ec;
  fs::permissions(path, perms, ec);
  return static_cast<bool>(out) && !ec;
}

// cpp-httplib 0.11 always writes its own reason phrase ("Forbidden"), but PVE clients read the
// error from the phrase (docs/proxmox-api.md section 2). Every PVE error closes the connection
// anyway, so error answers are written here in full on the TLS stream, followed by close_notify;
// httplib's own response write then fails on the shut-down SSL object and it drops the
// connection.
bool write_raw_response(const httplib::Request& req, int status, const std::string& reason,
                        const std::string& content_type, const std::string& body) {
  if (req.ssl == nullptr) return false;
  SSL* ssl = const_cast<SSL*>(req.ssl);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  out += "Server: pve-api-daemon/3.0\r\nCache-Control: max-age=0\r\nPragma: no-cache\r\n";
  out += "Expires: " + http_date(std::time(nullptr)) + "\r\nConnection: close\r\n";
  if (!content_type.empty()) out += "Content-Type: " + content_type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (std::size_t done = 0; done < out.size();) {
    const int n = SSL_write(ssl, out.data() + done, static_cast<int>(out.size() - done));
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  SSL_shutdown(ssl);
  return true;
}

}  // namespace

class Simulator::Impl {
 public:
  explicit Impl(Options options) : world(std::move(options)) {}
  ~Impl() { stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  tl::expected<void, std::string> start();
  void stop();
  void serve(const httplib::Request& req, httplib::Response& res);
  static int cert_callback(SSL* ssl, void* self);

  World world;
  TlsMaterial tls;
  X509Ptr leaf, wrong;
  KeyPtr leaf_key, wrong_key;
  std::unique_ptr<httplib::SSLServer> server;
  std::thread thread;
  int port = 0;
  fs::path ca_path;
  std::string control_secret;
  std::function<void()> on_shutdown;
  std::atomic<bool> stopping{false};
  bool answer_hostile(const Hostile& h, httplib::Response& res);
};

// Hostile answers (Simulator::add_hostile). Bodies are made on the fly, so a 1 GiB body costs
// the simulator one 64 KiB chunk of memory.
bool Simulator::Impl::answer_hostile(const Hostile& h, httplib::Response& res) {
  res.status = 200;
  if (h.kind == Hostile::Kind::deep_json) {
    res.set_content("{\"data\":" + std::string(h.depth, '[') + std::string(h.depth, ']') + "}",
                    "application/json;charset=UTF-8");
    return true;
  }
  if (h.kind == Hostile::Kind::huge_body) {
    // {"data":[<item>,<item>,...,<item>]} of about h.bytes bytes.
    static const std::string head = "{\"data\":[";
    static const std::string item =
        "{\"volid\":\"local:backup/vzdump-lxc-106-2026_01_01-01_00_00.tar.zst\",\"size\":1},";
    static const std::string tail = "{}]}";
    const std::uint64_t n = h.bytes > head.size() + tail.size()
                                ? (h.bytes - head.size() - tail.size()) / item.size()
                                : 0;
    const std::uint64_t total = head.size() + n * item.size() + tail.size();
    res.set_content_provider(
        static_cast<std::size_t>(total), "application/json;charset=UTF-8",
        [n, total, this](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          if (stopping) return false;
          const std::uint64_t items_end = head.size() + n * item.size();
          std::string chunk;
          const std::size_t want = std::min<std::size_t>(length, 1 << 16);
          chunk.reserve(want);
          std::uint64_t pos = offset;
          while (chunk.size() < want && pos < total) {
            const std::size_t room = want - chunk.size();
            std::string_view part;
            std::uint64_t from = 0;
            if (pos < head.size()) {
              part = head;
              from = pos;
            } else if (pos < items_end) {
              part = item;
              from = (pos - head.size()) % item.size();
            } else {
              part = tail;
              from = pos - items_end;
            }
            std::size_t take = std::min<std::size_t>(part.size() - from, room);
            if (pos < items_end && pos + take > items_end) take = items_end - pos;
            chunk.append(part.substr(from, take));
            pos += take;
          }
          return sink.write(chunk.data(), chunk.size());
        });
    return true;
  }
  if (h.kind == Hostile::Kind::drip) {
    const int interval = h.interval_ms;
    res.set_chunked_content_provider("application/json;charset=UTF-8",
                                     [interval, this](std::size_t offset, httplib::DataSink& sink) {
                                       static const std::string body = "{\"data\":null}";
                                       if (offset >= body.size()) {
                                         sink.done();
                                         return true;
                                       }
                                       for (int waited = 0; waited < interval; waited += 50) {
                                         if (stopping) return false;
                                         std::this_thread::sleep_for(std::chrono::milliseconds(50));
                                       }
                                       return sink.write(body.data() + offset, 1);
                                     });
    return true;
  }
  return false;
}

int Simulator::Impl::cert_callback(SSL* ssl, void* self) {
  auto* impl = static_cast<Impl*>(self);
  bool wrong_cert = false;
  {
    std::lock_guard lock(impl->world.mutex);
    ++impl->world.stats.handshakes;
    wrong_cert = impl->world.take_fault(Fault::Kind::wrong_certificate, "", "").has_value();
  }
  if (wrong_cert) {
    if (SSL_use_certificate(ssl, impl->wrong.get()) != 1 ||
        SSL_use_PrivateKey(ssl, impl->wrong_key.get()) != 1) {
      return 0;
    }
  }
  return 1;
}

tl::expected<void, std::string> Simulator::Impl::start() {
  if (server) return tl::make_unexpected(std::string("simulator already started"));
  const Options& o = world.options;
  if (o.data_dir.empty()) return tl::make_unexpected(std::string("Options::data_dir is empty"));
  if (o.nodes.empty()) return tl::make_unexpected(std::string("Options::nodes is empty"));
  // Dropped connections (a fault, or clients going away) must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto tz = TimeZone::load(o.node_timezone);
  if (!tz) return tl::make_unexpected(tz.error());
  world.tz = *tz;
  std::error_code ec;
  fs::create_directories(o.data_dir / "tls", ec);
  fs::create_directories(world.dump_dir(o.storage), ec);
  for (const auto& spec : o.extra_storages) {
    if (spec.kind == StorageSpec::Kind::dir) fs::create_directories(world.dump_dir(spec.id), ec);
  }
  if (ec) return tl::make_unexpected("cannot create " + world.dump_dir(o.storage).string());
  auto material = make_tls_material(o.nodes.front());
  if (!material) return tl::make_unexpected(material.error());
  tls = std::move(*material);
  ca_path = o.data_dir / "tls" / "pve-root-ca.pem";
  if (!write_text(ca_path, tls.ca_pem,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read) ||
      !write_text(o.data_dir / "tls" / "pve-ssl.pem", tls.leaf_pem,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read) ||
      !write_text(o.data_dir / "tls" / "pve-ssl.key", tls.leaf_key_pem,
                  fs::perms::owner_read | fs::perms::owner_write)) {
    return tl::make_unexpected("cannot write TLS files under " + (o.data_dir / "tls").string());
  }
  leaf = parse_cert(tls.leaf_pem);
  wrong = parse_cert(tls.wrong_pem);
  leaf_key = parse_key(tls.leaf_key_pem);
  wrong_key = parse_key(tls.wrong_key_pem);
  if (!leaf || !wrong || !leaf_key || !wrong_key) {
    return tl::make_unexpected(std::string("cannot load generated TLS material"));
  }
  server = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate(&ctx, leaf.get()) != 1 ||
        SSL_CTX_use_PrivateKey(&ctx, leaf_key.get()) != 1) {
      return false;
    }
    SSL_CTX_set_cert_cb(&ctx, &Impl::cert_callback, this);
    return true;
  });
  if (!server->is_valid()) return tl::make_unexpected(std::string("TLS server setup failed"));
  server->set_keep_alive_timeout(5);
  server->set_tcp_nodelay(true);  // headers and body are separate writes: avoid 40 ms stalls
  server->set_read_timeout(30);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); };
  server->Get(R"(.*)", handler);
  server->Post(R"(.*)", handler);
  server->Put(R"(.*)", handler);
  server->Delete(R"(.*)", handler);
  port = server->bind_to_any_port("127.0.0.1");
  if (port <= 0) return tl::make_unexpected(std::string("cannot bind 127.0.0.1:<ephemeral>"));
  thread = std::thread([this] { server->listen_after_bind(); });
  // httplib 0.11 has no wait_until_ready(); the socket is bound already, so connections made
  // before the loop runs just wait in the backlog. Still wait briefly for a clean state.
  for (int i = 0; i < 2000 && !server->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return {};
}

void Simulator::Impl::stop() {
  stopping = true;
  if (server) server->stop();
  if (thread.joinable()) thread.join();
}

void Simulator::Impl::serve(const httplib::Request& req, httplib::Response& res) {
  res.set_header("Server", "pve-api-daemon/3.0");
  res.set_header("Cache-Control", "max-age=0");
  res.set_header("Pragma", "no-cache");
  res.set_header("Expires", http_date(std::time(nullptr)));
  const std::string query =
      req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);

  if (req.path.rfind("/_sim/", 0) == 0) {
    if (control_secret.empty() || req.get_header_value("X-PveSim-Control") != control_secret) {
      res.status = 403;
      res.reason = "control secret required";
      return;
    }
    const ApiResponse r =
        handle_control(world, req.method, req.path.substr(5), req.body, on_shutdown);
    res.status = r.status;
    if (r.status != 200) {
      write_raw_response(req, r.status, r.reason, "application/json", r.body);
      return;
    }
    res.set_content(r.body, "application/json");
    return;
  }

  const std::string prefix = "/api2/json";
  std::optional<Fault> fault;
  std::optional<Hostile> hostile;
  {
    std::lock_guard lock(world.mutex);
    auto& armed = world.hostile.answers;
    for (auto it = armed.begin(); it != armed.end(); ++it) {
      if (!it->method.empty() && it->method != req.method) continue;
      if (!it->path_contains.empty() && req.path.find(it->path_contains) == std::string::npos) {
        continue;
      }
      hostile = *it;
      if (--it->count <= 0) armed.erase(it);
      ++world.stats.requests;
      world.request_log.push_back(req.method + " " + req.path);
      break;
    }
  }
  if (hostile && answer_hostile(*hostile, res)) return;
  {
    std::lock_guard lock(world.mutex);
    for (auto kind : {Fault::Kind::drop_connection, Fault::Kind::http_status, Fault::Kind::slow}) {
      if ((fault = world.take_fault(kind, req.method, req.path))) break;
    }
    // A fault answering before handling counts the request here; a handled one in handle_api.
    if (fault && fault->kind != Fault::Kind::slow && !fault->handle_first) {
      ++world.stats.requests;
      world.request_log.push_back(req.method + " " + req.path);
    }
  }
  auto answer_with_fault = [&](const Fault& f) {
    res.set_header("Connection", "close");
    if (f.kind == Fault::Kind::drop_connection) {
      if (req.ssl != nullptr) ::shutdown(SSL_get_fd(req.ssl), SHUT_RDWR);
      return;
    }
    const bool proxy_status = f.status >= 590;  // AnyEvent::HTTP pseudo-status: no body
    res.status = f.status;
    write_raw_response(req, f.status, f.reason.empty() ? default_reason(f.status) : f.reason,
                       proxy_status ? "" : "application/json;charset=UTF-8",
                       proxy_status ? "" : R"({"data":null})");
  };
  if (fault && fault->kind != Fault::Kind::slow && !fault->handle_first) {
    answer_with_fault(*fault);
    return;
  }
  if (fault && fault->kind == Fault::Kind::slow) {
    std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
  }

  ApiRequest api;
  api.method = req.method;
  api.authorization = req.get_header_value("Authorization");
  api.cookie = req.get_header_value("Cookie");
  if (req.path.rfind(prefix, 0) == 0 &&
      (req.path.size() == prefix.size() || req.path[prefix.size()] == '/')) {
    api.path = req.path.substr(prefix.size());
  } else {
    res.status = 501;
    res.reason =
        req.path.rfind("/api2/", 0) == 0 ? "no formatter for uri " + req.path : "no such uri";
    res.set_header("Connection", "close");
    return;
  }
  api.segments = split_api_path(api.path);
  if (req.method == "POST" || req.method == "PUT") {
    const std::string type = req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) == 0 && !req.body.empty()) {
      const auto body = nlohmann::json::parse(req.body, nullptr, false);
      if (!body.is_object()) {
        api.bad_body = "unable to parse JSON body";
      } else {
        for (const auto& [k, v] : body.items()) {
          if (v.is_string()) {
            api.params[k] = v.get<std::string>();
          } else if (v.is_boolean()) {
            api.params[k] = v.get<bool>() ? "1" : "0";
          } else {
            api.params[k] = v.dump();
          }
        }
      }
    } else {
      parse_form(req.body, api.params);
    }
  }
  parse_form(query, api.params);

  const ApiResponse r = handle_api(world, api);
  if (fault && fault->kind != Fault::Kind::slow) {  // handle_first: the answer is lost
    answer_with_fault(*fault);
    return;
  }
  if (r.status == 401 && world.options.auth_failure_delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(world.options.auth_failure_delay_ms));
  }
  res.status = r.status;
  if (r.close) res.set_header("Connection", "close");
  if (r.status != 200) {
    write_raw_response(req, r.status, r.reason,
                       r.body.empty() ? "" : "application/json;charset=UTF-8", r.body);
    return;
  }
  res.set_content(r.body, "application/json;charset=UTF-8");
}

// ---- public facade -----------------------------------------------------------------------

Simulator::Simulator(Options options) : m_impl(std::make_unique<Impl>(std::move(options))) {}
Simulator::~Simulator() = default;

tl::expected<void, std::string> Simulator::start() { return m_impl->start(); }
void Simulator::stop() { m_impl->stop(); }
int Simulator::port() const { return m_impl->port; }
std::string Simulator::base_url() const {
  return "https://127.0.0.1:" + std::to_string(m_impl->port);
}
fs::path Simulator::ca_file() const { return m_impl->ca_path; }
std::string Simulator::leaf_fingerprint() const { return m_impl->tls.leaf_fingerprint; }
fs::path Simulator::storage_dir(const std::string& storage) const {
  return m_impl->world.dump_dir(storage.empty() ? m_impl->world.options.storage : storage);
}

std::int64_t Simulator::now() const {
  std::lock_guard lock(m_impl->world.mutex);
  return m_impl->world.now();
}
void Simulator::set_time(std::int64_t epoch) {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.set_time(epoch);
  m_impl->world.tick();
}
void Simulator::advance(std::int64_t seconds) {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.set_time(m_impl->world.now() + seconds);
  m_impl->world.tick();
}

void Simulator::migrate_guest(std::int64_t vmid, const std::string& node) {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.guests[vmid].vmid = vmid;
  m_impl->world.guests[vmid].node = node;
}
void Simulator::set_guest_lock(std::int64_t vmid, const std::string& lock_name) {
  std::lock_guard lock(m_impl->world.mutex);
  if (lock_name.empty()) {
    m_impl->world.locks.erase(vmid);
  } else {
    m_impl->world.locks[vmid] = lock_name;
  }
}
std::string Simulator::guest_lock(std::int64_t vmid) const {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.tick();
  const auto it = m_impl->world.locks.find(vmid);
  return it == m_impl->world.locks.end() ? "" : it->second;
}
std::vector<std::string> Simulator::volids(const std::string& storage) const {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.tick();
  std::vector<std::string> out;
  for (const auto& b :
       m_impl->world.list_backups(storage.empty() ? m_impl->world.options.storage : storage)) {
    out.push_back(b.volid);
  }
  return out;
}
void Simulator::set_protected(const std::string& volid, bool on) {
  std::lock_guard lock(m_impl->world.mutex);
  World& w = m_impl->world;
  const auto colon = volid.find(':');
  const std::string storage = volid.substr(0, colon);
  if (const auto b = w.find_volume(storage, volid.substr(colon + 1))) {
    (void)w.set_protected(*b, on, true);
  }
}
std::string Simulator::seed_backup(std::int64_t vmid, std::int64_t epoch, const std::string& notes,
                                   bool is_protected, const std::string& storage) {
  std::lock_guard lock(m_impl->world.mutex);
  return m_impl->world.seed_backup(vmid, epoch, notes, is_protected, storage);
}
void Simulator::set_verification(const std::string& volid, const std::string& state,
                                 const std::string& upid) {
  std::lock_guard lock(m_impl->world.mutex);
  World& w = m_impl->world;
  const std::string storage = volid.substr(0, volid.find(':'));
  const std::string volname = volid.substr(volid.find(':') + 1);
  for (auto& snap : w.snapshots[storage]) {
    if (snap.volname == volname) {
      snap.verify_state = state;
      snap.verify_upid = state.empty() ? "" : upid;
    }
  }
}
std::optional<Guest> Simulator::guest(std::int64_t vmid) const {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.tick();
  const auto it = m_impl->world.guests.find(vmid);
  if (it == m_impl->world.guests.end()) return std::nullopt;
  return it->second;
}
std::vector<std::pair<std::string, std::string>> Simulator::guest_config(std::int64_t vmid) const {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.tick();
  const auto it = m_impl->world.guests.find(vmid);
  if (it == m_impl->world.guests.end()) return {};
  return m_impl->world.guest_config(it->second);
}
std::vector<RequestRecord> Simulator::requests() const {
  std::lock_guard lock(m_impl->world.mutex);
  return m_impl->world.requests;
}
void Simulator::add_hostile(const Hostile& hostile) {
  std::lock_guard lock(m_impl->world.mutex);
  auto& h = m_impl->world.hostile;
  switch (hostile.kind) {
    case Hostile::Kind::listing_entries:
      h.listing_entries.insert(h.listing_entries.end(), hostile.entries.begin(),
                               hostile.entries.end());
      break;
    case Hostile::Kind::task_log_lines:
      h.task_log_lines.insert(h.task_log_lines.end(), hostile.lines.begin(), hostile.lines.end());
      break;
    default:
      h.answers.push_back(hostile);
  }
}
void Simulator::clear_hostile() {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.hostile = HostileState{};
}
void Simulator::set_backup_jobs(std::vector<std::string> json_objects) {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.backup_jobs = std::move(json_objects);
}
Stats Simulator::stats() const {
  std::lock_guard lock(m_impl->world.mutex);
  return m_impl->world.stats;
}
std::uint64_t Simulator::request_count() const { return stats().requests; }
std::vector<std::string> Simulator::request_log() const {
  std::lock_guard lock(m_impl->world.mutex);
  return m_impl->world.request_log;
}
void Simulator::inject(const Fault& fault) {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.faults.push_back(fault);
}
void Simulator::clear_faults() {
  std::lock_guard lock(m_impl->world.mutex);
  m_impl->world.faults.clear();
}
void Simulator::enable_control(std::string secret, std::function<void()> on_shutdown) {
  m_impl->control_secret = std::move(secret);
  m_impl->on_shutdown = std::move(on_shutdown);
}

}  // namespace pvesim
