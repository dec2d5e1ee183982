// HttpsClient: one libcurl easy handle, used from one thread at a time, that only speaks
// https, always verifies the server against the configured CA (and, when configured, its
// public key pins), never follows redirects, and caps time, stalls and response size.
// CURL never appears in this header. docs/internals/net.md lists every guard and its test.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
    // A transfer slower than low_speed_bytes per second for low_speed_seconds is aborted, so
    // a server that drips bytes cannot hold the worker until the total timeout.
    long low_speed_bytes = 64;
    long low_speed_seconds = 5;
    std::size_t max_response_bytes = 1024 * 1024; // bigger answers (headers + body) are refused
    std::string user_agent = "kiosk";
    // SPKI pins, each "sha256//<base64 of SHA-256 of the DER SubjectPublicKeyInfo>". Empty:
    // no pinning (the CA alone decides). When set, at least two distinct pins are required
    // (the live key and a backup), so rotating the central's key cannot strand the fleet.
    std::vector<std::string> pinned_public_keys;
    // Mutual TLS: the kiosk's client certificate chain and key (PEM). Both or neither.
    std::filesystem::path client_certificate;
    std::filesystem::path client_key;
    // Present them only while both files exist (looked at on every request), so a kiosk
    // that enrols while it runs presents its new certificate without a restart.
    bool client_certificate_when_present = false;
    // When set, a request in flight ends (as Cancelled) within about a second of it turning
    // true, so a worker thread can stop without waiting out total_timeout. Not owned.
    const std::atomic<bool>* cancel = nullptr;
    // Fill HttpResponse::peer with the server's certificate (subject, expiry). Off by
    // default: only the connectivity monitor shows it, and it costs a copy of the chain.
    bool capture_peer_certificate = false;
};

// The server's leaf certificate as the handshake presented it (after verification).
struct PeerCertificate {
    std::string subject; // OpenSSL's one-line form, e.g. "CN = central.example"
    std::chrono::system_clock::time_point not_after;
};

// An extra request header, e.g. {"Idempotency-Key", "..."}. Names are tokens; values carry
// no control characters (checked, so nothing can smuggle a second header line).
using Header = std::pair<std::string, std::string>;

struct HttpResponse {
    long status = 0;
    std::string body;
    std::vector<Header> headers; // names lower-cased; the final response's only
    // With ClientSettings::capture_peer_certificate, when this request made a handshake
    // (a reused connection has none to show).
    std::optional<PeerCertificate> peer;
    // The first value of header `name` (lower case), or nullopt.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

// Why a request got no usable HTTP answer. Each guard has its own kind, so logs and the
// maintenance screen can say which one fired.
enum class TransportFailureKind {
    Unreachable,          // DNS, refused connection, reset
    Timeout,              // connect or total timeout
    Stalled,              // slower than the low-speed limit for too long
    Tls,                  // handshake failed: protocol version, cipher, alert
    CertificateExpired,   // the server's certificate (or its chain) is out of its validity
    CertificateUntrusted, // the chain does not lead to ca_file
    HostnameMismatch,     // the certificate is not for the host in the URL
    PinMismatch,          // verified, but the public key matches none of the pins
    TooLarge,             // the answer passed max_response_bytes
    Redirected,           // a 3xx answer: never followed, since it could lead anywhere
    Refused,              // a request we do not send: not https, bad URL, bad header
    Misconfigured,        // our own settings are unusable: CA file, client cert, pins
    Cancelled,            // ClientSettings::cancel turned true: we are shutting down
};

struct TransportFailure {
    TransportFailureKind kind;
    std::string detail; // libcurl's words, for logs; never shown to walk-up users
};

using HttpResult = std::variant<HttpResponse, TransportFailure>;

class HttpsClient {
public:
    // Throws std::invalid_argument when `settings` are unusable (one pin, a client key
    // without a certificate, a malformed pin): a deployment error to fix, not to retry.
    explicit HttpsClient(ClientSettings settings);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    HttpResult get(const std::string& url, const std::vector<Header>& headers = {});
    // `json_body` may hold a secret: the client keeps no copy of it after returning.
    HttpResult post_json(const std::string& url, std::string_view json_body,
                         const std::vector<Header>& headers = {});
    // For a request or answer that carries a secret (a password, a code, a token, an
    // authenticator's key): sent on a connection of its own, closed before returning, so
    // libcurl's and OpenSSL's buffers that held it are freed (and, in the kiosk, wiped) rather
    // than kept for the next request. Costs a TLS handshake.
    HttpResult post_secret_json(const std::string& url, std::string_view json_body,
                                const std::vector<Header>& headers = {});

private:
    HttpResult perform(const std::string& url, const std::string_view* json_body,
                       const std::vector<Header>& headers, bool own_connection);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string_view to_string(TransportFailureKind kind);

// True when `name: value` is a header we are willing to send.
bool valid_header(std::string_view name, std::string_view value);

// The delay an HTTP Retry-After value asks for (delta-seconds or an HTTP date, RFC 9110
// §10.2.3), measured from `now`; nullopt when the value is neither.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

} // namespace kiosk::net
