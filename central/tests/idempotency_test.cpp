// Idempotency-Key and POST /v1/sync/batch against a real kiosk-central over TLS: every case
// of docs/notes' sync contract (replay, reuse with another body, concurrent duplicate,
// no key), and the store's retention purge on a real SQLite file.
#include "central_process.hpp"
#include "kiosk/central/store.hpp"
#include "kiosk/common/base64.hpp"
#include "kiosk/common/sealed_box.hpp"

#include <atomic>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>
#include <unistd.h>

using nlohmann::json;

namespace {

class Idempotency : public ::testing::Test {
protected:
    static void SetUpTestSuite() { central_ = new kiosk::testing::CentralProcess(); }
    static void TearDownTestSuite() {
        delete central_;
        central_ = nullptr;
    }

    static std::unique_ptr<httplib::SSLClient> client() {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port());
        c->set_ca_cert_path(central_->ca_file().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    static httplib::Result post(const std::string& path, const std::string& body,
                                const std::string& key = {}) {
        httplib::Headers headers;
        if (!key.empty()) {
            headers.emplace("Idempotency-Key", key);
        }
        return client()->Post(path.c_str(), headers, body, "application/json");
    }
    static json body_of(const httplib::Result& res) { return json::parse(res->body); }

    // A verified token for `username`, through the real e-mail outbox.
    static std::string verify(const std::string& username) {
        auto started = post("/v1/verifications", json{{"identifier", username}}.dump());
        const std::string id = body_of(started)["challenge_id"];
        const auto code = central_->latest_code_for(username);
        auto checked = post("/v1/verifications/" + id + "/check", json{{"code", *code}}.dump());
        return body_of(checked)["verification_token"];
    }

    // How many codes the demo outbox holds for `username`.
    static int mails_for(const std::string& username) {
        std::ifstream in(central_->data_dir() / "outbox" / "email.jsonl");
        int count = 0;
        std::string line;
        while (std::getline(in, line)) {
            count += json::parse(line).value("account", "") == username ? 1 : 0;
        }
        return count;
    }

    // A key no other test (or earlier run) uses.
    static std::string fresh_key(const std::string& what) {
        return what + "-" + std::to_string(++counter_);
    }

    static kiosk::testing::CentralProcess* central_;
    static std::atomic<int> counter_;
};
kiosk::testing::CentralProcess* Idempotency::central_ = nullptr;
std::atomic<int> Idempotency::counter_{0};

} // namespace

TEST_F(Idempotency, WithoutAKeyEveryRequestIsProcessed) {
    const auto before = mails_for("jdoe");
    auto first = post("/v1/verifications", json{{"identifier", "jdoe"}}.dump());
    auto second = post("/v1/verifications", json{{"identifier", "jdoe"}}.dump());
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->status, 202);
    EXPECT_EQ(second->status, 202);
    EXPECT_NE(body_of(first)["challenge_id"], body_of(second)["challenge_id"]);
    EXPECT_FALSE(second->has_header("Idempotent-Replayed"));
    EXPECT_EQ(mails_for("jdoe"), before + 2);
}

TEST_F(Idempotency, TheSameKeyAndBodyReplayTheFirstAnswerByteForByte) {
    const auto key = fresh_key("start");
    const auto before = mails_for("jdoe");
    auto first = post("/v1/verifications", json{{"identifier", "jdoe"}}.dump(), key);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->status, 202) << first->body;
    EXPECT_FALSE(first->has_header("Idempotent-Replayed"));
    // The same JSON, formatted differently, is the same request.
    auto again = post("/v1/verifications", "{ \"identifier\" : \"jdoe\" }", key);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 202);
    EXPECT_EQ(again->body, first->body);
    EXPECT_EQ(again->get_header_value("Idempotent-Replayed"), "true");
    EXPECT_EQ(mails_for("jdoe"), before + 1) << "a replay sends no second code";
}

TEST_F(Idempotency, AReplayedResetIsAppliedOnceAndAnswersLikeTheFirst) {
    const std::string token = verify("mkowalska");
    const auto key = fresh_key("reset");
    const std::string body =
        json{{"verification_token", token}, {"new_password", "Idempotent-Blue-Harbour-Lights"}}
            .dump();
    auto first = post("/v1/password-resets", body, key);
    ASSERT_EQ(first->status, 200) << first->body;
    auto replay = post("/v1/password-resets", body, key);
    EXPECT_EQ(replay->status, 200) << "not token_invalid: the answer is replayed, not re-run";
    EXPECT_EQ(replay->body, first->body);
    EXPECT_TRUE(central_->password_matches("mkowalska", "Idempotent-Blue-Harbour-Lights"));

    auto without_key = post("/v1/password-resets", body);
    EXPECT_EQ(without_key->status, 401) << "without the key it is a new request";
    EXPECT_EQ(body_of(without_key)["error"]["code"], "token_invalid");
}

TEST_F(Idempotency, ErrorAnswersAreStoredAndReplayedToo) {
    const auto key = fresh_key("wrong");
    const std::string body = json{{"verification_token", "no-such-token"},
                                  {"new_password", "Some-Long-Enough-Passphrase"}}
                                 .dump();
    auto first = post("/v1/password-resets", body, key);
    ASSERT_EQ(first->status, 401);
    auto replay = post("/v1/password-resets", body, key);
    EXPECT_EQ(replay->status, 401);
    EXPECT_EQ(replay->body, first->body);
    EXPECT_EQ(replay->get_header_value("Idempotent-Replayed"), "true");
}

TEST_F(Idempotency, AKeyReusedWithAnotherBodyIsRefused) {
    const auto key = fresh_key("reuse");
    auto first = post("/v1/verifications", json{{"identifier", "jdoe"}}.dump(), key);
    ASSERT_EQ(first->status, 202);
    auto other = post("/v1/verifications", json{{"identifier", "asmith"}}.dump(), key);
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 422);
    EXPECT_EQ(body_of(other)["error"]["code"], "idempotency_key_reused");
    auto other_route = post("/v1/password-resets",
                            json{{"verification_token", "x"}, {"new_password", "y"}}.dump(), key);
    EXPECT_EQ(other_route->status, 422) << "the path is part of the request";
}

TEST_F(Idempotency, KeysSurviveARestartOfTheCentral) {
    const std::string token = verify("jdoe");
    const auto key = fresh_key("restart");
    const std::string body =
        json{{"verification_token", token}, {"new_password", "Survives-A-Restart-Of-Central"}}
            .dump();
    auto first = post("/v1/password-resets", body, key);
    ASSERT_EQ(first->status, 200) << first->body;
    central_->restart(); // a kiosk's queue may drain after the central came back
    auto replay = post("/v1/password-resets", body, key);
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->status, 200);
    EXPECT_EQ(replay->body, first->body);
    EXPECT_EQ(replay->get_header_value("Idempotent-Replayed"), "true");
    auto reused = post("/v1/password-resets", body + " ", key);
    EXPECT_EQ(reused->status, 200) << "whitespace outside the JSON is the same request";
    EXPECT_EQ(reused->get_header_value("Idempotent-Replayed"), "true");
}

TEST_F(Idempotency, MalformedKeysAreRefused) {
    for (const std::string& key : {std::string("has space"), std::string(129, 'k'),
                                   std::string("semi;colon"), std::string("ümlaut")}) {
        auto res = post("/v1/verifications", json{{"identifier", "jdoe"}}.dump(), key);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 400) << key;
        EXPECT_EQ(body_of(res)["error"]["code"], "idempotency_key_invalid") << key;
    }
    auto longest = post("/v1/verifications", json{{"identifier", "jdoe"}}.dump(),
                        std::string(127, 'k') + std::to_string(++counter_ % 10));
    EXPECT_EQ(longest->status, 202) << "128 characters are allowed";
}

// Two threads send the same reset with the same key at once: exactly one runs it, the
// other gets 409 while it runs (or, if it came late, the replay). Argon2id makes a reset
// take tens of milliseconds, so the window is wide; a few rounds make a 409 certain.
TEST_F(Idempotency, AConcurrentDuplicateGets409) {
    bool saw_conflict = false;
    for (int round = 0; round < 8 && !saw_conflict; ++round) {
        const std::string token = verify("jdoe");
        const std::string password = "Concurrent-Green-Lantern-" + std::to_string(round);
        const std::string body =
            json{{"verification_token", token}, {"new_password", password}}.dump();
        const auto key = fresh_key("race");
        std::atomic<int> ready{0};
        std::optional<httplib::Result> results[2];
        std::thread threads[2];
        for (int i = 0; i < 2; ++i) {
            threads[i] = std::thread([&, i] {
                auto c = client();
                c->Get("/v1/health"); // TLS handshake done before the race starts
                ++ready;
                while (ready.load() < 2) {
                }
                httplib::Headers headers{{"Idempotency-Key", key}};
                results[i].emplace(
                    c->Post("/v1/password-resets", headers, body, "application/json"));
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        ASSERT_TRUE(results[0] && *results[0] && results[1] && *results[1]);
        const int a = (*results[0])->status;
        const int b = (*results[1])->status;
        ASSERT_TRUE((a == 200 && (b == 409 || b == 200)) || (b == 200 && (a == 409 || a == 200)))
            << a << " " << b;
        if (a == 409 || b == 409) {
            saw_conflict = true;
            const auto& conflict = a == 409 ? *results[0] : *results[1];
            EXPECT_EQ(json::parse(conflict->body)["error"]["code"], "idempotency_in_progress");
        } else {
            EXPECT_EQ((*results[0])->body, (*results[1])->body) << "the late one is a replay";
        }
        EXPECT_TRUE(central_->password_matches("jdoe", password));
        // After the first finished, the same key replays.
        auto after = post("/v1/password-resets", body, key);
        EXPECT_EQ(after->status, 200);
        EXPECT_EQ(after->get_header_value("Idempotent-Replayed"), "true");
    }
    EXPECT_TRUE(saw_conflict) << "no round produced a 409";
}

TEST_F(Idempotency, ABatchAppliesItemsInOrderWithTheirOwnResults) {
    const std::string token = verify("jdoe");
    const auto k1 = fresh_key("b1");
    const auto k3 = fresh_key("b3");
    const auto k4 = fresh_key("b4");
    const json batch = {
        {"items",
         json::array(
             {{{"idempotency_key", k1},
               {"route", "/v1/password-resets"},
               {"body", {{"verification_token", token}, {"new_password", "Batch-Amber-Meadow-1"}}}},
              {{"route", "/v1/password-resets"}, {"body", json::object()}}, // no key
              {{"idempotency_key", k3},
               {"route", "/v1/password-resets"},
               {"body", {{"verification_token", token}, {"new_password", "Batch-Amber-Meadow-2"}}}},
              {{"idempotency_key", k4}, {"route", "/v1/nowhere"}, {"body", json::object()}},
              "not an object"})}};
    auto res = post("/v1/sync/batch", batch.dump());
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const json results = body_of(res)["results"];
    ASSERT_EQ(results.size(), 5u);
    EXPECT_EQ(results[0]["idempotency_key"], k1);
    EXPECT_EQ(results[0]["status"], 200);
    EXPECT_EQ(results[0]["body"]["reference"].get<std::string>().rfind("RST-", 0), 0u);
    EXPECT_EQ(results[1]["status"], 400);
    EXPECT_EQ(results[1]["body"]["error"]["code"], "idempotency_key_invalid");
    EXPECT_TRUE(results[1]["idempotency_key"].is_null());
    EXPECT_EQ(results[2]["idempotency_key"], k3);
    EXPECT_EQ(results[2]["status"], 401) << "item 1 spent the token first: order holds";
    EXPECT_EQ(results[2]["body"]["error"]["code"], "token_invalid");
    EXPECT_EQ(results[3]["status"], 400);
    EXPECT_EQ(results[4]["status"], 400);
    EXPECT_TRUE(central_->password_matches("jdoe", "Batch-Amber-Meadow-1"));

    // The same batch again replays every keyed item: nothing is applied twice.
    auto again = post("/v1/sync/batch", batch.dump());
    ASSERT_EQ(again->status, 200);
    const json replayed = body_of(again)["results"];
    EXPECT_EQ(replayed[0], results[0]);
    EXPECT_EQ(replayed[2], results[2]);
}

// The batch runs in one transaction, each item in a savepoint: an item that fails (a
// reused key, a malformed body) must not take the good items before or after it along.
TEST_F(Idempotency, AFailingItemInsideABatchLeavesTheOthersAppliedWithTheirRecords) {
    const std::string jdoe = verify("jdoe");
    const std::string maria = verify("mkowalska");
    const auto used = fresh_key("used");
    ASSERT_EQ(post("/v1/verifications", json{{"identifier", "tnowak"}}.dump(), used)->status, 202);
    const auto k1 = fresh_key("good1");
    const auto k4 = fresh_key("good4");
    const json first = {{"verification_token", jdoe}, {"new_password", "Savepoint-Birch-Harbor-1"}};
    const json last = {{"verification_token", maria}, {"new_password", "Savepoint-Birch-Harbor-4"}};
    const json batch = {
        {"items",
         json::array(
             {{{"idempotency_key", k1}, {"route", "/v1/password-resets"}, {"body", first}},
              {{"idempotency_key", used},
               {"route", "/v1/verifications"},
               {"body", {{"identifier", "jdoe"}}}}, // the key was used for tnowak
              {{"idempotency_key", fresh_key("bad")},
               {"route", "/v1/password-resets"},
               {"body", {{"verification_token", 7}}}}, // wrong types
              {{"idempotency_key", k4}, {"route", "/v1/password-resets"}, {"body", last}}})}};
    auto res = post("/v1/sync/batch", batch.dump());
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const json results = body_of(res)["results"];
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(results[0]["status"], 200);
    EXPECT_EQ(results[1]["status"], 422);
    EXPECT_EQ(results[1]["body"]["error"]["code"], "idempotency_key_reused");
    EXPECT_EQ(results[2]["status"], 400);
    EXPECT_EQ(results[2]["body"]["error"]["code"], "bad_request");
    EXPECT_EQ(results[3]["status"], 200);
    EXPECT_TRUE(central_->password_matches("jdoe", "Savepoint-Birch-Harbor-1"));
    EXPECT_TRUE(central_->password_matches("mkowalska", "Savepoint-Birch-Harbor-4"));

    // Each good item committed with its own record: sent alone it replays byte for byte.
    for (const auto& [key, body, result] :
         {std::tuple{k1, first, results[0]}, std::tuple{k4, last, results[3]}}) {
        auto replay = post("/v1/password-resets", body.dump(), key);
        ASSERT_TRUE(replay);
        EXPECT_EQ(replay->status, 200);
        EXPECT_EQ(replay->get_header_value("Idempotent-Replayed"), "true");
        EXPECT_EQ(json::parse(replay->body), result["body"]);
    }
    // The refused item changed nothing: its key still belongs to the tnowak request.
    auto original = post("/v1/verifications", json{{"identifier", "tnowak"}}.dump(), used);
    EXPECT_EQ(original->get_header_value("Idempotent-Replayed"), "true");
}

TEST_F(Idempotency, ABatchItemAndASingleRequestShareTheirKey) {
    const std::string token = verify("jdoe");
    const auto key = fresh_key("shared");
    const json body = {{"verification_token", token}, {"new_password", "Shared-Key-Copper-Kettle"}};
    // Sent online first (it timed out on the kiosk's side), then queued in a batch.
    auto single = post("/v1/password-resets", body.dump(2), key);
    ASSERT_EQ(single->status, 200) << single->body;
    const json batch = {{"items", json::array({{{"idempotency_key", key},
                                                {"route", "/v1/password-resets"},
                                                {"body", body}}})}};
    auto res = post("/v1/sync/batch", batch.dump());
    ASSERT_EQ(res->status, 200);
    const json result = body_of(res)["results"][0];
    EXPECT_EQ(result["status"], 200);
    EXPECT_EQ(result["body"].dump(), single->body);

    const json reused = {
        {"items",
         json::array(
             {{{"idempotency_key", key},
               {"route", "/v1/password-resets"},
               {"body", {{"verification_token", token}, {"new_password", "Different"}}}}})}};
    auto refused = post("/v1/sync/batch", reused.dump());
    EXPECT_EQ(body_of(refused)["results"][0]["status"], 422);
    EXPECT_EQ(body_of(refused)["results"][0]["body"]["error"]["code"], "idempotency_key_reused");
}

// The kiosk seals a queued request to the central's public key (fresh key per box): the
// central opens it, and the opened body counts as the same request as the online one.
TEST_F(Idempotency, SealedItemsOpenAndMatchTheirOnlineTwin) {
    std::ifstream in(central_->data_dir() / "sealing" / "public.pem");
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto served = client()->Get("/v1/sealing-key");
    ASSERT_EQ(served->status, 200);
    EXPECT_EQ(body_of(served)["public_key_pem"], pem);
    std::string error;
    const auto recipient = kiosk::sealed_box::parse_public_pem(pem, error);
    ASSERT_TRUE(recipient) << error;

    const std::string token = verify("jdoe");
    const json body = {{"verification_token", token}, {"new_password", "Sealed-Saffron-Window-9"}};
    const auto key = fresh_key("sealed");
    const auto sealed_item = [&](const std::string& plaintext) {
        return json{
            {"idempotency_key", key},
            {"route", "/v1/password-resets"},
            {"sealed", kiosk::base64_encode(kiosk::sealed_box::seal(*recipient, plaintext))}};
    };
    auto res =
        post("/v1/sync/batch", json{{"items", json::array({sealed_item(body.dump())})}}.dump());
    ASSERT_EQ(res->status, 200);
    const json first = body_of(res)["results"][0];
    EXPECT_EQ(first["status"], 200) << first.dump();
    EXPECT_TRUE(central_->password_matches("jdoe", "Sealed-Saffron-Window-9"));

    // Sealed again (another box of the same body), and sent online: both replay.
    auto resealed =
        post("/v1/sync/batch", json{{"items", json::array({sealed_item(body.dump(2))})}}.dump());
    EXPECT_EQ(body_of(resealed)["results"][0], first);
    auto online = post("/v1/password-resets", body.dump(), key);
    EXPECT_EQ(online->status, 200);
    EXPECT_EQ(online->body, first["body"].dump());
    EXPECT_EQ(online->get_header_value("Idempotent-Replayed"), "true");

    // A box altered in one byte, not base64, or not holding an object: that item's own 400.
    std::string box = kiosk::sealed_box::seal(*recipient, body.dump());
    box[box.size() / 2] = static_cast<char>(box[box.size() / 2] ^ 1);
    const json bad = {
        {"items",
         json::array(
             {{{"idempotency_key", fresh_key("tampered")},
               {"route", "/v1/password-resets"},
               {"sealed", kiosk::base64_encode(box)}},
              {{"idempotency_key", fresh_key("notb64")},
               {"route", "/v1/password-resets"},
               {"sealed", "not base64!"}},
              {{"idempotency_key", fresh_key("array")},
               {"route", "/v1/password-resets"},
               {"sealed", kiosk::base64_encode(kiosk::sealed_box::seal(*recipient, "[1]"))}}})}};
    auto refused = post("/v1/sync/batch", bad.dump());
    ASSERT_EQ(refused->status, 200);
    const json results = body_of(refused)["results"];
    EXPECT_EQ(results[0]["status"], 400);
    EXPECT_EQ(results[0]["body"]["error"]["code"], "sealed_invalid");
    EXPECT_EQ(results[1]["body"]["error"]["code"], "sealed_invalid");
    EXPECT_EQ(results[2]["status"], 400);
    EXPECT_EQ(results[2]["body"]["error"]["code"], "bad_request");
}

TEST_F(Idempotency, AMalformedBatchEnvelopeIs400AndBigBatchesAreAllowed) {
    for (const std::string& body :
         {std::string("{not json"), std::string("[]"), std::string(R"({"items": {}})"),
          std::string(R"({"things": []})")}) {
        auto res = post("/v1/sync/batch", body);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 400) << body;
        EXPECT_EQ(body_of(res)["error"]["code"], "bad_request");
    }
    json items = json::array();
    for (int i = 0; i < 101; ++i) {
        items.push_back({{"idempotency_key", fresh_key("many")},
                         {"route", "/v1/verifications"},
                         {"body", {{"identifier", "nobody"}}}});
    }
    auto too_many = post("/v1/sync/batch", json{{"items", items}}.dump());
    EXPECT_EQ(too_many->status, 400);

    // 100 items of 700-byte identifiers: over the 64 KiB single-route limit, fine for a batch;
    // each item gets its own 400 (identifier too long).
    items = json::array();
    for (int i = 0; i < 100; ++i) {
        items.push_back({{"idempotency_key", fresh_key("big")},
                         {"route", "/v1/verifications"},
                         {"body", {{"identifier", std::string(700, 'x')}}}});
    }
    const std::string big = json{{"items", items}}.dump();
    ASSERT_GT(big.size(), 64u * 1024u);
    auto res = post("/v1/sync/batch", big);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    const json results = body_of(res)["results"];
    ASSERT_EQ(results.size(), 100u);
    for (const auto& r : results) {
        EXPECT_EQ(r["status"], 400);
    }
}

// The store on its own: claims, stale claims taken over, and the retention purge.
TEST(IdempotencyStore, ClaimsFinishReplayAndArePurgedAfterRetention) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("kiosk-central-idem-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string error;
    const kiosk::testing::TestDatabase database(dir);
    auto store = kiosk::central::Store::open(database.url(), dir, error);
    ASSERT_TRUE(store) << error;
    using Kind = kiosk::central::IdempotencyStart::Kind;
    const std::int64_t day = 24 * 3600;
    const std::int64_t now = 100 * day;

    EXPECT_EQ(store->begin_idempotent("old", "h1", now - 31 * day, 0).kind, Kind::kStarted);
    store->finish_idempotent("old", 200, R"({"a":1})");
    EXPECT_EQ(store->begin_idempotent("new", "h2", now - 29 * day, 0).kind, Kind::kStarted);
    store->finish_idempotent("new", 202, R"({"b":2})");
    const auto replay = store->begin_idempotent("new", "h2", now, 0);
    EXPECT_EQ(replay.kind, Kind::kReplay);
    EXPECT_EQ(replay.status, 202);
    EXPECT_EQ(replay.body, R"({"b":2})");
    EXPECT_EQ(store->begin_idempotent("new", "other", now, 0).kind, Kind::kMismatch);

    // A claim that never finished blocks while fresh, and is taken over once stale.
    EXPECT_EQ(store->begin_idempotent("pending", "h3", now, now - 120).kind, Kind::kStarted);
    EXPECT_EQ(store->begin_idempotent("pending", "h3", now + 10, now + 10 - 120).kind,
              Kind::kInProgress);
    EXPECT_EQ(store->begin_idempotent("pending", "h3", now + 200, now + 200 - 120).kind,
              Kind::kStarted);
    store->abandon_idempotent("pending");
    EXPECT_EQ(store->begin_idempotent("pending", "h3", now, now - 120).kind, Kind::kStarted);

    EXPECT_EQ(store->purge_idempotency(now - 30 * day), 1);
    EXPECT_EQ(store->begin_idempotent("old", "h1", now, 0).kind, Kind::kStarted)
        << "purged: the key is new again";
    EXPECT_EQ(store->begin_idempotent("new", "h2", now, 0).kind, Kind::kReplay) << "kept";
    store.reset();
    std::filesystem::remove_all(dir);
}

// Store::Batch: nothing is durable until its commit (a batch cut short, as by a crash,
// leaves no record and no effect), and a rolled-back item leaves the items around it.
TEST(IdempotencyStore, ABatchIsRecordedWholeAtCommitOrNotAtAll) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("kiosk-central-batch-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string error;
    const kiosk::testing::TestDatabase database(dir);
    auto store = kiosk::central::Store::open(database.url(), dir, error);
    ASSERT_TRUE(store) << error;
    using Kind = kiosk::central::IdempotencyStart::Kind;
    const auto record = [&store](kiosk::central::Store::Batch& batch, const std::string& key,
                                 bool keep) {
        batch.begin_item();
        ASSERT_EQ(store->begin_idempotent(key, "h", 1000, 0).kind, Kind::kStarted);
        kiosk::central::Challenge challenge;
        challenge.id = "challenge-" + key;
        challenge.code_hash = "x";
        challenge.expires_at = 2000;
        challenge.attempts_left = 3;
        challenge.state = "open";
        challenge.method = "email";
        store->create_challenge(challenge); // its own transaction: a savepoint here
        store->finish_idempotent(key, 202, "{}");
        batch.end_item(keep);
    };
    {
        kiosk::central::Store::Batch batch(*store);
        record(batch, "cut-1", true);
        record(batch, "cut-2", true);
    } // no commit: as if the process died before it
    EXPECT_EQ(store->begin_idempotent("cut-1", "h", 1000, 0).kind, Kind::kStarted);
    EXPECT_FALSE(store->challenge("challenge-cut-1"));
    EXPECT_FALSE(store->challenge("challenge-cut-2"));
    {
        kiosk::central::Store::Batch batch(*store);
        record(batch, "a", true);
        record(batch, "b", false); // e.g. a 5xx: undone with its claim
        record(batch, "c", true);
        batch.commit();
    }
    store.reset();
    store = kiosk::central::Store::open(database.url(), dir, error); // what reached the disk
    ASSERT_TRUE(store) << error;
    EXPECT_EQ(store->begin_idempotent("a", "h", 1000, 0).kind, Kind::kReplay);
    EXPECT_EQ(store->begin_idempotent("c", "h", 1000, 0).kind, Kind::kReplay);
    EXPECT_TRUE(store->challenge("challenge-a"));
    EXPECT_TRUE(store->challenge("challenge-c"));
    EXPECT_EQ(store->begin_idempotent("b", "h", 1000, 0).kind, Kind::kStarted);
    EXPECT_FALSE(store->challenge("challenge-b"));
    store.reset();
    std::filesystem::remove_all(dir);
}
