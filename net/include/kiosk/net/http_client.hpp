// HttpsClient: one libcurl easy handle, used from one thread at a time, that only speaks
// https, always verifies the server against the configured CA, never follows redirects,
// and caps time and response size. CURL never appears in this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::net {

// Process-wide libcurl setup; create one in main (or a test) before any client.
class CurlGlobal {
public:
    CurlGlobal();
    ~CurlGlobal();
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
};

struct ClientSettings {
    std::filesystem::path ca_file;                    // the only trust anchor
    std::chrono::milliseconds connect_timeout{5'000}; // TCP + TLS handshake
    std::chrono::milliseconds total_timeout{15'000};  // whole request
    std::size_t max_response_bytes = 1024 * 1024;     // bigger answers are refused
    std::string user_agent = "kiosk";
};

struct HttpResponse {
    long status = 0;
    std::string body;
};

// Why a request got no HTTP answer at all.
enum class TransportFailureKind {
    Unreachable, // DNS, refused connection, reset
    Timeout,     // connect or total timeout
    Tls,         // handshake failed or the certificate did not verify
    TooLarge,    // the answer passed max_response_bytes
    Refused,     // a URL we do not send to (not https, say)
};

struct TransportFailure {
    TransportFailureKind kind;
    std::string detail; // libcurl's words, for logs; never shown to walk-up users
};

using HttpResult = std::variant<HttpResponse, TransportFailure>;

class HttpsClient {
public:
    explicit HttpsClient(ClientSettings settings);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    HttpResult get(const std::string& url);
    // `json_body` may hold a secret: the client keeps no copy of it after returning.
    HttpResult post_json(const std::string& url, std::string_view json_body);

private:
    HttpResult perform(const std::string& url, const std::string_view* json_body);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string_view to_string(TransportFailureKind kind);

} // namespace kiosk::net
