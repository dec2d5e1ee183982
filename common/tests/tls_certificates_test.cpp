// The generated CA and server certificate: the chain verifies (with OpenSSL's API and with
// the openssl command line), the names are right, the key is private, and reruns keep files.
#include "kiosk/common/tls_certificates.hpp"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sstream>

namespace {

std::filesystem::path fresh_dir() {
    const auto dir = std::filesystem::temp_directory_path() /
                     (std::string("kiosk-tls-test-") +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    return dir;
}

X509* read_first_certificate(const std::filesystem::path& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) {
        return nullptr;
    }
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    return cert;
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST(TlsCertificates, ServerChainVerifiesAgainstTheCa) {
    const auto files = kiosk::tls::ensure_server_tls(fresh_dir(), {"localhost", "127.0.0.1"});
    X509* ca = read_first_certificate(files.ca_certificate);
    X509* server = read_first_certificate(files.server_certificate);
    ASSERT_NE(ca, nullptr);
    ASSERT_NE(server, nullptr);

    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, server, nullptr);
    X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), "localhost", 0);
    EXPECT_EQ(X509_verify_cert(ctx), 1)
        << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
    EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_host(server, "localhost", 0, 0, nullptr), 1);
    EXPECT_NE(X509_check_host(server, "example.com", 0, 0, nullptr), 1);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(server);
    X509_free(ca);
}

TEST(TlsCertificates, TheOpensslCommandLineAgrees) {
    const auto files = kiosk::tls::ensure_server_tls(fresh_dir(), {"127.0.0.1"});
    const std::string command = "openssl verify -CAfile " + files.ca_certificate.string() +
                                " -verify_ip 127.0.0.1 " + files.server_certificate.string() +
                                " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
}

TEST(TlsCertificates, KeyIsPrivateAndRerunsKeepTheFiles) {
    const auto dir = fresh_dir();
    const auto files = kiosk::tls::ensure_server_tls(dir, {"127.0.0.1"});
    const auto perms = std::filesystem::status(files.server_key).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
    const std::string ca_before = slurp(files.ca_certificate);
    kiosk::tls::ensure_server_tls(dir, {"127.0.0.1"});
    EXPECT_EQ(slurp(files.ca_certificate), ca_before);
}
