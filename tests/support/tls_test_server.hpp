// Test support for the TLS matrix: a throw-away PKI (CA, server and client certificates
// with any validity window and host names) and a loopback TLS server, written with the
// OpenSSL API, that misbehaves on request (drips, endless bodies, redirects, TLS 1.1 only)
// and records every application byte it receives, so tests can prove nothing leaked.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kiosk::testing {

struct TestCertificate {
    std::filesystem::path certificate; // PEM
    std::filesystem::path key;         // PEM
    std::string spki_pin;              // "sha256//<base64>", as libcurl pins take it
};

// A private CA under `dir` (a fresh directory the caller owns and removes).
class TestPki {
public:
    explicit TestPki(std::filesystem::path dir);
    ~TestPki();
    TestPki(const TestPki&) = delete;
    TestPki& operator=(const TestPki&) = delete;

    [[nodiscard]] const std::filesystem::path& ca_file() const { return ca_file_; }

    // A certificate for `hosts` (DNS names or IP literals), valid from now + not_before
    // to now + not_after; `client` makes a clientAuth certificate instead of serverAuth.
    TestCertificate issue(const std::string& name, const std::vector<std::string>& hosts,
                          std::chrono::hours not_before = std::chrono::hours(-1),
                          std::chrono::hours not_after = std::chrono::hours(24),
                          bool client = false);

private:
    struct Impl;
    std::filesystem::path dir_;
    std::filesystem::path ca_file_;
    std::unique_ptr<Impl> impl_;
};

// SPKI pin of the certificate in a PEM file (what `openssl x509 -pubkey | openssl pkey
// -pubin -outform der | openssl dgst -sha256 -binary | base64` prints, with "sha256//").
std::string spki_pin_of(const std::filesystem::path& certificate_pem);

// One accepted connection, handed to the server's handler after the request was read.
class TlsConnection {
public:
    [[nodiscard]] const std::string& request() const { return request_; }
    // Sends bytes; false once the peer has gone or the server is stopping.
    bool send(std::string_view bytes);
    [[nodiscard]] bool stopping() const;

private:
    friend class TlsTestServer;
    void* ssl_ = nullptr;
    std::string request_;
    const std::atomic<bool>* stop_ = nullptr;
};

struct TlsServerOptions {
    std::filesystem::path certificate;
    std::filesystem::path key;
    bool tls11_only = false;         // a legacy server: TLS 1.1 and nothing newer
    std::filesystem::path client_ca; // set: a client certificate from this CA is required
};

// Options for a plain server presenting `certificate`.
TlsServerOptions serving(const TestCertificate& certificate);

class TlsTestServer {
public:
    using Handler = std::function<void(TlsConnection&)>;
    // Listens on 127.0.0.1 (port 0) and serves connections one at a time on its own
    // thread. With no handler it answers every request 200 {"status":"ok"}.
    explicit TlsTestServer(TlsServerOptions options, Handler handler = {});
    ~TlsTestServer();
    TlsTestServer(const TlsTestServer&) = delete;
    TlsTestServer& operator=(const TlsTestServer&) = delete;

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string url(std::string_view path = "/") const;
    // Every decrypted byte any client sent, over all connections.
    [[nodiscard]] std::string received() const;
    [[nodiscard]] int connections_accepted() const { return accepted_.load(); }
    [[nodiscard]] int handshakes_completed() const { return handshakes_.load(); }
    // Waits until `count` connections have been handled to the end (so received() is
    // final for them); false after `timeout`.
    bool wait_for_finished(int count, std::chrono::milliseconds timeout) const;

    // A complete HTTP/1.1 answer with Content-Length and Connection: close.
    static std::string response(int status, std::string_view body,
                                const std::vector<std::string>& extra_header_lines = {});

private:
    void serve();
    void handle(int client_fd);

    struct Context;
    std::unique_ptr<Context> context_;
    Handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::atomic<int> handshakes_{0};
    std::atomic<int> finished_{0};
    mutable std::mutex mutex_;
    std::string received_;
    std::thread thread_;
};

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
public:
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace kiosk::testing
