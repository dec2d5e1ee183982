// Audit log, tickets, feedback, reports and /metrics of a real kiosk-central process over
// real TLS: roles, idempotency and batch sync, stable 4xx codes for bad input, the audit
// log's append-only triggers and hash chain (tampered with through SQLite itself), and each
// report figure computed from data the test made.
#include "central_process.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk_certificate.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

using kiosk::testing::CentralProcess;
using nlohmann::json;

namespace {

// Runs `command`, returns its stdout and sets `status` to its exit code.
std::string run(const std::string& command, int& status) {
    FILE* pipe = popen(command.c_str(), "r");
    std::array<char, 256> buffer{};
    std::string out;
    while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        out += buffer.data();
    }
    const int raw = pclose(pipe);
    status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return out;
}

std::string add_admin(const CentralProcess& central, const std::string& name,
                      const std::string& role) {
    int status = 0;
    std::string out = run(kiosk::testing::central_binary().string() + " admin add --data-dir '" +
                              central.data_dir().string() + "'" + central.database_option() +
                              " --name " + name + " --role " + role,
                          status);
    EXPECT_EQ(status, 0);
    while (!out.empty() && out.back() == '\n') {
        out.pop_back();
    }
    return out;
}

std::string demo_admin(const CentralProcess& central) {
    std::ifstream in(central.data_dir() / "admin-token");
    std::string token;
    std::getline(in, token);
    return token;
}

// Kiosks are known by their client certificate: enrol_kiosk() returns this prefix and the
// folder of the kiosk's key and certificate, which client() presents instead of a token.
constexpr std::string_view kKioskMarker = "kiosk-certificate:";

// A small client for one central: bearer token (or kiosk certificate) optional,
// Idempotency-Key optional.
struct Api {
    const CentralProcess& central;

    std::unique_ptr<httplib::SSLClient> client(const std::string& token) const {
        if (token.starts_with(kKioskMarker)) {
            const std::filesystem::path dir = token.substr(kKioskMarker.size());
            auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port(),
                                                          (dir / "cert.pem").string(),
                                                          (dir / "key.pem").string());
            c->set_ca_cert_path(central.ca_file().c_str());
            c->enable_server_certificate_verification(true);
            return c;
        }
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port());
        c->set_ca_cert_path(central.ca_file().c_str());
        c->enable_server_certificate_verification(true);
        if (!token.empty()) {
            c->set_bearer_token_auth(token);
        }
        return c;
    }
    httplib::Result post(const std::string& path, const std::string& body,
                         const std::string& token = {}, const std::string& key = {}) const {
        httplib::Headers headers;
        if (!key.empty()) {
            headers.emplace("Idempotency-Key", key);
        }
        return client(token)->Post(path, headers, body, "application/json");
    }
    httplib::Result get(const std::string& path, const std::string& token = {}) const {
        return client(token)->Get(path);
    }
    // Verifies `user` by e-mail code and returns the verification token.
    std::string verify(const std::string& user) const {
        auto start = post("/v1/verifications", json{{"identifier", user}}.dump());
        EXPECT_EQ(start->status, 202);
        const std::string challenge = json::parse(start->body)["challenge_id"];
        const auto code = central.latest_code_for(user);
        EXPECT_TRUE(code.has_value());
        auto check = post("/v1/verifications/" + challenge + "/check",
                          json{{"code", code.value_or("")}}.dump());
        EXPECT_EQ(check->status, 200) << check->body;
        return json::parse(check->body)["verification_token"];
    }
    // Enrols kiosk `id` with a key and certificate of its own (in the central's data
    // folder, removed with it) and returns what client() takes to present them.
    std::string enrol_kiosk(const std::string& admin, const std::string& id) const {
        const auto dir = central.data_dir() / "test-kiosks" / id;
        const auto enrolled = kiosk::testing::enrol_kiosk(central, admin, id, json::array(), dir);
        EXPECT_EQ(enrolled.status, 201) << enrolled.body;
        return std::string(kKioskMarker) + dir.string();
    }
};

std::string error_code(const httplib::Result& res) {
    if (!res) {
        return "(no answer)";
    }
    const json doc = json::parse(res->body, nullptr, false);
    return doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
}

json ticket_body(const std::string& description = "Printer on floor 2 is jammed") {
    return {{"category", "hardware"},
            {"description", description},
            {"contact_preference", "email"},
            {"language", "en"}};
}

std::string now_text(std::int64_t offset = 0) {
    return kiosk::central::rfc3339_utc(kiosk::central::unix_now() + offset);
}

class Records : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        central_ = new CentralProcess();
        admin_ = demo_admin(*central_);
        helpdesk_ = add_admin(*central_, "help-1", "helpdesk");
        auditor_ = add_admin(*central_, "audit-1", "auditor");
        kiosk_ = Api{*central_}.enrol_kiosk(admin_, "lobby-1");
    }
    static void TearDownTestSuite() {
        delete central_;
        central_ = nullptr;
    }
    Api api() const { return Api{*central_}; }
    json audit(const std::string& query) const {
        auto res = api().get(std::string("/v1/admin/audit?") + query, auditor_);
        EXPECT_EQ(res->status, 200) << res->body;
        return json::parse(res->body)["entries"];
    }

    static CentralProcess* central_;
    static std::string admin_, helpdesk_, auditor_, kiosk_;
};
CentralProcess* Records::central_ = nullptr;
std::string Records::admin_, Records::helpdesk_, Records::auditor_, Records::kiosk_;

} // namespace

TEST(Rfc3339, ParsesUtcOffsetsAndFractionsAndRefusesTheRest) {
    using kiosk::central::parse_rfc3339;
    EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339("2026-11-22T16:40:05Z"), 1795365605);
    EXPECT_EQ(parse_rfc3339("2026-11-22T17:40:05.123+01:00"), 1795365605);
    EXPECT_EQ(parse_rfc3339("2026-11-22T15:40:05-01:00"), 1795365605);
    for (const char* bad :
         {"", "2026-11-22", "2026-11-22T16:40:05", "2026-02-31T00:00:00Z", "2026-13-01T00:00:00Z",
          "2026-11-22T16:40:05Zjunk", "yesterday", "2026-11-22T16:40:05.Z"}) {
        EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
    }
}

TEST_F(Records, TicketIsCreatedReplayedReadAndWorkedByTheHelpdesk) {
    auto created = api().post("/v1/tickets", ticket_body().dump(), {}, "ticket-key-1");
    ASSERT_EQ(created->status, 201) << created->body;
    const json answer = json::parse(created->body);
    const std::string reference = answer["reference"];
    EXPECT_TRUE(std::regex_match(reference, std::regex("T-[A-Z2-9]{8}"))) << reference;
    EXPECT_EQ(answer["status"], "open");
    // A retry under the same key (the kiosk's outbox) gets the same ticket, not a second.
    auto again = api().post("/v1/tickets", ticket_body().dump(), {}, "ticket-key-1");
    EXPECT_EQ(again->status, 201);
    EXPECT_EQ(again->body, created->body);
    EXPECT_EQ(again->get_header_value("Idempotent-Replayed"), "true");
    auto reused = api().post("/v1/tickets", ticket_body("other").dump(), {}, "ticket-key-1");
    EXPECT_EQ(reused->status, 422);
    EXPECT_EQ(error_code(reused), "idempotency_key_reused");

    // Anyone with the reference sees its state, not its description.
    auto view = api().get("/v1/tickets/" + reference);
    ASSERT_EQ(view->status, 200);
    EXPECT_EQ(json::parse(view->body)["status"], "open");
    EXPECT_EQ(view->body.find("jammed"), std::string::npos);
    EXPECT_EQ(api().get("/v1/tickets/T-NOSUCH00")->status, 404);

    // The helpdesk lists it (with the description); an auditor may not; nobody anonymous.
    auto list = api().get("/v1/admin/tickets?status=open", helpdesk_);
    ASSERT_EQ(list->status, 200);
    bool listed = false;
    const json open_tickets = json::parse(list->body)["tickets"];
    for (const auto& t : open_tickets) {
        listed = listed ||
                 (t["reference"] == reference && t["description"] == ticket_body()["description"]);
    }
    EXPECT_TRUE(listed);
    EXPECT_EQ(api().get("/v1/admin/tickets", auditor_)->status, 403);
    EXPECT_EQ(api().get("/v1/admin/tickets")->status, 401);
    EXPECT_EQ(error_code(api().get("/v1/admin/tickets?status=bogus", helpdesk_)), "bad_request");

    const std::string status_path = "/v1/admin/tickets/" + reference + "/status";
    EXPECT_EQ(api().post(status_path, R"({"status":"resolved"})", auditor_)->status, 403);
    auto working = api().post(status_path, R"({"status":"in_progress"})", helpdesk_);
    ASSERT_EQ(working->status, 200) << working->body;
    EXPECT_TRUE(json::parse(working->body)["resolved_at"].is_null());
    auto resolved =
        api().post(status_path, R"({"status":"resolved","note":"cleared the jam"})", helpdesk_);
    ASSERT_EQ(resolved->status, 200);
    EXPECT_TRUE(json::parse(resolved->body)["resolved_at"].is_string());
    // The same status again changes nothing; closed is final.
    EXPECT_EQ(api().post(status_path, R"({"status":"resolved"})", helpdesk_)->status, 200);
    EXPECT_EQ(api().post(status_path, R"({"status":"closed"})", admin_)->status, 200);
    auto reopen = api().post(status_path, R"({"status":"open"})", helpdesk_);
    EXPECT_EQ(reopen->status, 409);
    EXPECT_EQ(error_code(reopen), "invalid_status_transition");
    EXPECT_EQ(api()
                  .post("/v1/admin/tickets/T-NOSUCH00/status", R"({"status":"open"})", helpdesk_)
                  ->status,
              404);

    // Each change is in the audit log, by the helpdesk member's name.
    const json changes = audit("action=ticket_status_changed&limit=1000");
    int mine = 0;
    for (const auto& e : changes) {
        if (e["subject"] == reference) {
            ++mine;
            EXPECT_TRUE(e["actor"] == "help-1" || e["actor"] == "demo-admin");
        }
    }
    EXPECT_EQ(mine, 3); // in_progress, resolved, closed
}

TEST_F(Records, TicketWithAVerificationTokenNamesTheAccountWithoutSpendingTheToken) {
    const std::string token = api().verify("jdoe");
    json body = ticket_body("Need a new badge");
    body["verification_token"] = token;
    auto created = api().post("/v1/tickets", body.dump());
    ASSERT_EQ(created->status, 201) << created->body;
    const std::string reference = json::parse(created->body)["reference"];
    auto list = api().get("/v1/admin/tickets?limit=1000", admin_);
    std::string owner;
    const json tickets = json::parse(list->body)["tickets"];
    for (const auto& t : tickets) {
        if (t["reference"] == reference) {
            owner = t["username"];
        }
    }
    EXPECT_EQ(owner, "jdoe");
    // The token still works for what the user came for.
    auto status = api().post("/v1/account-status", json{{"verification_token", token}}.dump());
    EXPECT_EQ(status->status, 200);
    // A token that is no longer valid (the ticket waited in an outbox past its expiry) does
    // not lose the ticket: it is opened without an account, with the contact that was typed.
    body["verification_token"] = "not-a-token";
    body["identifier"] = "jdoe@example.com";
    auto unverified = api().post("/v1/tickets", body.dump());
    ASSERT_EQ(unverified->status, 201) << unverified->body;
    const std::string unverified_reference = json::parse(unverified->body)["reference"];
    list = api().get("/v1/admin/tickets?limit=1000", admin_);
    bool found = false;
    const json listing = json::parse(list->body);
    for (const auto& t : listing["tickets"]) {
        if (t["reference"] == unverified_reference) {
            found = true;
            EXPECT_TRUE(t["username"].is_null()) << t.dump();
            EXPECT_EQ(t.value("identifier", ""), "jdoe@example.com");
        }
    }
    EXPECT_TRUE(found) << unverified_reference << " not in " << list->body;
}

// A person who unlocked their account and then asks the helpdesk for more: the ticket still
// names them, with the token the unlock spent (it stays spent).
TEST_F(Records, TicketWithATokenSpentOnAnUnlockStillNamesTheAccount) {
    const std::string token = api().verify("jdoe");
    auto reset = api().post("/v1/unlocks", json{{"verification_token", token}}.dump());
    ASSERT_EQ(reset->status, 200) << reset->body;
    json body = ticket_body("Locked again after the unlock");
    body["verification_token"] = token;
    auto created = api().post("/v1/tickets", body.dump());
    ASSERT_EQ(created->status, 201) << created->body;
    const std::string reference = json::parse(created->body)["reference"];
    std::string owner;
    const json listing = json::parse(api().get("/v1/admin/tickets?limit=1000", admin_)->body);
    for (const auto& t : listing["tickets"]) {
        if (t["reference"] == reference) {
            owner = t["username"];
        }
    }
    EXPECT_EQ(owner, "jdoe");
    auto again = api().post("/v1/unlocks", json{{"verification_token", token}}.dump());
    EXPECT_EQ(again->status, 401) << "the ticket did not make the token usable again";
}

TEST_F(Records, BadInputGetsAStable4xxAndNever500) {
    struct Case {
        std::string path;
        std::string body;
        std::string token;
        int status;
        std::string code;
    };
    const std::string ok_ticket = ticket_body().dump();
    const std::vector<Case> cases = {
        {"/v1/tickets", "{not json", {}, 400, "bad_request"},
        {"/v1/tickets", "[1,2]", {}, 400, "bad_request"},
        {"/v1/tickets", R"({"category":"hardware"})", {}, 400, "bad_request"},
        {"/v1/tickets",
         R"({"category":7,"description":"d","contact_preference":"email","language":"en"})",
         {},
         400,
         "bad_request"},
        {"/v1/tickets",
         R"({"category":"a","description":"","contact_preference":"email","language":"en"})",
         {},
         400,
         "bad_request"},
        {"/v1/tickets",
         R"({"category":"a","description":"d","contact_preference":"pigeon","language":"en"})",
         {},
         400,
         "bad_request"},
        {"/v1/tickets", ticket_body(std::string(4001, 'x')).dump(), {}, 400, "bad_request"},
        {"/v1/tickets",
         R"({"category":"a","description":"d","contact_preference":"email","language":"en","priority":1})",
         {},
         400,
         "unknown_field"},
        {"/v1/feedback",
         R"({"rating":0,"flow":"reset","outcome":"completed"})",
         {},
         400,
         "bad_request"},
        {"/v1/feedback",
         R"({"rating":6,"flow":"reset","outcome":"completed"})",
         {},
         400,
         "bad_request"},
        {"/v1/feedback",
         R"({"rating":4.5,"flow":"reset","outcome":"completed"})",
         {},
         400,
         "bad_request"},
        {"/v1/feedback",
         R"({"rating":"5","flow":"reset","outcome":"completed"})",
         {},
         400,
         "bad_request"},
        {"/v1/feedback",
         R"({"rating":5,"flow":"reset","outcome":"great"})",
         {},
         400,
         "bad_request"},
        {"/v1/feedback",
         R"({"rating":5,"flow":"reset","outcome":"completed","mood":"ok"})",
         {},
         400,
         "unknown_field"},
        {"/v1/kiosks/audit-events",
         R"({"action":"x","actor":"a","at":"2026-01-01T00:00:00Z"})",
         {},
         401,
         "client_certificate_required"},
        {"/v1/kiosks/audit-events", R"({"action":"x","actor":"a","at":"2026-01-01T00:00:00Z"})",
         "admin", 401, "client_certificate_required"},
        {"/v1/kiosks/audit-events", R"({"action":"x","actor":"a","at":"yesterday"})", "kiosk", 400,
         "bad_request"},
        {"/v1/kiosks/audit-events",
         R"({"action":"Bad Action","actor":"a","at":"2026-01-01T00:00:00Z"})", "kiosk", 400,
         "bad_request"},
        {"/v1/kiosks/audit-events",
         R"({"action":"session_ended","actor":"a","at":"2026-01-01T00:00:00Z","flow":"reset"})",
         "kiosk", 400, "bad_request"},
        {"/v1/kiosks/audit-events",
         R"({"action":"x","actor":"a","at":"2026-01-01T00:00:00Z","secret":"s"})", "kiosk", 400,
         "unknown_field"},
        {"/v1/admin/tickets/T-DEMO0001/status", R"({"status":"done"})", "admin", 400,
         "bad_request"},
        {"/v1/admin/tickets/T-DEMO0001/status", R"({"status":"open","by":"me"})", "admin", 400,
         "unknown_field"},
        {"/v1/admin/tickets/T-DEMO0001/status", R"({"status":"open"})", "kiosk", 401,
         "unauthenticated"},
    };
    for (const auto& c : cases) {
        const std::string token =
            c.token == "admin" ? admin_ : (c.token == "kiosk" ? kiosk_ : c.token);
        auto res = api().post(c.path, c.body, token);
        ASSERT_TRUE(res) << c.path;
        EXPECT_EQ(res->status, c.status) << c.path << " " << c.body << " -> " << res->body;
        EXPECT_EQ(error_code(res), c.code) << c.path << " " << c.body;
    }
    for (const char* query : {"since=yesterday", "until=2026-13-01T00:00:00Z", "limit=0",
                              "limit=1001", "limit=x", "action=DROP%20TABLE"}) {
        auto res = api().get(std::string("/v1/admin/audit?") + query, auditor_);
        EXPECT_EQ(res->status, 400) << query;
        EXPECT_EQ(error_code(res), "bad_request") << query;
    }
    for (const char* query : {"from=soon", "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"}) {
        auto res = api().get(std::string("/v1/admin/reports?") + query, admin_);
        EXPECT_EQ(res->status, 400) << query;
    }
}

TEST_F(Records, KioskAuditEventsNeedTheKioskCredentialAndOnlyAdminsAndAuditorsReadTheLog) {
    const json event{{"action", "maintenance_entered"},
                     {"actor", "staff-badge-0042"},
                     {"detail", "key chord"},
                     {"at", now_text(-30)}};
    auto first = api().post("/v1/kiosks/audit-events", event.dump(), kiosk_, "audit-key-1");
    ASSERT_EQ(first->status, 201) << first->body;
    const auto sequence = json::parse(first->body)["sequence"].get<std::int64_t>();
    auto replay = api().post("/v1/kiosks/audit-events", event.dump(), kiosk_, "audit-key-1");
    EXPECT_EQ(replay->body, first->body); // one entry, however often the outbox retries

    const json entries = audit("action=maintenance_entered");
    int found = 0;
    for (const auto& e : entries) {
        if (e["sequence"] == sequence) {
            ++found;
            EXPECT_EQ(e["kiosk_id"], "lobby-1");
            EXPECT_EQ(e["source"], "kiosk");
            EXPECT_EQ(e["actor"], "staff-badge-0042");
            EXPECT_TRUE(e["occurred_at"].is_string());
        }
    }
    EXPECT_EQ(found, 1);
    EXPECT_EQ(entries.size(), 1U);

    EXPECT_EQ(api().get("/v1/admin/audit", admin_)->status, 200);
    auto helpdesk = api().get("/v1/admin/audit", helpdesk_);
    EXPECT_EQ(helpdesk->status, 403);
    EXPECT_EQ(error_code(helpdesk), "forbidden");
    EXPECT_EQ(api().get("/v1/admin/audit", kiosk_)->status, 401);
    EXPECT_EQ(api().get("/v1/admin/audit/verify", helpdesk_)->status, 403);

    // What maintenance mode sends (app/src/maintenance.cpp): dotted actions, and an empty
    // actor before a staff member is known.
    auto dotted = api().post("/v1/kiosks/audit-events",
                             json{{"action", "maintenance.exit"},
                                  {"actor", ""},
                                  {"detail", "idle for 120 s"},
                                  {"at", now_text()}}
                                 .dump(),
                             kiosk_);
    ASSERT_EQ(dotted->status, 201) << dotted->body;
    const json exits = audit("action=maintenance.exit");
    ASSERT_EQ(exits.size(), 1U);
    EXPECT_EQ(exits[0]["actor"], "unknown");

    // since/until select by the central's time.
    EXPECT_TRUE(audit("action=maintenance_entered&until=2000-01-01T00:00:00Z").empty());
    EXPECT_EQ(audit("action=maintenance_entered&since=" + now_text(-300)).size(), 1U);
}

TEST_F(Records, BatchSyncCarriesTicketsFeedbackAndAuditEvents) {
    const json batch{{"items",
                      {{{"idempotency_key", "batch-ticket-1"},
                        {"route", "/v1/tickets"},
                        {"body", ticket_body("queued while offline")}},
                       {{"idempotency_key", "batch-feedback-1"},
                        {"route", "/v1/feedback"},
                        {"body", {{"rating", 4}, {"flow", "reset"}, {"outcome", "completed"}}}},
                       {{"idempotency_key", "batch-audit-1"},
                        {"route", "/v1/kiosks/audit-events"},
                        {"body",
                         {{"action", "queue_cleared"},
                          {"actor", "staff-7"},
                          {"detail", ""},
                          {"at", now_text()}}}},
                       {{"idempotency_key", "batch-feedback-2"},
                        {"route", "/v1/feedback"},
                        {"body", {{"rating", 9}, {"flow", "reset"}, {"outcome", "completed"}}}}}}};
    auto res = api().post("/v1/sync/batch", batch.dump(), kiosk_);
    ASSERT_EQ(res->status, 200) << res->body;
    const json results = json::parse(res->body)["results"];
    ASSERT_EQ(results.size(), 4U);
    EXPECT_EQ(results[0]["status"], 201);
    EXPECT_TRUE(results[0]["body"]["reference"].is_string());
    EXPECT_EQ(results[1]["status"], 201);
    EXPECT_EQ(results[2]["status"], 201);
    EXPECT_EQ(results[3]["status"], 400); // a bad item answers alone
    // The whole batch again: every item replays its first answer.
    auto again = api().post("/v1/sync/batch", batch.dump(), kiosk_);
    EXPECT_EQ(json::parse(again->body)["results"], results);
    // Feedback from a kiosk is attributed to it.
    EXPECT_EQ(audit("action=queue_cleared").at(0)["kiosk_id"], "lobby-1");

    // Without the kiosk credential the audit item is refused on its own, and not recorded
    // under its key: the same key with the credential then runs.
    const json lone{{"items",
                     {{{"idempotency_key", "batch-audit-2"},
                       {"route", "/v1/kiosks/audit-events"},
                       {"body", {{"action", "exit"}, {"actor", "staff-7"}, {"at", now_text()}}}}}}};
    auto anonymous = api().post("/v1/sync/batch", lone.dump());
    EXPECT_EQ(json::parse(anonymous->body)["results"][0]["status"], 401);
    auto with_kiosk = api().post("/v1/sync/batch", lone.dump(), kiosk_);
    EXPECT_EQ(json::parse(with_kiosk->body)["results"][0]["status"], 201);
}

TEST_F(Records, ResetsUnlocksVerificationsLockoutsAndAdminActionsAreAuditedWithoutSecrets) {
    // An unlock of the demo's locked account, after an e-mail verification with one wrong code.
    auto start = api().post("/v1/verifications", R"({"identifier":"asmith"})");
    const std::string challenge = json::parse(start->body)["challenge_id"];
    EXPECT_EQ(
        api().post("/v1/verifications/" + challenge + "/check", R"({"code":"000000"})")->status,
        401);
    const auto code = central_->latest_code_for("asmith");
    ASSERT_TRUE(code);
    auto check =
        api().post("/v1/verifications/" + challenge + "/check", json{{"code", *code}}.dump());
    ASSERT_EQ(check->status, 200);
    const std::string token = json::parse(check->body)["verification_token"];
    auto unlock = api().post("/v1/unlocks", json{{"verification_token", token}}.dump());
    ASSERT_EQ(unlock->status, 200);
    const std::string unlock_reference = json::parse(unlock->body)["reference"];

    // A reset.
    const std::string password = "Orange-Harbour-Lantern-Quietly-42";
    auto reset = api().post(
        "/v1/password-resets",
        json{{"verification_token", api().verify("mkowalska")}, {"new_password", password}}.dump());
    ASSERT_EQ(reset->status, 200) << reset->body;

    // A lockout: five wrong sign-ins.
    for (int i = 0; i < 5; ++i) {
        api().post("/v1/sign-ins", R"({"username":"jdoe","password":"wrong-password-attempt"})");
    }

    const json all = audit("limit=1000");
    std::map<std::string, std::set<std::string>> subjects; // action -> subjects
    for (const auto& e : all) {
        subjects[e["action"]].insert(e["subject"].get<std::string>());
    }
    EXPECT_TRUE(subjects["verification_failed"].count("asmith"));
    EXPECT_TRUE(subjects["verification_succeeded"].count("asmith"));
    EXPECT_TRUE(subjects["account_unlocked"].count("asmith"));
    EXPECT_TRUE(subjects["password_reset"].count("mkowalska"));
    EXPECT_TRUE(subjects["account_locked"].count("jdoe"));
    EXPECT_TRUE(subjects["enrolment_code_created"].count("lobby-1"));
    EXPECT_TRUE(subjects["kiosk_enrolled"].count("lobby-1"));
    bool reference_logged = false;
    for (const auto& e : all) {
        reference_logged = reference_logged || e["detail"] == "reference " + unlock_reference;
    }
    EXPECT_TRUE(reference_logged);

    // No secret anywhere in the log: not the code, token, password or kiosk credential.
    const std::string text = all.dump();
    EXPECT_EQ(text.find(*code), std::string::npos);
    EXPECT_EQ(text.find(token), std::string::npos);
    EXPECT_EQ(text.find(password), std::string::npos);
    EXPECT_EQ(text.find("wrong-password-attempt"), std::string::npos);
    std::ifstream key_file(kiosk_.substr(kKioskMarker.size()) + "/key.pem");
    std::string key_pem;
    std::getline(key_file, key_pem); // the header line
    std::getline(key_file, key_pem); // the key's first bytes
    ASSERT_FALSE(key_pem.empty());
    EXPECT_EQ(text.find(key_pem), std::string::npos);

    auto verify = api().get("/v1/admin/audit/verify", auditor_);
    ASSERT_EQ(verify->status, 200);
    EXPECT_TRUE(json::parse(verify->body)["ok"].get<bool>()) << verify->body;
}

TEST(AuditChain, TheLogRefusesUpdatesAndDeletesAndATamperedEntryIsFound) {
    CentralProcess central;
    Api api{central};
    const std::string admin = demo_admin(central);
    api.enrol_kiosk(admin, "tamper-1"); // two more entries after the demo data
    // A connection of its own, as someone with the database file (or a PostgreSQL login)
    // would use; `exec` answers the database's error, or nullopt.
    const auto& db = central.database();
    const auto exec = [&](const std::string& sql) { return db.try_exec(sql); };
    const auto drop_trigger = [&](const std::string& name) {
        return exec("DROP TRIGGER " + name + (db.postgres() ? " ON audit_log" : ""));
    };
    // The triggers stop any connection, not just the central's.
    auto update = exec("UPDATE audit_log SET detail = 'edited' WHERE sequence = 2");
    ASSERT_TRUE(update);
    EXPECT_NE(update->find("append-only"), std::string::npos) << *update;
    EXPECT_TRUE(exec("DELETE FROM audit_log WHERE sequence = 1"));
    if (db.postgres()) {
        EXPECT_TRUE(exec("TRUNCATE audit_log")) << "TRUNCATE is refused too";
    }

    int status = -1;
    const std::string verify = kiosk::testing::central_binary().string() +
                               " audit verify --data-dir '" + central.data_dir().string() + "'" +
                               central.database_option();
    std::string out = run(verify, status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("intact"), std::string::npos);

    // Someone with the file drops a trigger and edits an entry: the chain shows where.
    ASSERT_EQ(drop_trigger("audit_log_no_update"), std::nullopt);
    ASSERT_EQ(exec("UPDATE audit_log SET actor = 'someone-else' WHERE sequence = 3"), std::nullopt);
    auto route = api.get("/v1/admin/audit/verify", admin);
    ASSERT_EQ(route->status, 200);
    const json check = json::parse(route->body);
    EXPECT_FALSE(check["ok"].get<bool>());
    EXPECT_EQ(check["first_bad_sequence"], 3);
    out = run(verify, status);
    EXPECT_EQ(status, 1) << out;
    EXPECT_NE(out.find("entry 3"), std::string::npos) << out;
    // Deleting the last entries would leave a valid but shorter chain; deleting one in the
    // middle leaves a gap.
    // (`audit verify` opened the database, and put the trigger back.)
    ASSERT_EQ(drop_trigger("audit_log_no_update"), std::nullopt);
    ASSERT_EQ(drop_trigger("audit_log_no_delete"), std::nullopt);
    ASSERT_EQ(exec("UPDATE audit_log SET actor = 'jdoe' WHERE sequence = 3"), std::nullopt);
    ASSERT_EQ(exec("DELETE FROM audit_log WHERE sequence = 2"), std::nullopt);
    out = run(verify, status);
    EXPECT_EQ(status, 1) << out;
    EXPECT_NE(out.find("entry 3"), std::string::npos) << out;
}

TEST(Reports, EachFigureComesFromWhatTheKiosksAndHelpdeskRecorded) {
    CentralProcess central;
    Api api{central};
    const std::string admin = demo_admin(central);
    const std::string helpdesk = add_admin(central, "help-2", "helpdesk");
    const std::string kiosk_a = api.enrol_kiosk(admin, "kiosk-a");
    const std::string kiosk_b = api.enrol_kiosk(admin, "kiosk-b");
    const std::string from = now_text(-5); // the demo data lies before this

    for (const int rating : {5, 4, 2}) {
        auto res = api.post(
            "/v1/feedback",
            json{{"rating", rating}, {"flow", "reset"}, {"outcome", "completed"}}.dump(), kiosk_a);
        ASSERT_EQ(res->status, 201);
    }
    struct Session {
        const std::string* kiosk;
        const char* actor;
        const char* flow;
        const char* screen;
        const char* outcome;
    };
    const Session sessions[] = {
        {&kiosk_a, "jdoe", "reset", "result", "completed"},
        {&kiosk_a, "jdoe", "status", "result", "completed"},
        {&kiosk_a, "asmith", "unlock", "result", "completed"},
        {&kiosk_b, "tnowak", "ticket", "result", "ticket"},
        {&kiosk_b, "anonymous", "reset", "code", "abandoned"},
        {&kiosk_b, "anonymous", "reset", "code", "abandoned"},
        {&kiosk_b, "anonymous", "unlock", "identify", "abandoned"},
    };
    for (const auto& s : sessions) {
        auto res = api.post("/v1/kiosks/audit-events",
                            json{{"action", "session_ended"},
                                 {"actor", s.actor},
                                 {"at", now_text()},
                                 {"flow", s.flow},
                                 {"last_screen", s.screen},
                                 {"outcome", s.outcome}}
                                .dump(),
                            *s.kiosk);
        ASSERT_EQ(res->status, 201) << res->body;
    }
    // One reset and one unlock solved at a kiosk.
    auto reset =
        api.post("/v1/password-resets", json{{"verification_token", api.verify("jdoe")},
                                             {"new_password", "Velvet-Morning-Cactus-Parade"}}
                                            .dump());
    ASSERT_EQ(reset->status, 200) << reset->body;
    auto unlock =
        api.post("/v1/unlocks", json{{"verification_token", api.verify("asmith")}}.dump());
    ASSERT_EQ(unlock->status, 200);
    // Two tickets; one resolved two seconds after it was opened.
    auto first = api.post("/v1/tickets", ticket_body("one").dump());
    api.post("/v1/tickets", ticket_body("two").dump());
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    const std::string reference = json::parse(first->body)["reference"];
    ASSERT_EQ(
        api.post("/v1/admin/tickets/" + reference + "/status", R"({"status":"resolved"})", helpdesk)
            ->status,
        200);

    auto res = api.get("/v1/admin/reports?from=" + from + "&to=" + now_text(60), helpdesk);
    ASSERT_EQ(res->status, 200) << res->body;
    const json r = json::parse(res->body);
    EXPECT_EQ(r["csat"]["count"], 3);
    EXPECT_DOUBLE_EQ(r["csat"]["mean"].get<double>(), 3.67);
    EXPECT_DOUBLE_EQ(r["csat"]["satisfied_share"].get<double>(), 0.6667);
    EXPECT_EQ(r["csat"]["distribution"], json::parse(R"({"1":0,"2":1,"3":0,"4":1,"5":1})"));
    EXPECT_EQ(r["first_contact_resolution"]["completed_at_kiosk"], 3);
    EXPECT_EQ(r["first_contact_resolution"]["ended_with_ticket"], 1);
    EXPECT_DOUBLE_EQ(r["first_contact_resolution"]["rate"].get<double>(), 0.75);
    EXPECT_EQ(r["adoption"], json::parse(R"([{"kiosk_id":"kiosk-a","sessions":3,"users":2},
                              {"kiosk_id":"kiosk-b","sessions":4,"users":1}])"));
    EXPECT_EQ(r["deflection"]["resets"], 1);
    EXPECT_EQ(r["deflection"]["unlocks"], 1);
    EXPECT_EQ(r["deflection"]["tickets_avoided"], 2);
    EXPECT_EQ(r["deflection"]["tickets_opened"], 2);
    EXPECT_EQ(r["time_to_resolution"]["tickets_resolved"], 1);
    const auto median = r["time_to_resolution"]["median_seconds"].get<std::int64_t>();
    EXPECT_GE(median, 2);
    EXPECT_LE(median, 4);
    EXPECT_EQ(r["abandoned_flows"]["count"], 3);
    EXPECT_EQ(r["abandoned_flows"]["by_screen"][0],
              json::parse(R"({"flow":"reset","last_screen":"code","count":2})"));

    // The demo data alone (before `from`) gives numbers too, for the demo.
    auto demo = api.get("/v1/admin/reports?to=" + from, admin);
    ASSERT_EQ(demo->status, 200);
    const json d = json::parse(demo->body);
    EXPECT_EQ(d["csat"]["count"], 6);
    EXPECT_EQ(d["time_to_resolution"]["tickets_resolved"], 2);
    EXPECT_EQ(d["time_to_resolution"]["median_seconds"], 4 * 3600); // 2 h and 6 h
}

// A strict reader of the Prometheus text format 0.0.4: every line a HELP, a TYPE or a
// sample; names and labels well formed; each family typed once before its samples;
// histogram buckets cumulative, ending in +Inf equal to _count.
namespace {
struct Exposition {
    std::map<std::string, std::string> types;
    std::map<std::string, double> samples; // "name{labels}" -> value
    std::string error;
};

Exposition parse_exposition(const std::string& text) {
    Exposition out;
    const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
    const std::regex type(
        R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    const std::regex sample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN))");
    std::istringstream lines(text);
    std::string line;
    std::map<std::string, double> last_bucket;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        std::smatch m;
        if (std::regex_match(line, m, help)) {
            continue;
        }
        if (std::regex_match(line, m, type)) {
            if (out.types.count(m[1])) {
                out.error = "line " + std::to_string(number) + ": second TYPE for " + m[1].str();
                return out;
            }
            out.types[m[1]] = m[2];
            continue;
        }
        if (!std::regex_match(line, m, sample)) {
            out.error = "line " + std::to_string(number) + " is not a sample: " + line;
            return out;
        }
        std::string name = m[1];
        std::string base = name;
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            if (!out.types.count(base) && base.ends_with(suffix)) {
                base = base.substr(0, base.size() - std::string(suffix).size());
            }
        }
        if (!out.types.count(base)) {
            out.error = "line " + std::to_string(number) + ": no TYPE before " + name;
            return out;
        }
        const std::string value_text = m[m.size() - 1];
        const double value =
            value_text == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(value_text);
        out.samples[line.substr(0, line.rfind(' '))] = value;
        if (name.ends_with("_bucket")) {
            const std::string series = std::regex_replace(line.substr(0, line.rfind(' ')),
                                                          std::regex(R"(,?le="[^"]*")"), "");
            if (last_bucket.count(series) && value < last_bucket[series]) {
                out.error = "line " + std::to_string(number) + ": buckets not cumulative";
                return out;
            }
            last_bucket[series] = value;
        }
    }
    return out;
}
} // namespace

TEST(Metrics, ExpositionParsesStrictlyAndCountsWhatHappened) {
    // Scraped with a token from a file, as Prometheus' bearer_token_file does.
    const auto token_file =
        std::filesystem::temp_directory_path() / ("kiosk-scrape-token-" + std::to_string(getpid()));
    std::ofstream(token_file) << "scrape-Token-0123456789abcdef\n";
    CentralProcess central({"--metrics-token-file", token_file.string()});
    std::filesystem::remove(token_file);
    Api api{central};
    const std::string admin = demo_admin(central);
    const std::string kiosk = api.enrol_kiosk(admin, "metrics-1");
    ASSERT_EQ(api.post("/v1/kiosks/heartbeat", R"({"version":"1","queue_depth":7})", kiosk)->status,
              200);
    auto reset =
        api.post("/v1/password-resets", json{{"verification_token", api.verify("jdoe")},
                                             {"new_password", "Velvet-Morning-Cactus-Parade"}}
                                            .dump());
    ASSERT_EQ(reset->status, 200);
    api.post("/v1/tickets", "{bad json");
    const json batch{{"items",
                      {{{"idempotency_key", "m-1"},
                        {"route", "/v1/feedback"},
                        {"body", {{"rating", 5}, {"flow", "reset"}, {"outcome", "completed"}}}}}}};
    api.post("/v1/sync/batch", batch.dump(), kiosk);

    auto anonymous = api.get("/metrics");
    EXPECT_EQ(anonymous->status, 401);
    EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(api.get("/metrics", "scrape-Token-0123456789abcdeX")->status, 401);
    EXPECT_EQ(api.get("/metrics", admin)->status, 200);
    auto res = api.get("/metrics", "scrape-Token-0123456789abcdef");
    ASSERT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4");
    const auto e = parse_exposition(res->body);
    ASSERT_TRUE(e.error.empty()) << e.error << "\n" << res->body;
    EXPECT_EQ(e.types.at("kiosk_central_http_request_duration_seconds"), "histogram");
    EXPECT_EQ(e.samples.at("kiosk_central_password_resets_total"), 1);
    EXPECT_EQ(e.samples.at("kiosk_central_unlocks_total"), 0);
    EXPECT_EQ(e.samples.at("kiosk_central_kiosks_online"), 1);
    EXPECT_EQ(e.samples.at("kiosk_central_kiosks_enrolled"), 1);
    EXPECT_EQ(e.samples.at("kiosk_central_kiosk_queue_depth"), 7);
    EXPECT_EQ(e.samples.at("kiosk_central_tickets_open"), 2); // the demo's open + in progress
    EXPECT_EQ(e.samples.at(R"(kiosk_central_batch_items_total{status="201"})"), 1);
    EXPECT_EQ(
        e.samples.at(
            R"(kiosk_central_http_requests_total{method="POST",route="/v1/tickets",status="400"})"),
        1);
    EXPECT_EQ(
        e.samples.at(
            R"(kiosk_central_http_requests_total{method="POST",route="/v1/verifications/{id}/check",status="200"})"),
        1);
    const std::string route = R"(route="/v1/password-resets")";
    EXPECT_EQ(e.samples.at("kiosk_central_http_request_duration_seconds_count{" + route + "}"), 1);
    EXPECT_EQ(e.samples.at("kiosk_central_http_request_duration_seconds_bucket{" + route +
                           R"(,le="+Inf"})"),
              1);
    // A reset hashes with Argon2id: it takes longer than a millisecond.
    EXPECT_EQ(e.samples.at("kiosk_central_http_request_duration_seconds_bucket{" + route +
                           R"(,le="0.001"})"),
              0);
    // The strict reader itself refuses what the format does not allow.
    EXPECT_FALSE(parse_exposition("x_total 1\n").error.empty());                    // no TYPE
    EXPECT_FALSE(parse_exposition("# TYPE x counter\nx{a=\"1} 1\n").error.empty()); // quote
    EXPECT_FALSE(parse_exposition("# TYPE x counter\nx 1 2 3\n").error.empty());
}

TEST_F(Records, ContactUpdateSpendsTheTokenAndNoticesTheOldAddress) {
    Api a = api();
    const std::string token = a.verify("mkowalska");
    auto bad = a.post("/v1/contact-details",
                      json{{"verification_token", token}, {"email", "not an address"}}.dump());
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(error_code(bad), "contact_invalid");
    auto taken =
        a.post("/v1/contact-details",
               json{{"verification_token", token}, {"email", "JANE.DOE@example.com"}}.dump());
    EXPECT_EQ(taken->status, 409);
    EXPECT_EQ(error_code(taken), "contact_unavailable");
    EXPECT_EQ(error_code(a.post(
                  "/v1/contact-details",
                  json{{"verification_token", token}, {"email", "x@y.z"}, {"cc", 1}}.dump())),
              "unknown_field");
    auto changed =
        a.post("/v1/contact-details",
               json{{"verification_token", token}, {"email", "maria.k@example.org"}}.dump(), {},
               "contact-key-1");
    ASSERT_EQ(changed->status, 200) << changed->body;
    const std::string reference = json::parse(changed->body)["reference"];
    // The token is spent; the notice went to the old address (the outbox's "to").
    auto again = a.post("/v1/contact-details",
                        json{{"verification_token", token}, {"email", "m2@example.org"}}.dump());
    EXPECT_EQ(again->status, 401);
    std::ifstream outbox(central_->data_dir() / "outbox" / "email.jsonl");
    std::string line;
    std::string notice_to;
    while (std::getline(outbox, line)) {
        const json entry = json::parse(line, nullptr, false);
        if (entry.is_object() && entry.value("notice", "") == "contact_changed" &&
            entry.value("reference", "") == reference) {
            notice_to = entry.value("to", "");
        }
    }
    EXPECT_EQ(notice_to, "maria.kowalska@example.com");
    // A new verification goes to the new address now.
    auto start = a.post("/v1/verifications", R"({"identifier":"maria.k@example.org"})");
    EXPECT_EQ(start->status, 202);
    EXPECT_TRUE(central_->latest_code_for("mkowalska").has_value());
    bool audited = false;
    for (const auto& e : audit("action=contact_changed")) {
        audited = audited || (e["subject"] == "mkowalska" &&
                              e["detail"].get<std::string>().find(reference) != std::string::npos);
    }
    EXPECT_TRUE(audited);
}

// The notices the demo file channel wrote to `file` (email.jsonl or sms.jsonl) for
// `reference`: each as "<notice> to <address>".
std::vector<std::string> notices_for(const CentralProcess& central, const std::string& file,
                                     const std::string& reference) {
    std::ifstream outbox(central.data_dir() / "outbox" / file);
    std::vector<std::string> found;
    std::string line;
    while (std::getline(outbox, line)) {
        const json entry = json::parse(line, nullptr, false);
        if (entry.is_object() && entry.value("reference", "") == reference) {
            found.push_back(entry.value("notice", "") + " to " + entry.value("to", ""));
        }
    }
    return found;
}

TEST_F(Records, ContactUpdateChangesThePhoneAndTellsTheOldNumber) {
    Api a = api();
    const std::string token = a.verify("jdoe"); // demo phone +447700900101
    const auto post = [&](const json& body) { return a.post("/v1/contact-details", body.dump()); };
    // Neither field, a number with spaces, no "+", too short, too long: 400, nothing spent.
    for (const json& body :
         {json{{"verification_token", token}}, json{{"verification_token", token}, {"phone", ""}},
          json{{"verification_token", token}, {"phone", "+44 7700 900199"}},
          json{{"verification_token", token}, {"phone", "447700900199"}},
          json{{"verification_token", token}, {"phone", "+1234567"}},
          json{{"verification_token", token}, {"phone", "+1234567890123456"}},
          json{{"verification_token", token}, {"phone", "+4477009001x9"}}}) {
        auto refused = post(body);
        EXPECT_EQ(refused->status, 400) << body.dump();
        EXPECT_EQ(error_code(refused), "contact_invalid") << body.dump();
    }
    // A valid e-mail with an invalid phone changes neither.
    EXPECT_EQ(
        error_code(post(
            {{"verification_token", token}, {"email", "jane.new@example.org"}, {"phone", "+12"}})),
        "contact_invalid");
    EXPECT_EQ(error_code(post({{"verification_token", token}, {"phone", 447700900199}})),
              "bad_request");
    // tnowak's number belongs to tnowak.
    auto taken = post({{"verification_token", token}, {"phone", "+447700900104"}});
    EXPECT_EQ(taken->status, 409);
    EXPECT_EQ(error_code(taken), "contact_unavailable");

    auto changed = post({{"verification_token", token}, {"phone", "+447700900199"}});
    ASSERT_EQ(changed->status, 200) << changed->body;
    const std::string reference = json::parse(changed->body)["reference"];
    // The notice went by SMS to the OLD number, and no e-mail notice (the address is unchanged).
    EXPECT_EQ(notices_for(*central_, "sms.jsonl", reference),
              std::vector<std::string>{"phone_changed to +447700900101"});
    EXPECT_TRUE(notices_for(*central_, "email.jsonl", reference).empty());
    // SMS codes now go to the new number; the e-mail address still works.
    auto sms = a.post("/v1/verifications", R"({"identifier":"jdoe","method":"sms"})");
    ASSERT_EQ(sms->status, 202);
    std::ifstream outbox(central_->data_dir() / "outbox" / "sms.jsonl");
    std::string line;
    std::string last_code_to;
    while (std::getline(outbox, line)) {
        const json entry = json::parse(line, nullptr, false);
        if (entry.is_object() && entry.contains("code") && entry.value("account", "") == "jdoe") {
            last_code_to = entry.value("to", "");
        }
    }
    EXPECT_EQ(last_code_to, "+447700900199");
    EXPECT_EQ(post({{"verification_token", token}, {"phone", "+447700900198"}})->status, 401);

    // Both at once, for an account that had no phone: one notice, to the old address.
    const std::string maria = a.verify("mkowalska");
    auto both = post({{"verification_token", maria},
                      {"email", "maria.k@example.net"},
                      {"phone", "+48600100200"}});
    ASSERT_EQ(both->status, 200) << both->body;
    const std::string both_reference = json::parse(both->body)["reference"];
    EXPECT_EQ(notices_for(*central_, "email.jsonl", both_reference),
              std::vector<std::string>{"contact_changed to maria.kowalska@example.com"});
    EXPECT_TRUE(notices_for(*central_, "sms.jsonl", both_reference).empty());
    // A phone alone for an account that had none: the notice goes to its e-mail address.
    const std::string adam = a.verify("asmith");
    auto phone_only = post({{"verification_token", adam}, {"phone", "+447700900300"}});
    ASSERT_EQ(phone_only->status, 200) << phone_only->body;
    EXPECT_EQ(notices_for(*central_, "email.jsonl",
                          json::parse(phone_only->body)["reference"].get<std::string>()),
              std::vector<std::string>{"phone_changed to adam.smith@example.com"});
    bool audited = false;
    for (const auto& e : audit("action=contact_changed")) {
        audited = audited || (e["subject"] == "jdoe" && e["detail"].get<std::string>().find(
                                                            "phone number changed, reference " +
                                                            reference) != std::string::npos);
    }
    EXPECT_TRUE(audited);
}

TEST(Activation, CodeThenFirstPasswordThenTotpEnrolmentConfirmedWithAFirstCode) {
    CentralProcess central;
    Api api{central};
    const std::string password = "Amber-Meadow-Violin-Sunrise";
    // Wrong code, unknown name: the same 401.
    for (const auto& [who, code] : {std::pair{"kzielinski", "ACTV-DEMO-2027"},
                                    std::pair{"nobody-at-all", "ACTV-DEMO-2026"}}) {
        auto refused = api.post(
            "/v1/activations",
            json{{"identifier", who}, {"activation_code", code}, {"new_password", password}}
                .dump());
        EXPECT_EQ(refused->status, 401) << who;
        EXPECT_EQ(error_code(refused), "activation_code_invalid");
    }
    // The policy applies to the first password (and the code stays usable).
    auto weak = api.post("/v1/activations", json{{"identifier", "kzielinski"},
                                                 {"activation_code", "actv-demo-2026"},
                                                 {"new_password", "short"}}
                                                .dump());
    EXPECT_EQ(weak->status, 422);
    EXPECT_EQ(error_code(weak), "password_too_short");
    // Not active yet: signing in fails.
    EXPECT_EQ(
        api.post("/v1/sign-ins", json{{"username", "kzielinski"}, {"password", password}}.dump())
            ->status,
        401);

    auto started = api.post("/v1/activations", json{{"identifier", "kzielinski"},
                                                    {"activation_code", "ACTV-DEMO-2026"},
                                                    {"new_password", password}}
                                                   .dump());
    ASSERT_EQ(started->status, 201) << started->body;
    const json enrolment = json::parse(started->body);
    const std::string secret = enrolment["secret"];
    EXPECT_TRUE(std::regex_match(secret, std::regex("[A-Z2-7]{32}"))) << secret;
    EXPECT_EQ(enrolment["otpauth_uri"], "otpauth://totp/Kiosk:kzielinski?secret=" + secret +
                                            "&issuer=Kiosk&algorithm=SHA1&digits=6&period=30");
    const std::string confirm =
        "/v1/activations/" + enrolment["activation_id"].get<std::string>() + "/confirm";
    auto wrong = api.post(confirm, R"({"code":"000000"})");
    if (wrong->status != 200) { // 000000 is the right code one time in a million
        EXPECT_EQ(wrong->status, 401);
        EXPECT_EQ(error_code(wrong), "wrong_code");
    }
    // The app's code, from an independent implementation (oathtool).
    int status = -1;
    std::string code = run("oathtool --totp -b " + secret, status);
    ASSERT_EQ(status, 0);
    code.erase(code.find_last_not_of("\n") + 1);
    auto confirmed = api.post(confirm, json{{"code", code}}.dump());
    ASSERT_EQ(confirmed->status, 200) << confirmed->body;
    EXPECT_EQ(json::parse(confirmed->body)["reference"].get<std::string>().rfind("ACT-", 0), 0U);
    EXPECT_TRUE(central.password_matches("kzielinski", password));
    EXPECT_EQ(
        api.post("/v1/sign-ins", json{{"username", "kzielinski"}, {"password", password}}.dump())
            ->status,
        200);
    // Done once: the enrolment and the code are spent.
    EXPECT_EQ(api.post(confirm, json{{"code", code}}.dump())->status, 410);
    auto reused = api.post("/v1/activations", json{{"identifier", "kzielinski"},
                                                   {"activation_code", "ACTV-DEMO-2026"},
                                                   {"new_password", password}}
                                                  .dump());
    EXPECT_EQ(reused->status, 401);
    // The account now has the authenticator: a TOTP verification works for it.
    auto totp = api.post("/v1/verifications", R"({"identifier":"kzielinski","method":"totp"})");
    EXPECT_EQ(totp->status, 202);
    EXPECT_EQ(error_code(api.post("/v1/activations", R"({"identifier":"kzielinski"})")),
              "bad_request");
    EXPECT_EQ(error_code(api.post(confirm, R"({"code":"1","x":2})")), "unknown_field");
}
