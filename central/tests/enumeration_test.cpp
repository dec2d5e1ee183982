// Enumeration resistance against a real kiosk-central over TLS: a name with an account and
// one without get byte-identical answers (status and body) on every route that takes a
// name or a token, and take the same time (interleaved requests: verification, a wrong
// code, and reset, unlock and status with a spent token against one never issued; figures
// in docs/PERFORMANCE.md). KIOSK_TIMING_SAMPLES raises the sample count for the docs' run.
#include "central_process.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <set>

using nlohmann::json;

namespace {

class Enumeration : public ::testing::Test {
protected:
    void SetUp() override {
        // A high threshold so the timing run measures password checks, not lockouts.
        central_ = std::make_unique<kiosk::testing::CentralProcess>(
            std::vector<std::string>{"--lockout-threshold", "100"});
        client_ = std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port());
        client_->set_ca_cert_path(central_->ca_file().c_str());
        client_->enable_server_certificate_verification(true);
        client_->set_keep_alive(true);  // time the central's work, not TLS handshakes
        client_->set_tcp_nodelay(true); // nor Nagle's algorithm meeting delayed ACKs
    }
    httplib::Result post(const std::string& path, const json& body) {
        return client_->Post(path.c_str(), body.dump(), "application/json");
    }
    // The answer with the random challenge ID taken out (its length and alphabet stay).
    static std::string masked(const httplib::Result& res) {
        json body = json::parse(res->body);
        if (body.contains("challenge_id")) {
            body["challenge_id"] = std::string(body["challenge_id"].get<std::string>().size(), 'x');
        }
        return std::to_string(res->status) + " " + body.dump();
    }

    std::unique_ptr<kiosk::testing::CentralProcess> central_;
    std::unique_ptr<httplib::SSLClient> client_;
};

struct Figures {
    double median_ms = 0;
    double p10_ms = 0;
    double p90_ms = 0;
};

Figures figures_of(std::vector<double> samples) {
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples[static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1))];
    };
    return {at(0.5), at(0.1), at(0.9)};
}

// P(a sample of `a` exceeds a sample of `b`), ties counting half.
double probability_greater(const std::vector<double>& a, const std::vector<double>& b) {
    double wins = 0;
    for (const double x : a) {
        for (const double y : b) {
            wins += x > y ? 1.0 : (x == y ? 0.5 : 0.0);
        }
    }
    return wins / static_cast<double>(a.size() * b.size());
}

int samples_from_env(int fallback) {
    const char* text = std::getenv("KIOSK_TIMING_SAMPLES");
    const int n = text != nullptr ? std::atoi(text) : 0;
    return n > 0 ? n : fallback;
}

} // namespace

TEST_F(Enumeration, KnownAndUnknownNamesGetByteIdenticalAnswers) {
    for (const std::string method : {"email", "sms", "totp"}) {
        auto known = post("/v1/verifications", {{"identifier", "jdoe"}, {"method", method}});
        auto unknown =
            post("/v1/verifications", {{"identifier", "nobody.at.all"}, {"method", method}});
        ASSERT_TRUE(known && unknown);
        EXPECT_EQ(masked(unknown), masked(known)) << method;

        // A wrong code: the same answer whether or not the challenge has an account.
        const std::string known_id = json::parse(known->body)["challenge_id"];
        const std::string unknown_id = json::parse(unknown->body)["challenge_id"];
        auto known_wrong = post("/v1/verifications/" + known_id + "/check", {{"code", "000000"}});
        auto unknown_wrong =
            post("/v1/verifications/" + unknown_id + "/check", {{"code", "000000"}});
        EXPECT_EQ(unknown_wrong->status, 401);
        EXPECT_EQ(unknown_wrong->body, known_wrong->body) << method;

        // Asking for a new code too soon: the same refusal either way (the seconds to wait
        // left out: they depend on where in a second each challenge began).
        if (method != "totp") {
            auto known_resend = post("/v1/verifications/" + known_id + "/resend", json::object());
            auto unknown_resend =
                post("/v1/verifications/" + unknown_id + "/resend", json::object());
            EXPECT_EQ(unknown_resend->status, 429);
            EXPECT_EQ(known_resend->status, 429);
            auto known_doc = json::parse(known_resend->body);
            auto unknown_doc = json::parse(unknown_resend->body);
            known_doc["error"].erase("retry_after_seconds");
            unknown_doc["error"].erase("retry_after_seconds");
            EXPECT_EQ(unknown_doc, known_doc) << method;
            EXPECT_EQ(known_doc["error"]["code"], "resend_too_soon");
        }
    }
    auto known = post("/v1/sign-ins", {{"username", "jdoe"}, {"password", "not-it"}});
    auto unknown = post("/v1/sign-ins", {{"username", "nobody.at.all"}, {"password", "not-it"}});
    EXPECT_EQ(unknown->status, known->status);
    EXPECT_EQ(unknown->body, known->body);
    // A disabled-or-locked account (asmith is locked) answers like a wrong password too.
    auto locked = post("/v1/sign-ins", {{"username", "asmith"}, {"password", "not-it"}});
    EXPECT_EQ(locked->body, known->body);

    // Reset, unlock and status take a token, never a name: a token that names no account
    // (forged, or spent) gets the one answer there is.
    for (const std::string path : {"/v1/password-resets", "/v1/unlocks", "/v1/account-status"}) {
        const json forged = {{"verification_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                             {"new_password", "Long-Enough-Passphrase-123"}};
        auto res = post(path, forged);
        EXPECT_EQ(res->status, 401) << path;
        EXPECT_EQ(json::parse(res->body)["error"]["code"], "token_invalid") << path;
    }
}

const std::string kBullets = "\u2022\u2022\u2022"; // •••, as hints mask

// The shape of a verification-options answer: status, and each offered method's name and
// the keys it carries (the hints themselves differ from person to person, as they should).
std::string options_shape(const httplib::Result& res) {
    json body = json::parse(res->body);
    std::string shape = std::to_string(res->status);
    for (const auto& [key, value] : body.items()) {
        shape += " " + key;
    }
    for (const auto& option : body["methods"]) {
        shape += " [";
        for (const auto& [key, value] : option.items()) {
            shape += key + ":" + std::string(value.is_string() ? "string" : "other") + " ";
        }
        shape += "]";
    }
    return shape;
}

// "nobodyaa", "nobodyba", ...: names of letters, as usernames are.
std::string letters_name(int i) {
    return "nobody" + std::string(1, static_cast<char>('a' + i % 26)) +
           std::string(1, static_cast<char>('a' + i / 26));
}

TEST_F(Enumeration, VerificationOptionsOfUnknownNamesLookLikeRealOnes) {
    // tnowak has e-mail, SMS and an authenticator app; a made-up list for a name with no
    // account has the same form and is the same every time it is asked for.
    auto known = post("/v1/verification-options", {{"identifier", "tnowak"}});
    ASSERT_TRUE(known);
    ASSERT_EQ(known->status, 200) << known->body;
    EXPECT_EQ(
        json::parse(known->body),
        json::parse(R"({"methods":[{"method":"email","hint":"t\u2022\u2022\u2022@example.com"},
                                         {"method":"sms","hint":"\u2022\u2022\u202204"},
                                         {"method":"totp","hint":""}]})"));
    bool saw_sms = false;
    bool saw_totp = false;
    bool saw_email_only = false;
    for (int i = 0; i < 40; ++i) {
        const std::string name = letters_name(i);
        auto unknown = post("/v1/verification-options", {{"identifier", name}});
        auto again = post("/v1/verification-options", {{"identifier", name}});
        ASSERT_TRUE(unknown && again);
        EXPECT_EQ(again->body, unknown->body) << "deterministic for " << name;
        const auto methods = json::parse(unknown->body)["methods"];
        ASSERT_FALSE(methods.empty());
        EXPECT_EQ(methods[0]["method"], "email");
        EXPECT_EQ(methods[0]["hint"], std::string("n") + kBullets + "@example.com")
            << "a name's first letter, on the organisation's domain";
        for (const auto& option : methods) {
            saw_sms = saw_sms || option["method"] == "sms";
            saw_totp = saw_totp || option["method"] == "totp";
            if (option["method"] == "sms") {
                const std::string hint = option["hint"];
                EXPECT_EQ(hint.size(), 3u * 3u + 2u) << hint; // three bullets, two digits
            }
        }
        saw_email_only = saw_email_only || methods.size() == 1;
        // Same shape as a real account with the same methods.
        const std::string shape = options_shape(unknown);
        EXPECT_EQ(shape.rfind("200 methods [hint:string method:string ]", 0), 0u) << shape;
        if (methods.size() == 3) {
            EXPECT_EQ(shape, options_shape(known)) << "byte for byte but the hints";
        }
    }
    EXPECT_TRUE(saw_sms && saw_totp && saw_email_only)
        << "made-up lists vary like real ones: some with SMS, some with an app, some e-mail only";

    // An e-mail address typed shows its own masked form, known or not.
    auto by_address =
        post("/v1/verification-options", {{"identifier", "Someone.Else@Example.org"}});
    EXPECT_EQ(json::parse(by_address->body)["methods"][0]["hint"],
              std::string("s") + kBullets + "@example.org");
    // An employee ID with no account gets a letter drawn from the MAC, not always "e".
    std::set<std::string> letters;
    for (int i = 0; i < 20; ++i) {
        auto res =
            post("/v1/verification-options", {{"identifier", "E9" + std::to_string(100 + i)}});
        letters.insert(
            json::parse(res->body)["methods"][0]["hint"].get<std::string>().substr(0, 1));
    }
    EXPECT_GT(letters.size(), 5u);

    // A reset never bypasses MFA: with an app, only the app is offered, for a real account
    // and for a made-up one alike.
    auto reset = post("/v1/verification-options", {{"identifier", "tnowak"}, {"purpose", "reset"}});
    EXPECT_EQ(json::parse(reset->body),
              json::parse(R"({"methods":[{"method":"totp","hint":""}]})"));
    for (int i = 0; i < 40; ++i) {
        const std::string name = letters_name(i);
        const auto all =
            json::parse(post("/v1/verification-options", {{"identifier", name}})->body);
        const auto for_reset = json::parse(
            post("/v1/verification-options", {{"identifier", name}, {"purpose", "reset"}})->body);
        const bool has_app = all["methods"].back()["method"] == "totp";
        EXPECT_EQ(for_reset["methods"].size(), has_app ? 1u : all["methods"].size()) << name;
    }
    auto bad =
        post("/v1/verification-options", {{"identifier", "jdoe"}, {"purpose", "everything"}});
    EXPECT_EQ(bad->status, 400);
}

// Interleaved known/unknown requests so that any load on the machine hits both alike.
TEST_F(Enumeration, KnownAndUnknownNamesTakeTheSameTime) {
    using Request = std::pair<std::string, json>; // path, body
    // A token of jdoe's that once worked (spent by an unlock): the database knows it, and
    // every token route must answer it like one it never issued.
    const std::string spent_token = [this] {
        auto started = post("/v1/verifications", {{"identifier", "jdoe"}});
        const std::string id = json::parse(started->body)["challenge_id"];
        auto checked = post("/v1/verifications/" + id + "/check",
                            {{"code", central_->latest_code_for("jdoe").value_or("")}});
        const std::string token = json::parse(checked->body).value("verification_token", "");
        EXPECT_EQ(post("/v1/unlocks", {{"verification_token", token}})->status, 200);
        return token;
    }();
    const std::string never_issued(spent_token.size(), 'A');
    const auto fixed = [](std::string path, json body) {
        return [request = Request{std::move(path), std::move(body)}] { return request; };
    };
    // A wrong code needs a fresh challenge each time (three wrong codes void one): made
    // untimed, then only the check is timed.
    const auto wrong_code_for = [this](const std::string& who) {
        return [this, who] {
            auto started = post("/v1/verifications", {{"identifier", who}});
            const std::string id = json::parse(started->body)["challenge_id"];
            return Request{"/v1/verifications/" + id + "/check", {{"code", "000000"}}};
        };
    };
    const auto token_body = [](const std::string& token) {
        return json{{"verification_token", token}};
    };
    json reset_known = token_body(spent_token);
    json reset_unknown = token_body(never_issued);
    reset_known["new_password"] = reset_unknown["new_password"] = "Long-Enough-Passphrase-123";
    struct Case {
        const char* name;
        std::function<Request()> known;
        std::function<Request()> unknown;
        int samples;
        bool same_bytes = true;
    };
    const Case cases[] = {
        {"verification (e-mail)", fixed("/v1/verifications", {{"identifier", "jdoe"}}),
         fixed("/v1/verifications", {{"identifier", "nobody.at.all"}}), samples_from_env(60),
         false},
        {"verification options",
         fixed("/v1/verification-options", {{"identifier", "tnowak"}}),
         fixed("/v1/verification-options", {{"identifier", "nobody.at.all"}}),
         samples_from_env(60), false},
        {"code check (wrong code)", wrong_code_for("jdoe"), wrong_code_for("nobody.at.all"),
         samples_from_env(40)},
        {"reset (spent/never token)", fixed("/v1/password-resets", reset_known),
         fixed("/v1/password-resets", reset_unknown), samples_from_env(40)},
        {"unlock (spent/never token)", fixed("/v1/unlocks", token_body(spent_token)),
         fixed("/v1/unlocks", token_body(never_issued)), samples_from_env(40)},
        {"status (spent/never token)", fixed("/v1/account-status", token_body(spent_token)),
         fixed("/v1/account-status", token_body(never_issued)), samples_from_env(40)},
        {"sign-in (wrong password)",
         fixed("/v1/sign-ins", {{"username", "mkowalska"}, {"password", "not-it"}}),
         fixed("/v1/sign-ins", {{"username", "nobody.at.all"}, {"password", "not-it"}}),
         std::min(samples_from_env(16), 99)},
    };
    const auto time_of = [this](const Request& request, std::string& answer) {
        const auto start = std::chrono::steady_clock::now();
        auto res = post(request.first, request.second);
        const auto end = std::chrono::steady_clock::now();
        EXPECT_TRUE(res);
        answer = res ? std::to_string(res->status) + " " + res->body : "no answer";
        return std::chrono::duration<double, std::milli>(end - start).count();
    };
    for (const auto& c : cases) {
        std::string known_answer;
        std::string unknown_answer;
        time_of(c.known(), known_answer); // warm-up
        time_of(c.unknown(), unknown_answer);
        std::vector<double> known;
        std::vector<double> unknown;
        for (int i = 0; i < c.samples; ++i) {
            const Request k = c.known();
            const Request u = c.unknown();
            // Which goes first alternates: the first request after the untimed set-up
            // meets its commit's flush more often.
            if (i % 2 == 0) {
                known.push_back(time_of(k, known_answer));
                unknown.push_back(time_of(u, unknown_answer));
            } else {
                unknown.push_back(time_of(u, unknown_answer));
                known.push_back(time_of(k, known_answer));
            }
        }
        // The same bytes too (a verification's answer carries a random ID: the test
        // above compares those masked).
        if (c.same_bytes) {
            EXPECT_EQ(known_answer, unknown_answer) << c.name;
        }
        const auto k = figures_of(known);
        const auto u = figures_of(unknown);
        std::printf("%-26s n=%d known median %.3f ms (p10 %.3f, p90 %.3f) | unknown median %.3f "
                    "ms (p10 %.3f, p90 %.3f)\n",
                    c.name, c.samples, k.median_ms, k.p10_ms, k.p90_ms, u.median_ms, u.p10_ms,
                    u.p90_ms);
        // The distributions overlap, and a known-name request is as likely to be the slower
        // of a pair as an unknown one (Mann–Whitney: P(known > unknown) near 0.5; with equal
        // distributions its standard deviation here is about 0.05–0.1). Medians alone are
        // fragile: the database's fsync makes the verification times bimodal. Skipping the
        // work for unknown names (a sign-in without Argon2id answers in about 1 ms, not 70)
        // puts that probability near 1.
        EXPECT_LE(k.p10_ms, u.p90_ms) << c.name;
        EXPECT_LE(u.p10_ms, k.p90_ms) << c.name;
        const double p_slower = probability_greater(known, unknown);
        std::printf("%-26s P(known slower than unknown) = %.2f\n", c.name, p_slower);
        EXPECT_GT(p_slower, 0.2) << c.name;
        EXPECT_LT(p_slower, 0.8) << c.name;
    }
}
