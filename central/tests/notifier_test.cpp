// The central's notification channels against real servers on loopback: Debian's aiosmtpd
// as the SMTP relay (STARTTLS, implicit TLS, AUTH; one without STARTTLS; one that is down)
// and a cpp-httplib HTTPS server as the SMS gateway; plus the resend rules of codes.
#include "central_process.hpp"
#include "tls_test_server.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using kiosk::testing::CentralProcess;
using kiosk::testing::TempDir;
using kiosk::testing::TestPki;
using nlohmann::json;

namespace {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Polls `done` every 50 ms for at most `timeout`.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

// A loopback port nothing listens on (bound, then closed).
int closed_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    close(fd);
    return ntohs(address.sin_port);
}

// aiosmtpd (python3-aiosmtpd) run by tests/support/smtp_test_server.py.
class SmtpRelay {
public:
    struct Options {
        std::string tls = "starttls"; // starttls, implicit, none
        std::string user;             // set: AUTH required
        std::string password;
        int port = 0;
    };
    SmtpRelay(const TestPki& pki, const kiosk::testing::TestCertificate& cert, Options options)
        : dir_("kiosk-smtp-relay") {
        (void)pki;
        std::vector<std::string> args = {"/usr/bin/python3",
                                         KIOSK_SMTP_TEST_SERVER,
                                         "--port",
                                         std::to_string(options.port),
                                         "--port-file",
                                         (dir_.path() / "port").string(),
                                         "--messages",
                                         messages_file().string(),
                                         "--tls",
                                         options.tls,
                                         "--cert",
                                         cert.certificate.string(),
                                         "--key",
                                         cert.key.string()};
        if (!options.user.empty()) {
            std::ofstream(dir_.path() / "password") << options.password << "\n";
            args.insert(args.end(), {"--user", options.user, "--password-file",
                                     (dir_.path() / "password").string()});
        }
        pid_ = fork();
        if (pid_ == 0) {
            std::vector<char*> argv;
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        if (!eventually([&] { return std::filesystem::exists(dir_.path() / "port"); })) {
            throw std::runtime_error("the SMTP relay did not start");
        }
        port_ = std::stoi(slurp(dir_.path() / "port"));
    }
    ~SmtpRelay() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    SmtpRelay(const SmtpRelay&) = delete;
    SmtpRelay& operator=(const SmtpRelay&) = delete;

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::filesystem::path messages_file() const {
        return dir_.path() / "messages.jsonl";
    }
    [[nodiscard]] std::vector<json> messages() const {
        std::vector<json> all;
        std::ifstream in(messages_file());
        for (std::string line; std::getline(in, line);) {
            all.push_back(json::parse(line));
        }
        return all;
    }

private:
    TempDir dir_;
    pid_t pid_ = -1;
    int port_ = 0;
};

// The SMS gateway: HTTPS on loopback, recording each POST; the first `failures` answers
// are 500.
class SmsGateway {
public:
    struct Request {
        std::string body;
        std::string authorization;
    };
    SmsGateway(const kiosk::testing::TestCertificate& cert, int failures)
        : server_(cert.certificate.c_str(), cert.key.c_str()), failures_(failures) {
        server_.Post("/send", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex_);
            requests_.push_back({req.body, req.get_header_value("Authorization")});
            if (failures_ > 0) {
                --failures_;
                res.status = 500;
                res.set_content(R"({"error":"try later"})", "application/json");
                return;
            }
            res.status = 202;
            res.set_content(R"({"id":"sms-1"})", "application/json");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    ~SmsGateway() {
        server_.stop();
        thread_.join();
    }
    SmsGateway(const SmsGateway&) = delete;
    SmsGateway& operator=(const SmsGateway&) = delete;

    [[nodiscard]] std::string url() const {
        return "https://127.0.0.1:" + std::to_string(port_) + "/send";
    }
    std::vector<Request> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    httplib::SSLServer server_;
    std::mutex mutex_;
    std::vector<Request> requests_;
    int failures_;
    int port_ = 0;
    std::thread thread_;
};

class Notifications : public ::testing::Test {
protected:
    Notifications() : dir_("kiosk-notify"), pki_(dir_.path() / "pki") {
        relay_cert_ = pki_.issue("relay", {"127.0.0.1", "localhost"});
    }

    static std::unique_ptr<httplib::SSLClient> client(const CentralProcess& central) {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port());
        c->set_ca_cert_path(central.ca_file().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    static httplib::Result post(const CentralProcess& central, const std::string& path,
                                const json& body) {
        return client(central)->Post(path, body.dump(), "application/json");
    }
    static std::string start(const CentralProcess& central, const std::string& who,
                             const std::string& method = "email") {
        auto res = post(central, "/v1/verifications", {{"identifier", who}, {"method", method}});
        EXPECT_TRUE(res);
        EXPECT_EQ(res->status, 202) << res->body;
        return json::parse(res->body)["challenge_id"];
    }
    static int check(const CentralProcess& central, const std::string& id,
                     const std::string& code) {
        auto res = post(central, "/v1/verifications/" + id + "/check", {{"code", code}});
        return res ? res->status : 0;
    }
    static std::string log_of(const CentralProcess& central) {
        return slurp(central.data_dir() / "central.log");
    }
    // A series of the central's /metrics (read with the demo admin's token).
    static std::string metric(const CentralProcess& central, const std::string& series) {
        std::string token = slurp(central.data_dir() / "admin-token");
        token.erase(token.find_last_not_of("\r\n") + 1);
        auto c = client(central);
        c->set_bearer_token_auth(token);
        auto res = c->Get("/metrics");
        if (!res || res->status != 200) {
            return "(no /metrics)";
        }
        std::istringstream lines(res->body);
        for (std::string line; std::getline(lines, line);) {
            if (line.starts_with(series + " ")) {
                return line.substr(series.size() + 1);
            }
        }
        return "(absent)";
    }
    std::vector<std::string> smtp_args(const std::string& url) const {
        return {"--email-channel",       "smtp",      "--smtp-url",           url, "--smtp-from",
                "kiosk@central.example", "--smtp-ca", pki_.ca_file().string()};
    }

    TempDir dir_;
    TestPki pki_;
    kiosk::testing::TestCertificate relay_cert_;
};

std::optional<std::string> code_in(const std::string& text) {
    std::smatch match;
    if (std::regex_search(text, match, std::regex("verification code is ([0-9]{6,8})"))) {
        return match[1];
    }
    return std::nullopt;
}

} // namespace

TEST_F(Notifications, AnEmailCodeGoesThroughTheRelayOverStartTlsAndVerifies) {
    SmtpRelay relay(pki_, relay_cert_, {"starttls", "central", "relay-Secret-42", 0});
    std::ofstream(dir_.path() / "smtp-password") << "relay-Secret-42\n";
    auto args = smtp_args("smtp://127.0.0.1:" + std::to_string(relay.port()));
    args.insert(args.end(), {"--smtp-user", "central", "--smtp-password-file",
                             (dir_.path() / "smtp-password").string()});
    CentralProcess central(args);

    const auto before = std::chrono::steady_clock::now();
    const std::string id = start(central, "jdoe");
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
    ASSERT_TRUE(eventually([&] { return !relay.messages().empty(); }))
        << "no message reached the relay; central log:\n"
        << log_of(central);
    const auto message = relay.messages().front();
    EXPECT_EQ(message["mail_from"], "kiosk@central.example");
    EXPECT_EQ(message["rcpt_tos"], json::array({"jane.doe@example.com"}));
    EXPECT_TRUE(message["tls"].get<bool>()) << "sent before STARTTLS";
    EXPECT_EQ(message["login"], "central");
    const std::string content = message["content"];
    EXPECT_NE(content.find("Subject: Your verification code\r\n"), std::string::npos) << content;
    EXPECT_NE(content.find("To: jane.doe@example.com\r\n"), std::string::npos);
    EXPECT_NE(content.find("From: kiosk@central.example\r\n"), std::string::npos);
    const auto code = code_in(content);
    ASSERT_TRUE(code) << content;
    EXPECT_EQ(check(central, id, *code), 200);

    // Sent by the relay only: nothing in the file outbox, and neither the code nor the
    // relay's password anywhere in the central's log.
    EXPECT_FALSE(std::filesystem::exists(central.data_dir() / "outbox" / "email.jsonl"));
    const std::string log = log_of(central);
    EXPECT_EQ(log.find(*code), std::string::npos) << log;
    EXPECT_EQ(log.find("relay-Secret-42"), std::string::npos);
    EXPECT_NE(log.find("email code to account jdoe sent"), std::string::npos) << log;
    EXPECT_EQ(
        metric(central, R"(kiosk_central_notifications_total{channel="email",outcome="sent"})"),
        "1");
}

TEST_F(Notifications, NoticesGoThroughTheRelayToo) {
    SmtpRelay relay(pki_, relay_cert_, {"implicit", "", "", 0});
    CentralProcess central(smtp_args("smtps://127.0.0.1:" + std::to_string(relay.port())));
    const std::string id = start(central, "asmith");
    ASSERT_TRUE(eventually([&] { return relay.messages().size() == 1; })) << log_of(central);
    const auto code = code_in(relay.messages()[0]["content"]);
    ASSERT_TRUE(code);
    auto checked = post(central, "/v1/verifications/" + id + "/check", {{"code", *code}});
    ASSERT_EQ(checked->status, 200);
    auto unlocked =
        post(central, "/v1/unlocks",
             {{"verification_token", json::parse(checked->body)["verification_token"]}});
    ASSERT_EQ(unlocked->status, 200) << unlocked->body;
    const std::string reference = json::parse(unlocked->body)["reference"];
    ASSERT_TRUE(eventually([&] { return relay.messages().size() == 2; })) << log_of(central);
    const auto notice = relay.messages()[1];
    EXPECT_TRUE(notice["tls"].get<bool>()) << "smtps is TLS from the first byte";
    EXPECT_EQ(notice["rcpt_tos"], json::array({"adam.smith@example.com"}));
    const std::string content = notice["content"];
    EXPECT_NE(content.find("Subject: Your account was unlocked"), std::string::npos);
    EXPECT_NE(content.find(reference), std::string::npos);
}

TEST_F(Notifications, ARelayWithoutStartTlsGetsNothing) {
    SmtpRelay relay(pki_, relay_cert_, {"none", "", "", 0});
    auto args = smtp_args("smtp://127.0.0.1:" + std::to_string(relay.port()));
    args.insert(args.end(), {"--notify-attempts", "2", "--notify-retry-ms", "100"});
    CentralProcess central(args);
    start(central, "jdoe");
    ASSERT_TRUE(eventually([&] {
        return log_of(central).find("failed after 2 attempt(s)") != std::string::npos;
    })) << log_of(central);
    EXPECT_TRUE(relay.messages().empty()) << "a message went out without TLS";
    EXPECT_EQ(log_of(central).find("verification code is"), std::string::npos);
    EXPECT_EQ(
        metric(central, R"(kiosk_central_notifications_total{channel="email",outcome="failed"})"),
        "1");
}

TEST_F(Notifications, ARelayThatIsDownIsRetriedThenCountedAsFailed) {
    auto args = smtp_args("smtp://127.0.0.1:" + std::to_string(closed_port()));
    args.insert(args.end(), {"--notify-attempts", "3", "--notify-retry-ms", "100"});
    CentralProcess central(args);
    const auto before = std::chrono::steady_clock::now();
    start(central, "jdoe");
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2))
        << "the request waited for the relay";
    ASSERT_TRUE(eventually([&] {
        return log_of(central).find("failed after 3 attempt(s)") != std::string::npos;
    })) << log_of(central);
    EXPECT_EQ(
        metric(central, R"(kiosk_central_notifications_total{channel="email",outcome="retried"})"),
        "2");
    EXPECT_EQ(
        metric(central, R"(kiosk_central_notifications_total{channel="email",outcome="failed"})"),
        "1");
}

TEST_F(Notifications, AMessageWaitsForARelayThatComesBack) {
    const int port = closed_port();
    auto args = smtp_args("smtp://127.0.0.1:" + std::to_string(port));
    args.insert(args.end(), {"--notify-attempts", "20", "--notify-retry-ms", "200",
                             "--notify-retry-max-ms", "400"});
    CentralProcess central(args);
    const std::string id = start(central, "jdoe");
    ASSERT_TRUE(eventually([&] { return log_of(central).find("retrying") != std::string::npos; }))
        << log_of(central);
    SmtpRelay relay(pki_, relay_cert_, {"starttls", "", "", port});
    ASSERT_TRUE(eventually([&] { return !relay.messages().empty(); })) << log_of(central);
    const auto code = code_in(relay.messages()[0]["content"]);
    ASSERT_TRUE(code);
    EXPECT_EQ(check(central, id, *code), 200);
}

// [durable] -------------------------------------------------------------------------------

TEST_F(Notifications, ACodeQueuedWhileTheRelayIsDownSurvivesACrashAndArrivesOnce) {
    const int port = closed_port();
    auto args = smtp_args("smtp://127.0.0.1:" + std::to_string(port));
    args.insert(args.end(), {"--notify-attempts", "50", "--notify-retry-ms", "200",
                             "--notify-retry-max-ms", "400", "--notify-lease-ms", "2000"});
    CentralProcess central(args);
    const std::string id = start(central, "jdoe");
    ASSERT_TRUE(eventually([&] { return log_of(central).find("retrying") != std::string::npos; }))
        << log_of(central);

    // In the database, sealed: neither the code nor the text is readable there.
    const auto rows = central.database().query(
        "SELECT state, body, recipient, what FROM notifications WHERE channel = 'email'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "pending");
    EXPECT_TRUE(rows[0][1].starts_with("v1:")) << rows[0][1];
    EXPECT_EQ(rows[0][1].find("verification code"), std::string::npos);
    EXPECT_EQ(rows[0][2], "jane.doe@example.com");
    EXPECT_EQ(rows[0][3], "code");

    central.crash();
    SmtpRelay relay(pki_, relay_cert_, {"starttls", "", "", port});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_TRUE(relay.messages().empty()) << "nobody was left to send it";
    central.start_again();
    ASSERT_TRUE(eventually([&] { return !relay.messages().empty(); })) << log_of(central);
    const auto code = code_in(relay.messages()[0]["content"]);
    ASSERT_TRUE(code);
    EXPECT_EQ(check(central, id, *code), 200);
    // Exactly once, and the row keeps no text once sent.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(relay.messages().size(), 1u);
    const auto after = central.database().query("SELECT state, body FROM notifications");
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0][0], "sent");
    EXPECT_EQ(after[0][1], "");
    EXPECT_EQ(
        metric(central, R"(kiosk_central_notifications_total{channel="email",outcome="sent"})"),
        "1");
    EXPECT_EQ(log_of(central).find(*code), std::string::npos);
}

TEST_F(Notifications, TwoCentralsOnOneDatabaseSendEachMessageOnce) {
    constexpr int kMessages = 24;
    const int port = closed_port();
    auto args = smtp_args("smtp://127.0.0.1:" + std::to_string(port));
    args.insert(args.end(), {"--notify-attempts", "50", "--notify-retry-ms", "100",
                             "--notify-retry-max-ms", "300"});
    CentralProcess first(args);
    auto second = CentralProcess::sharing(first, args);
    // Half the messages queued by each process while the relay is down, so both workers
    // find every row due at once when it comes up.
    for (int i = 0; i < kMessages; ++i) {
        start(i % 2 == 0 ? first : *second, i % 3 == 0 ? "asmith" : "jdoe");
    }
    SmtpRelay relay(pki_, relay_cert_, {"starttls", "", "", port});
    ASSERT_TRUE(
        eventually([&] { return relay.messages().size() >= kMessages; }, std::chrono::seconds(60)))
        << relay.messages().size() << " of " << kMessages << "\n"
        << log_of(first) << log_of(*second);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto messages = relay.messages();
    EXPECT_EQ(messages.size(), static_cast<std::size_t>(kMessages)) << "a message went twice";
    std::set<std::string> codes;
    for (const auto& message : messages) {
        codes.insert(code_in(message["content"]).value_or("none"));
    }
    // Random 6-digit codes: a repeat among 24 is about 1 in 3,600 runs, a double send is
    // certain to repeat one.
    EXPECT_EQ(codes.size(), static_cast<std::size_t>(kMessages));
    const auto sent = [&](const CentralProcess& c) {
        return std::stoi(
            metric(c, R"(kiosk_central_notifications_total{channel="email",outcome="sent"})"));
    };
    EXPECT_EQ(sent(first) + sent(*second), kMessages);
    std::printf("sent by the first process: %d, by the second: %d\n", sent(first), sent(*second));
    const auto rows = first.database().query(
        "SELECT COUNT(*) FROM notifications WHERE state = 'sent' AND body = ''");
    EXPECT_EQ(rows.at(0).at(0), std::to_string(kMessages));
}

TEST_F(Notifications, AnSmsCodeGoesToTheGatewayAfterA500AndVerifies) {
    SmsGateway gateway(relay_cert_, 1);
    std::ofstream(dir_.path() / "sms-token") << "gw-Token-7f3a\n";
    std::ofstream(dir_.path() / "template.json")
        << R"({"destination":"{{to}}","message":{"text":"{{text}}","sender":"{{from}}"},"priority":1})";
    CentralProcess central({"--sms-channel", "http", "--sms-gateway-url", gateway.url(), "--sms-ca",
                            pki_.ca_file().string(), "--sms-token-file",
                            (dir_.path() / "sms-token").string(), "--sms-body-template",
                            (dir_.path() / "template.json").string(), "--sms-sender", "ITDESK",
                            "--notify-retry-ms", "100"});
    const std::string id = start(central, "jdoe", "sms");
    ASSERT_TRUE(eventually([&] { return gateway.requests().size() == 2; })) << log_of(central);
    for (const auto& request : gateway.requests()) {
        EXPECT_EQ(request.authorization, "Bearer gw-Token-7f3a");
    }
    const json body = json::parse(gateway.requests()[1].body);
    EXPECT_EQ(body["destination"], "+447700900101");
    EXPECT_EQ(body["message"]["sender"], "ITDESK");
    EXPECT_EQ(body["priority"], 1);
    const auto code = code_in(body["message"]["text"]);
    ASSERT_TRUE(code) << body.dump();
    EXPECT_EQ(check(central, id, *code), 200);
    const std::string log = log_of(central);
    EXPECT_EQ(log.find(*code), std::string::npos) << log;
    EXPECT_EQ(log.find("gw-Token-7f3a"), std::string::npos);
    EXPECT_NE(log.find("the gateway answered 500"), std::string::npos) << log;
    // Counted once the central has the gateway's answer, a moment after the gateway has the
    // request.
    EXPECT_TRUE(eventually([&] {
        return metric(central,
                      R"(kiosk_central_notifications_total{channel="sms",outcome="sent"})") == "1";
    }));
}

TEST_F(Notifications, SmsForAnAccountWithoutAPhoneLooksLikeAnUnknownName) {
    SmsGateway gateway(relay_cert_, 0);
    CentralProcess central({"--sms-channel", "http", "--sms-gateway-url", gateway.url(), "--sms-ca",
                            pki_.ca_file().string()});
    for (const std::string who : {"mkowalska", "nobody-here", "jdoe"}) {
        auto res = post(central, "/v1/verifications", {{"identifier", who}, {"method", "sms"}});
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 202) << who;
        auto doc = json::parse(res->body);
        doc.erase("challenge_id");
        EXPECT_EQ(
            doc,
            json({{"expires_in_seconds", 600}, {"code_length", 6}, {"resend_after_seconds", 60}}))
            << who;
    }
    ASSERT_TRUE(eventually([&] { return gateway.requests().size() == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(gateway.requests().size(), 1u) << "only jdoe has a phone number";
    EXPECT_EQ(json::parse(gateway.requests()[0].body)["to"], "+447700900101");
}

TEST(NotifierStartup, UnsafeSettingsStopStartUp) {
    TempDir dir("kiosk-notify-bad");
    const auto refused = [&](const std::vector<std::string>& args, const std::string& why) {
        try {
            CentralProcess central(args);
        } catch (const std::runtime_error& e) {
            return std::string(e.what()).find(why) != std::string::npos;
        }
        return false;
    };
    EXPECT_TRUE(refused({"--email-channel", "smtp", "--smtp-url", "smtp://relay.example:25",
                         "--smtp-from", "k@example.com", "--smtp-starttls", "false"},
                        "only allowed for a relay on loopback"));
    EXPECT_TRUE(refused({"--email-channel", "smtp", "--smtp-url", "http://relay.example",
                         "--smtp-from", "k@example.com"},
                        "--smtp-url must start with smtp:// or smtps://"));
    EXPECT_TRUE(refused({"--sms-channel", "http", "--sms-gateway-url", "http://sms.example/send"},
                        "must be https://"));
    // The same settings from a config file's [serve] section.
    std::ofstream(dir.path() / "serve.toml")
        << "[serve]\ndata-dir = \"" << (dir.path() / "data").string()
        << "\"\nlisten = \"127.0.0.1:0\"\nemail-channel = \"smtp\"\n"
           "smtp-url = \"smtp://relay.example:587\"\nsmtp-from = \"not an address\"\n";
    const std::string command = kiosk::testing::central_binary().string() + " --config " +
                                (dir.path() / "serve.toml").string() + " serve 2>" +
                                (dir.path() / "err").string();
    EXPECT_NE(std::system(command.c_str()), 0);
    EXPECT_NE(slurp(dir.path() / "err").find("--smtp-from must be a plain address"),
              std::string::npos)
        << slurp(dir.path() / "err");
    std::ofstream(dir.path() / "template.json") << R"({"to":"{{to}}"})";
    EXPECT_TRUE(refused({"--sms-channel", "http", "--sms-gateway-url", "https://sms.example/",
                         "--sms-body-template", (dir.path() / "template.json").string()},
                        "whose strings hold {{to}} and {{text}}"));
}

// [resend] --------------------------------------------------------------------------------

TEST(Resend, ANewCodeVoidsTheOldOneAfterTheCooldownAndResendsAreLimited) {
    // Whole seconds: a cooldown of 2 is still running however close to a second's end the
    // code was sent.
    CentralProcess central({"--resend-cooldown", "2", "--max-resends", "1"});
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port());
    c->set_ca_cert_path(central.ca_file().c_str());
    c->enable_server_certificate_verification(true);
    const auto post = [&](const std::string& path, const json& body) {
        return c->Post(path, body.dump(), "application/json");
    };
    auto started = post("/v1/verifications", {{"identifier", "jdoe"}});
    const std::string id = json::parse(started->body)["challenge_id"];
    const auto first = central.latest_code_for("jdoe");
    ASSERT_TRUE(first);

    auto early = post("/v1/verifications/" + id + "/resend", json::object());
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 429);
    EXPECT_EQ(json::parse(early->body)["error"]["code"], "resend_too_soon");
    const std::string retry_after = early->get_header_value("Retry-After");
    EXPECT_TRUE(retry_after == "1" || retry_after == "2") << retry_after;
    EXPECT_EQ(json::parse(early->body)["error"]["retry_after_seconds"], std::stoi(retry_after));
    EXPECT_EQ(central.latest_code_for("jdoe"), first) << "nothing was sent";

    std::this_thread::sleep_for(std::chrono::milliseconds(2050));
    auto resent = post("/v1/verifications/" + id + "/resend", json::object());
    ASSERT_EQ(resent->status, 202) << resent->body;
    EXPECT_EQ(json::parse(resent->body)["challenge_id"], id);
    const auto second = central.latest_code_for("jdoe");
    ASSERT_TRUE(second);
    ASSERT_NE(*second, *first);

    std::this_thread::sleep_for(std::chrono::milliseconds(2050));
    auto limit = post("/v1/verifications/" + id + "/resend", json::object());
    EXPECT_EQ(limit->status, 429);
    EXPECT_EQ(json::parse(limit->body)["error"]["code"], "too_many_resends");
    EXPECT_FALSE(limit->has_header("Retry-After"));

    auto old_code = post("/v1/verifications/" + id + "/check", {{"code", *first}});
    EXPECT_EQ(old_code->status, 401) << "the first code was voided by the resend";
    auto new_code = post("/v1/verifications/" + id + "/check", {{"code", *second}});
    EXPECT_EQ(new_code->status, 200);
    auto after_use = post("/v1/verifications/" + id + "/resend", json::object());
    EXPECT_EQ(after_use->status, 410);
}

TEST(Resend, AnswersAreTheSameForUnknownNamesAndTotpHasNothingToResend) {
    CentralProcess central({"--resend-cooldown", "2"});
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port());
    c->set_ca_cert_path(central.ca_file().c_str());
    c->enable_server_certificate_verification(true);
    const auto post = [&](const std::string& path, const json& body) {
        return c->Post(path, body.dump(), "application/json");
    };
    std::vector<std::string> ids;
    std::vector<std::pair<int, std::string>> early;
    for (const std::string who : {"jdoe", "no-such-person"}) {
        ids.push_back(
            json::parse(post("/v1/verifications", {{"identifier", who}})->body)["challenge_id"]);
        auto res = post("/v1/verifications/" + ids.back() + "/resend", json::object());
        auto doc = json::parse(res->body);
        doc["error"].erase("retry_after_seconds"); // 1 or 2, by where in a second each began
        early.emplace_back(res->status, doc.dump());
    }
    EXPECT_EQ(early[0], early[1]);
    EXPECT_EQ(early[0].first, 429);
    std::this_thread::sleep_for(std::chrono::milliseconds(2050));
    std::vector<std::pair<int, std::string>> later;
    for (const auto& id : ids) {
        auto res = post("/v1/verifications/" + id + "/resend", json::object());
        std::string body = res->body;
        body.replace(body.find(id), id.size(), "ID");
        later.emplace_back(res->status, body);
    }
    EXPECT_EQ(later[0], later[1]);
    EXPECT_EQ(later[0].first, 202);

    const std::string totp =
        json::parse(post("/v1/verifications", {{"identifier", "tnowak"}, {"method", "totp"}})
                        ->body)["challenge_id"];
    auto nothing = post("/v1/verifications/" + totp + "/resend", json::object());
    EXPECT_EQ(nothing->status, 409);
    EXPECT_EQ(json::parse(nothing->body)["error"]["code"], "nothing_to_resend");
    auto bad = post("/v1/verifications/" + totp + "/resend", json{{"x", 1}});
    EXPECT_EQ(bad->status, 400);
}
