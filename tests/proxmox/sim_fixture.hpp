#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "proxmox/client.hpp"
#include "tests/pvesim/sim_harness.hpp"

// The client against an in-process simulator over real HTTPS (shared by the client's
// integration suites).
namespace proxmox::testing {

constexpr std::int64_t k_start = pvesim::testing::k_sim_start;

class ClientIntegrationTest : public ::testing::Test {
 protected:
  ClientIntegrationTest()
      : harness(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        options(harness.options) {
    options.nodes = {"pve1", "pve2"};
  }
  void start() {
    auto started = harness.start();
    ASSERT_TRUE(started) << started.error();
    sim = &harness.sim();
  }
  TransportOptions transport_options() const {
    TransportOptions t;
    t.base_url = sim->base_url();
    t.ca_file = sim->ca_file();
    t.token_id = pvesim::default_token().token_id;
    t.token_secret = pvesim::default_token().secret;
    t.request_timeout = std::chrono::seconds(5);
    return t;
  }
  std::unique_ptr<Client> client(TransportOptions t) {
    auto transport = make_curl_transport(std::move(t));
    EXPECT_TRUE(transport) << transport.error().message;
    ClientOptions o;
    o.token_id = pvesim::default_token().token_id;
    o.retry.first_delay = std::chrono::milliseconds(10);
    return std::make_unique<Client>(std::move(*transport), o);
  }
  std::unique_ptr<Client> client() { return client(transport_options()); }
  static WaitOptions fast_wait() {
    WaitOptions w;
    w.first_poll = std::chrono::milliseconds(5);
    w.max_poll = std::chrono::milliseconds(20);
    return w;
  }

  static VzdumpRequest backup_request() {
    VzdumpRequest req;
    req.vmid = 106;
    req.storage = "local";
    return req;
  }

  pvesim::testing::SimHarness harness;
  pvesim::Options& options;
  pvesim::Simulator* sim = nullptr;
};

// A client whose waits move the simulated clock (tasks progress meanwhile) and whose wall
// clock is the simulator's, for the recovery of lost vzdump answers.
class LostVzdumpAnswerTest : public ClientIntegrationTest {
 protected:
  std::unique_ptr<Client> sim_clock_client() {
    auto transport = make_curl_transport(transport_options());
    EXPECT_TRUE(transport) << transport.error().message;
    ClientOptions o;
    o.token_id = pvesim::default_token().token_id;
    o.sleep = [this](std::chrono::milliseconds) { sim->advance(advance_per_sleep); };
    o.epoch_now = [this] { return sim->now(); };
    return std::make_unique<Client>(std::move(*transport), o);
  }
  static VzdumpRequest request() {
    VzdumpRequest req = backup_request();
    req.notes_template = "prod smokerbak:20260101T010000Z";
    req.log_marker = "smokerbak:20260101T010000Z";
    return req;
  }
  void lose_vzdump_answer(pvesim::Fault::Kind kind, int status = 0) {
    pvesim::Fault fault;
    fault.kind = kind;
    fault.status = status;
    fault.method = "POST";
    fault.path_contains = "/vzdump";
    fault.handle_first = true;
    sim->inject(fault);
  }
  std::int64_t advance_per_sleep = 0;
};

}  // namespace proxmox::testing
