// Envelopes, authentication and authorisation against docs/proxmox-api.md sections 1 and 2.
#include "tests/pvesim/tests/sim_fixture.hpp"

namespace pvesim::testing {
namespace {

TEST_F(SimTest, VersionAnswersWithDataEnvelopeAndPveHeaders) {
  start();
  const auto r = client->get("/version");
  ASSERT_TRUE(r.transport_ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json["data"]["version"], "9.2.11");
  EXPECT_EQ(r.json["data"]["release"], "9.2");
  EXPECT_FALSE(r.json.contains("errors"));
}

TEST_F(SimTest, MissingCredentialsGive401NoTicketWithoutBody) {
  start();
  const auto r = client->raw("GET", "/api2/json/version", {});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.reason, "No ticket");
  EXPECT_TRUE(r.body.empty());
}

TEST_F(SimTest, WrongSecretGives401AuthenticationFailedWithoutBody) {
  start();
  SimClient wrong(*sim, default_token().token_id, "not-the-secret");
  const auto r = wrong.get("/version");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.reason, "Authentication failed!");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.body.find("not-the-secret"), std::string::npos);
}

TEST_F(SimTest, TokenHeaderIsSplitAtTheLastEqualsSign) {
  Options o = base_options();
  o.tokens = {{"ops@pve!agent", "abc=def", {"VM.Audit"}}};
  start(o);
  SimClient ok_client(*sim, "ops@pve!agent", "abc=def");
  EXPECT_EQ(ok_client.get("/version").status, 401);  // split at the last '=' -> wrong id
  SimClient bad_id(*sim, "ops@pve", "abc=def");
  EXPECT_EQ(bad_id.get("/version").status, 401);
}

TEST_F(SimTest, MissingPrivilegeGives403WithPermissionCheckReasonAndJsonBody) {
  Options o = base_options();
  o.tokens = {{"audit@pve!ro", "s3cret", {"VM.Audit", "Datastore.Audit"}}};
  start(o);
  SimClient ro(*sim, "audit@pve!ro", "s3cret");
  const auto r = ro.post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"storage", "local"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.reason, "Permission check failed (/storage/local, Datastore.AllocateSpace)");
  EXPECT_TRUE(r.json["data"].is_null());
  EXPECT_EQ(r.json["message"],
            "Permission check failed (/storage/local, Datastore.AllocateSpace)\n");
}

TEST_F(SimTest, ErrorBodiesOmitMessageWhenEmulatingOldServers) {
  Options o = base_options();
  o.error_message_field = false;
  start(o);
  const auto r = client->get("/nodes/pve1/lxc/107/status/current");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.reason, "Configuration file 'nodes/pve1/lxc/107.conf' does not exist");
  EXPECT_EQ(r.json, nlohmann::json::parse(R"({"data":null})"));
}

TEST_F(SimTest, UnknownPathGives501NotImplemented) {
  start();
  const auto r = client->get("/nodes/pve1/frobnicate");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(r.reason, "Method 'GET /nodes/pve1/frobnicate' not implemented");
}

TEST_F(SimTest, ParameterErrorsCarryAnErrorsObject) {
  start();
  auto r = client->post("/nodes/pve1/vzdump", {{"notes-template", "{{guestname}}"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.reason, "Parameter verification failed.");
  EXPECT_EQ(r.json["errors"]["vmid"], "property is missing and it is not optional");
  EXPECT_EQ(r.json["errors"]["storage"], "missing property required by 'notes-template'");

  r = client->post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"remove", "true"}});
  EXPECT_EQ(r.json["errors"]["remove"], "type check ('boolean') failed - got 'true'");

  r = client->post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"frob", "1"}});
  EXPECT_EQ(r.json["errors"]["frob"],
            "property is not defined in schema and the schema does not allow additional "
            "properties");

  r = client->post("/nodes/pve1/vzdump",
                   {{"vmid", "106"}, {"storage", "local"}, {"notes-template", "x {{foo}} \\q"}});
  EXPECT_EQ(r.status, 400);
  // verify_notes_template lists escapes first, then variables at pos() - length (checked by
  // running upstream's regexes in perl on the same template).
  EXPECT_EQ(r.json["errors"]["notes-template"],
            "found unknown: escape sequence '\\q' at char 10, variable 'foo' at char 6\n");
}

TEST_F(SimTest, ClusterResourcesListsGuestsWithLockOnlyWhenSet) {
  start();
  auto r = client->get("/cluster/resources", {{"type", "vm"}});
  ASSERT_EQ(r.json["data"].size(), 1u);
  EXPECT_EQ(r.json["data"][0]["id"], "lxc/106");
  EXPECT_EQ(r.json["data"][0]["node"], "pve1");
  EXPECT_FALSE(r.json["data"][0].contains("lock"));
  sim->set_guest_lock(106, "snapshot");
  r = client->get("/cluster/resources", {{"type", "vm"}});
  EXPECT_EQ(r.json["data"][0]["lock"], "snapshot");
}

TEST_F(SimTest, GuestsWithoutVmAuditAreSilentlyOmitted) {
  Options o = base_options();
  o.tokens = {{"ds@pve!tok", "x", {"Datastore.Audit"}}};
  start(o);
  SimClient c(*sim, "ds@pve!tok", "x");
  const auto r = c.get("/cluster/resources", {{"type", "vm"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.json["data"].empty());
}

TEST_F(SimTest, MigratedGuestIsFoundOnItsNewNodeOnly) {
  Options o = base_options();
  o.nodes = {"pve1", "pve2"};
  start(o);
  sim->migrate_guest(106, "pve2");
  EXPECT_EQ(client->get("/cluster/resources", {{"type", "vm"}}).json["data"][0]["node"], "pve2");
  EXPECT_EQ(client->get("/nodes/pve2/lxc/106/status/current").json["data"]["status"], "running");
  const auto old_node = client->get("/nodes/pve1/lxc/106/status/current");
  EXPECT_EQ(old_node.status, 500);
  EXPECT_EQ(old_node.reason, "Configuration file 'nodes/pve1/lxc/106.conf' does not exist");
}

TEST_F(SimTest, RequestLogCountsRequestsWithoutSecrets) {
  start();
  client->get("/version");
  client->get("/cluster/resources", {{"type", "vm"}});
  EXPECT_EQ(sim->request_count(), 2u);
  const auto log = sim->request_log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1], "GET /api2/json/cluster/resources");
  for (const auto& line : log) EXPECT_EQ(line.find(default_token().secret), std::string::npos);
}

}  // namespace
}  // namespace pvesim::testing
