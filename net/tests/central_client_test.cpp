// CentralClient against a real kiosk-central over TLS on loopback: typed answers, and
// each kind of failure told apart (wrong CA, closed port, silent server, plain http).
#include "central_process.hpp"
#include "kiosk/common/tls_certificates.hpp"
#include "kiosk/net/central_client.hpp"
#include "tls_test_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

class CentralClientTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { central_ = new kiosk::testing::CentralProcess(); }
    static void TearDownTestSuite() {
        delete central_;
        central_ = nullptr;
    }
    static net::ClientSettings settings() {
        net::ClientSettings s;
        s.ca_file = central_->ca_file();
        return s;
    }
    static kiosk::testing::CentralProcess* central_;
    net::CurlGlobal curl_;
};
kiosk::testing::CentralProcess* CentralClientTest::central_ = nullptr;

// A loopback TCP socket that accepts connections into its backlog and never answers.
struct SilentServer {
    int fd = -1;
    int port = 0;
    SilentServer() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(fd, 8);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~SilentServer() { ::close(fd); }
};

int closed_port() {
    SilentServer s; // bound then closed at once: nothing listens there afterwards
    return s.port;
}

} // namespace

TEST_F(CentralClientTest, HealthAnswersOverVerifiedTls) {
    net::CentralClient client(central_->base_url(), settings());
    auto result = client.health();
    ASSERT_TRUE(std::holds_alternative<api::HealthResponse>(result))
        << std::get<net::ApiFailure>(result).detail;
    EXPECT_EQ(std::get<api::HealthResponse>(result).status, "ok");
}

TEST_F(CentralClientTest, AnotherCaIsAnUntrustedCertificate) {
    kiosk::testing::TempDir dir("kiosk-net-other-ca");
    const auto other = tls::ensure_server_tls(dir.path(), {"127.0.0.1"});
    net::ClientSettings s = settings();
    s.ca_file = other.ca_certificate;
    net::CentralClient client(central_->base_url(), s);
    auto result = client.health();
    ASSERT_TRUE(std::holds_alternative<net::ApiFailure>(result));
    const auto& failure = std::get<net::ApiFailure>(result);
    EXPECT_EQ(failure.kind, net::ApiFailure::Kind::Transport);
    EXPECT_EQ(failure.transport, net::TransportFailureKind::CertificateUntrusted) << failure.detail;
}

TEST_F(CentralClientTest, ClosedPortIsUnreachable) {
    net::CentralClient client("https://127.0.0.1:" + std::to_string(closed_port()), settings());
    auto result = client.health();
    ASSERT_TRUE(std::holds_alternative<net::ApiFailure>(result));
    EXPECT_EQ(std::get<net::ApiFailure>(result).transport, net::TransportFailureKind::Unreachable);
}

TEST_F(CentralClientTest, SilentServerTimesOutWithinTheLimit) {
    SilentServer silent;
    net::ClientSettings s = settings();
    s.connect_timeout = 500ms;
    s.total_timeout = 800ms;
    net::CentralClient client("https://127.0.0.1:" + std::to_string(silent.port), s);
    const auto start = std::chrono::steady_clock::now();
    auto result = client.health();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(std::holds_alternative<net::ApiFailure>(result));
    EXPECT_EQ(std::get<net::ApiFailure>(result).transport, net::TransportFailureKind::Timeout);
    EXPECT_LT(elapsed, 5s);
}

TEST_F(CentralClientTest, PlainHttpIsRefusedBeforeAnyConnection) {
    net::CentralClient client("http://127.0.0.1:" + std::to_string(central_->port()), settings());
    auto result = client.health();
    ASSERT_TRUE(std::holds_alternative<net::ApiFailure>(result));
    EXPECT_EQ(std::get<net::ApiFailure>(result).transport, net::TransportFailureKind::Refused);
}

TEST_F(CentralClientTest, HttpErrorsCarryTheStableErrorCode) {
    net::CentralClient client(central_->base_url(), settings());
    auto result = client.check_code("no-such-challenge", {"123456"});
    ASSERT_TRUE(std::holds_alternative<net::ApiFailure>(result));
    const auto& failure = std::get<net::ApiFailure>(result);
    EXPECT_EQ(failure.kind, net::ApiFailure::Kind::HttpError);
    EXPECT_EQ(failure.http_status, 410);
    EXPECT_EQ(failure.code(), "challenge_expired");
}

TEST_F(CentralClientTest, MalformedChallengeIdNeverReachesTheUrl) {
    net::CentralClient client(central_->base_url(), settings());
    auto result = client.check_code("../../health", {"123456"});
    ASSERT_TRUE(std::holds_alternative<net::ApiFailure>(result));
    EXPECT_EQ(std::get<net::ApiFailure>(result).kind, net::ApiFailure::Kind::BadResponse);
}

TEST(AppendJsonString, EscapesSoThatAJsonParserReadsTheSameText) {
    const std::string tricky = "quote\" back\\slash \x01 ctl \n newline ünïcode";
    std::string out;
    net::append_json_string(out, tricky);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), tricky);
}
