// HttpsClient's small rules: which headers it sends, how it reads Retry-After, and that
// it refuses to send a malformed header instead of putting it on the wire.
#include "kiosk/net/http_client.hpp"
#include "tls_test_server.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <thread>

using namespace kiosk;
using namespace std::chrono_literals;

TEST(HttpHeaders, OnlyTokensAndControlFreeValuesAreSent) {
    EXPECT_TRUE(net::valid_header("Idempotency-Key", "AbC_12-x"));
    EXPECT_FALSE(net::valid_header("Idempotency-Key", "a\r\nX-Evil: 1"));
    EXPECT_FALSE(net::valid_header("Bad Name", "x"));
    EXPECT_FALSE(net::valid_header("", "x"));
    EXPECT_FALSE(net::valid_header("X", std::string(2000, 'a')));
}

TEST(RetryAfter, ReadsSecondsAndHttpDates) {
    const auto now = std::chrono::system_clock::from_time_t(1'700'000'000); // 2023-11-14T22:13:20Z
    EXPECT_EQ(net::parse_retry_after("120", now), 120s);
    EXPECT_EQ(net::parse_retry_after(" 0 ", now), 0s);
    EXPECT_EQ(net::parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now), 60s);
    EXPECT_EQ(net::parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), 0s); // past: now
    EXPECT_EQ(net::parse_retry_after("soon", now), std::nullopt);
    EXPECT_EQ(net::parse_retry_after("-5", now), std::nullopt);
    EXPECT_EQ(net::parse_retry_after("99999999999999", now), std::nullopt);
}

TEST(HttpsClientRules, AMalformedHeaderIsRefusedBeforeConnecting) {
    net::CurlGlobal curl;
    kiosk::testing::TempDir dir("kiosk-http-rules");
    kiosk::testing::TestPki pki(dir.path());
    const auto cert = pki.issue("server", {"127.0.0.1"});
    kiosk::testing::TlsTestServer server(kiosk::testing::serving(cert));
    net::ClientSettings s;
    s.ca_file = pki.ca_file();
    net::HttpsClient client(s);
    auto result = client.post_json(server.url("/"), "{}", {{"Idempotency-Key", "k\r\nHost: x"}});
    ASSERT_TRUE(std::holds_alternative<net::TransportFailure>(result));
    EXPECT_EQ(std::get<net::TransportFailure>(result).kind, net::TransportFailureKind::Refused);
    EXPECT_EQ(server.connections_accepted(), 0);
}

TEST(HttpsClientRules, ResponseHeadersAreReadCaseInsensitively) {
    net::CurlGlobal curl;
    kiosk::testing::TempDir dir("kiosk-http-rules");
    kiosk::testing::TestPki pki(dir.path());
    const auto cert = pki.issue("server", {"127.0.0.1"});
    kiosk::testing::TlsTestServer server(
        kiosk::testing::serving(cert), [](kiosk::testing::TlsConnection& c) {
            c.send(kiosk::testing::TlsTestServer::response(
                429, R"({"error":{"code":"rate_limited","message":"slow down"}})",
                {"RETRY-AFTER: 7"}));
        });
    net::ClientSettings s;
    s.ca_file = pki.ca_file();
    net::HttpsClient client(s);
    auto result = client.get(server.url("/"));
    ASSERT_TRUE(std::holds_alternative<net::HttpResponse>(result));
    const auto& response = std::get<net::HttpResponse>(result);
    EXPECT_EQ(response.status, 429);
    ASSERT_TRUE(response.header("retry-after").has_value());
    EXPECT_EQ(*response.header("retry-after"), "7");
}

TEST(HttpsClientRules, PlainHttpAndOtherSchemesAreRefused) {
    net::CurlGlobal curl;
    net::ClientSettings s;
    s.ca_file = "/nonexistent/ca.pem";
    net::HttpsClient client(s);
    for (const char* url : {"http://127.0.0.1:1/", "ftp://127.0.0.1/", "file:///etc/passwd",
                            "HTTPS://127.0.0.1:1/"}) {
        auto result = client.get(url);
        ASSERT_TRUE(std::holds_alternative<net::TransportFailure>(result)) << url;
        EXPECT_EQ(std::get<net::TransportFailure>(result).kind, net::TransportFailureKind::Refused)
            << url;
    }
}

TEST(HttpsClientRules, ACancelFlagEndsARequestInFlightWithinAboutASecond) {
    net::CurlGlobal curl;
    kiosk::testing::TempDir dir("kiosk-http-rules");
    kiosk::testing::TestPki pki(dir.path());
    const auto cert = pki.issue("server", {"127.0.0.1"});
    kiosk::testing::TlsTestServer server(kiosk::testing::serving(cert),
                                         [](kiosk::testing::TlsConnection& c) {
                                             while (!c.stopping()) { // never answers
                                                 std::this_thread::sleep_for(10ms);
                                             }
                                         });
    std::atomic<bool> cancel{false};
    net::ClientSettings s;
    s.ca_file = pki.ca_file();
    s.total_timeout = 30s;
    s.low_speed_seconds = 30;
    s.cancel = &cancel;
    net::HttpsClient client(s);
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
        cancel = true;
    });
    const auto start = std::chrono::steady_clock::now();
    auto result = client.post_json(server.url("/"), "{}");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    canceller.join();
    ASSERT_TRUE(std::holds_alternative<net::TransportFailure>(result));
    EXPECT_EQ(std::get<net::TransportFailure>(result).kind, net::TransportFailureKind::Cancelled);
    EXPECT_LT(elapsed, 2500ms);

    // Already cancelled: nothing is sent at all.
    const int before = server.connections_accepted();
    auto again = client.get(server.url("/"));
    ASSERT_TRUE(std::holds_alternative<net::TransportFailure>(again));
    EXPECT_EQ(std::get<net::TransportFailure>(again).kind, net::TransportFailureKind::Cancelled);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(server.connections_accepted(), before);
}
