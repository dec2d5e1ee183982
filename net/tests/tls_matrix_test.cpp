// The TLS matrix: HttpsClient against loopback servers that are wrong in one way each
// (expired, wrong host, unknown CA, wrong pin, TLS 1.1 only, dripping, endless, redirecting).
// Each is refused with its own TransportFailureKind, and where the peer must not be
// trusted the server is shown to have received none of the request.
#include "kiosk/net/http_client.hpp"
#include "tls_test_server.hpp"

#include <array>
#include <cstdio>
#include <gtest/gtest.h>
#include <thread>

using namespace kiosk;
using namespace std::chrono_literals;
using kiosk::testing::TlsConnection;
using kiosk::testing::TlsServerOptions;
using kiosk::testing::TlsTestServer;

namespace {

constexpr std::string_view kPayload = R"({"new_password":"PAYLOAD-MARKER-correct horse"})";

class TlsMatrix : public ::testing::Test {
protected:
    TlsMatrix() : dir_("kiosk-tls-matrix"), pki_(dir_.path() / "pki") {
        good_ = pki_.issue("good", {"127.0.0.1"});
    }

    net::ClientSettings settings() const {
        net::ClientSettings s;
        s.ca_file = pki_.ca_file();
        s.connect_timeout = 3s;
        s.total_timeout = 10s;
        return s;
    }

    // POSTs the payload; returns the result and how long it took.
    static std::pair<net::HttpResult, std::chrono::steady_clock::duration>
    post(const net::ClientSettings& s, const std::string& url) {
        net::HttpsClient client(s);
        const auto start = std::chrono::steady_clock::now();
        auto result = client.post_json(url, kPayload, {{"Idempotency-Key", "key-1"}});
        return {std::move(result), std::chrono::steady_clock::now() - start};
    }

    static net::TransportFailure failure_of(const net::HttpResult& result) {
        if (const auto* f = std::get_if<net::TransportFailure>(&result)) {
            return *f;
        }
        ADD_FAILURE() << "expected a transport failure, got HTTP "
                      << std::get<net::HttpResponse>(result).status;
        return {net::TransportFailureKind::Unreachable, ""};
    }

    net::CurlGlobal curl_;
    kiosk::testing::TempDir dir_;
    kiosk::testing::TestPki pki_;
    kiosk::testing::TestCertificate good_;
};

} // namespace

TEST_F(TlsMatrix, ATrustedServerGetsTheRequestAndItsHeaders) {
    // The control case: it shows the server records payloads, so the "received nothing"
    // checks below could fail.
    TlsTestServer server(kiosk::testing::serving(good_));
    auto [result, elapsed] = post(settings(), server.url("/v1/password-resets"));
    ASSERT_TRUE(server.wait_for_finished(1, 3s));
    ASSERT_TRUE(std::holds_alternative<net::HttpResponse>(result))
        << std::get<net::TransportFailure>(result).detail;
    EXPECT_EQ(std::get<net::HttpResponse>(result).status, 200);
    EXPECT_NE(server.received().find("PAYLOAD-MARKER"), std::string::npos);
    EXPECT_NE(server.received().find("Idempotency-Key: key-1"), std::string::npos);
}

TEST_F(TlsMatrix, AnExpiredCertificateIsRefusedBeforeAnyPayload) {
    const auto expired = pki_.issue("expired", {"127.0.0.1"}, -48h, -24h);
    TlsTestServer server(kiosk::testing::serving(expired));
    auto [result, elapsed] = post(settings(), server.url("/v1/password-resets"));
    const auto f = failure_of(result);
    EXPECT_EQ(f.kind, net::TransportFailureKind::CertificateExpired) << f.detail;
    ASSERT_TRUE(server.wait_for_finished(1, 3s));
    EXPECT_EQ(server.received(), "");
}

TEST_F(TlsMatrix, ACertificateForAnotherHostIsRefusedBeforeAnyPayload) {
    const auto other = pki_.issue("other-host", {"central.example"});
    TlsTestServer server(kiosk::testing::serving(other));
    auto [result, elapsed] = post(settings(), server.url("/v1/password-resets"));
    const auto f = failure_of(result);
    EXPECT_EQ(f.kind, net::TransportFailureKind::HostnameMismatch) << f.detail;
    ASSERT_TRUE(server.wait_for_finished(1, 3s));
    EXPECT_EQ(server.received(), "");
}

TEST_F(TlsMatrix, ACertificateFromAnotherCaIsRefusedBeforeAnyPayload) {
    kiosk::testing::TestPki stranger(dir_.path() / "stranger");
    const auto foreign = stranger.issue("foreign", {"127.0.0.1"});
    TlsTestServer server(kiosk::testing::serving(foreign));
    auto [result, elapsed] = post(settings(), server.url("/"));
    const auto f = failure_of(result);
    EXPECT_EQ(f.kind, net::TransportFailureKind::CertificateUntrusted) << f.detail;
    ASSERT_TRUE(server.wait_for_finished(1, 3s));
    EXPECT_EQ(server.received(), "");
}

TEST_F(TlsMatrix, AValidCertificateWithTheWrongKeyFailsThePinsAndGetsNoPayload) {
    TlsTestServer server(kiosk::testing::serving(good_));
    const auto spare1 = pki_.issue("spare1", {"127.0.0.1"});
    const auto spare2 = pki_.issue("spare2", {"127.0.0.1"});
    auto s = settings();
    s.pinned_public_keys = {spare1.spki_pin, spare2.spki_pin};
    auto [result, elapsed] = post(s, server.url("/v1/password-resets"));
    const auto f = failure_of(result);
    // PinMismatch comes only after the chain verified (the CA vouches for this server):
    // the pin is what stopped the request, before a single byte of it was sent.
    EXPECT_EQ(f.kind, net::TransportFailureKind::PinMismatch) << f.detail;
    ASSERT_TRUE(server.wait_for_finished(1, 3s));
    EXPECT_EQ(server.received(), "");
}

TEST_F(TlsMatrix, TheBackupPinIsAccepted) {
    TlsTestServer server(kiosk::testing::serving(good_));
    const auto retired = pki_.issue("retired", {"127.0.0.1"});
    auto s = settings();
    s.pinned_public_keys = {retired.spki_pin, good_.spki_pin};
    auto [result, elapsed] = post(s, server.url("/"));
    ASSERT_TRUE(std::holds_alternative<net::HttpResponse>(result))
        << std::get<net::TransportFailure>(result).detail;
    EXPECT_EQ(std::get<net::HttpResponse>(result).status, 200);
}

TEST_F(TlsMatrix, PinningWithoutABackupPinOrWithAMalformedPinIsASettingsError) {
    auto s = settings();
    s.pinned_public_keys = {good_.spki_pin};
    EXPECT_THROW(net::HttpsClient{s}, std::invalid_argument);
    s.pinned_public_keys = {good_.spki_pin, good_.spki_pin};
    EXPECT_THROW(net::HttpsClient{s}, std::invalid_argument);
    s.pinned_public_keys = {good_.spki_pin, "sha256//not-a-pin"};
    EXPECT_THROW(net::HttpsClient{s}, std::invalid_argument);
    s.pinned_public_keys = {good_.spki_pin, "md5//" + good_.spki_pin.substr(8)};
    EXPECT_THROW(net::HttpsClient{s}, std::invalid_argument);
}

TEST_F(TlsMatrix, ATls11OnlyServerIsRefused) {
    TlsServerOptions options = kiosk::testing::serving(good_);
    options.tls11_only = true;
    TlsTestServer server(options);
    // The openssl command line shows the server really speaks TLS 1.1, so the refusal
    // below is the client's minimum version at work and not a broken server.
    const std::string command =
        "openssl s_client -connect 127.0.0.1:" + std::to_string(server.port()) +
        " -tls1_1 -cipher DEFAULT:@SECLEVEL=0 -CAfile " + pki_.ca_file().string() +
        " </dev/null 2>&1";
    std::string transcript;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        std::array<char, 512> line{};
        while (std::fgets(line.data(), line.size(), pipe) != nullptr) {
            transcript += line.data();
        }
        pclose(pipe);
    }
    ASSERT_NE(transcript.find("Protocol  : TLSv1.1"), std::string::npos) << transcript;

    auto [result, elapsed] = post(settings(), server.url("/v1/password-resets"));
    const auto f = failure_of(result);
    EXPECT_EQ(f.kind, net::TransportFailureKind::Tls) << f.detail;
    ASSERT_TRUE(server.wait_for_finished(2, 3s)); // openssl's connection, then ours
    EXPECT_EQ(server.received(), "");
}

TEST_F(TlsMatrix, AServerThatDripsOneByteASecondIsAbandonedByTheLowSpeedLimit) {
    TlsTestServer server(kiosk::testing::serving(good_), [](TlsConnection& c) {
        const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
        for (char byte : head + std::string(100, 'x')) {
            if (!c.send(std::string_view(&byte, 1))) {
                return;
            }
            for (int i = 0; i < 10 && !c.stopping(); ++i) {
                std::this_thread::sleep_for(100ms);
            }
        }
    });
    auto s = settings();
    s.total_timeout = 60s; // far away: the low-speed abort must be what ends it
    s.low_speed_bytes = 16;
    s.low_speed_seconds = 1;
    auto [result, elapsed] = post(s, server.url("/"));
    const auto f = failure_of(result);
    EXPECT_EQ(f.kind, net::TransportFailureKind::Stalled) << f.detail;
    // libcurl measures speed over a sliding window of a few seconds, so the abort comes a
    // few seconds after the limit's own period; the point is that it is far below 60 s.
    EXPECT_LT(elapsed, 10s)
        << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
}

TEST_F(TlsMatrix, AnEndlessBodyStopsAtTheSizeCap) {
    TlsTestServer server(kiosk::testing::serving(good_), [](TlsConnection& c) {
        c.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
        const std::string chunk(16 * 1024, 'a');
        while (c.send(chunk)) {
        }
    });
    auto s = settings();
    s.max_response_bytes = 256 * 1024;
    auto [result, elapsed] = post(s, server.url("/"));
    const auto f = failure_of(result);
    EXPECT_EQ(f.kind, net::TransportFailureKind::TooLarge) << f.detail;
    EXPECT_LT(elapsed, 5s);
}

TEST_F(TlsMatrix, ADeclaredOversizedBodyIsRefusedWithoutReadingIt) {
    TlsTestServer server(kiosk::testing::serving(good_), [](TlsConnection& c) {
        c.send("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n{");
    });
    auto s = settings();
    s.max_response_bytes = 1024;
    auto [result, elapsed] = post(s, server.url("/"));
    EXPECT_EQ(failure_of(result).kind, net::TransportFailureKind::TooLarge);
}

TEST_F(TlsMatrix, ARedirectToAnotherOriginIsAFailureAndIsNotFollowed) {
    TlsTestServer elsewhere(kiosk::testing::serving(good_));
    const std::string location = "Location: " + elsewhere.url("/steal");
    TlsTestServer server(kiosk::testing::serving(good_), [&](TlsConnection& c) {
        c.send(TlsTestServer::response(307, "", {location}));
    });
    auto [result, elapsed] = post(settings(), server.url("/v1/password-resets"));
    const auto f = failure_of(result);
    EXPECT_EQ(f.kind, net::TransportFailureKind::Redirected) << f.detail;
    EXPECT_NE(f.detail.find("307"), std::string::npos);
    std::this_thread::sleep_for(200ms); // time enough for a followed redirect to arrive
    EXPECT_EQ(elsewhere.connections_accepted(), 0);
    EXPECT_EQ(elsewhere.received(), "");
}

TEST_F(TlsMatrix, MutualTlsPresentsTheClientCertificateWhenConfigured) {
    TlsServerOptions options = kiosk::testing::serving(good_);
    options.client_ca = pki_.ca_file();
    TlsTestServer server(options);
    auto without = post(settings(), server.url("/"));
    EXPECT_TRUE(std::holds_alternative<net::TransportFailure>(without.first));
    ASSERT_TRUE(server.wait_for_finished(1, 3s));
    EXPECT_EQ(server.received(), "");

    const auto kiosk_cert = pki_.issue("kiosk-0001", {}, -1h, 24h, /*client=*/true);
    auto s = settings();
    s.client_certificate = kiosk_cert.certificate;
    s.client_key = kiosk_cert.key;
    auto with = post(s, server.url("/"));
    ASSERT_TRUE(std::holds_alternative<net::HttpResponse>(with.first))
        << std::get<net::TransportFailure>(with.first).detail;
    EXPECT_EQ(std::get<net::HttpResponse>(with.first).status, 200);
}

TEST_F(TlsMatrix, AClientKeyWithoutItsCertificateIsASettingsError) {
    auto s = settings();
    s.client_key = good_.key;
    EXPECT_THROW(net::HttpsClient{s}, std::invalid_argument);
}
