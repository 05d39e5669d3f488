#include "tests/pvesim/simulator.hpp"

namespace pvesim {

Token default_token() {
  return Token{"smokerbak@pve!agent",
               "5f0c7d52-3b7e-4d8e-9a41-7c2f1e6b9d30",
               {"VM.Backup", "VM.Audit", "VM.Snapshot", "Datastore.AllocateSpace",
                "Datastore.Audit", "Datastore.Allocate", "Sys.Audit", "Sys.Modify"}};
}

class Simulator::Impl {
 public:
  explicit Impl(Options options) : m_options(std::move(options)) {}
  Options m_options;
};

Simulator::Simulator(Options options) : m_impl(std::make_unique<Impl>(std::move(options))) {}
Simulator::~Simulator() = default;
tl::expected<void, std::string> Simulator::start() {
  return tl::make_unexpected(std::string("pvesim: not implemented yet"));
}
void Simulator::stop() {}
int Simulator::port() const { return 0; }
std::string Simulator::base_url() const { return {}; }
std::filesystem::path Simulator::ca_file() const { return {}; }
std::string Simulator::leaf_fingerprint() const { return {}; }
std::filesystem::path Simulator::storage_dir(const std::string&) const { return {}; }
std::int64_t Simulator::now() const { return 0; }
void Simulator::set_time(std::int64_t) {}
void Simulator::advance(std::int64_t) {}
void Simulator::migrate_guest(std::int64_t, const std::string&) {}
void Simulator::set_guest_lock(std::int64_t, const std::string&) {}
std::string Simulator::guest_lock(std::int64_t) const { return {}; }
std::vector<std::string> Simulator::volids(const std::string&) const { return {}; }
void Simulator::set_protected(const std::string&, bool) {}
std::string Simulator::seed_backup(std::int64_t, std::int64_t, const std::string&, bool) {
  return {};
}
void Simulator::set_backup_jobs(std::vector<std::string>) {}
Stats Simulator::stats() const { return {}; }
std::uint64_t Simulator::request_count() const { return 0; }
std::vector<std::string> Simulator::request_log() const { return {}; }
void Simulator::inject(const Fault&) {}
void Simulator::clear_faults() {}

}  // namespace pvesim
