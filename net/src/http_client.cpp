// libcurl behind HttpsClient. Every option that protects the connection is set here and
// nowhere else, so one review covers them all; scripts/check-tls-verification.sh fails the
// test run if any source turns verification off.
#include "kiosk/net/http_client.hpp"

#include "kiosk/common/secret.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <curl/curl.h>
#include <memory>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <set>
#include <stdexcept>

namespace kiosk::net {
namespace {

constexpr std::size_t kMaxHeaders = 100;

// The leaf certificate from libcurl's CURLINFO_CERTINFO ("Cert:" holds its PEM), read with
// OpenSSL so the subject and expiry do not depend on how libcurl words them.
std::optional<PeerCertificate> peer_certificate(CURL* h) {
    curl_certinfo* info = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
        info->num_of_certs < 1) {
        return std::nullopt;
    }
    for (const curl_slist* item = info->certinfo[0]; item != nullptr; item = item->next) {
        const std::string_view line(item->data);
        if (!line.starts_with("Cert:")) {
            continue;
        }
        const std::string_view pem = line.substr(5);
        std::unique_ptr<BIO, decltype(&BIO_free)> in(
            BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
        if (!in) {
            return std::nullopt;
        }
        std::unique_ptr<X509, decltype(&X509_free)> cert(
            PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
        if (!cert) {
            return std::nullopt;
        }
        std::tm expiry{};
        if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &expiry) != 1) {
            return std::nullopt;
        }
        std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
        if (!out || X509_NAME_print_ex(out.get(), X509_get_subject_name(cert.get()), 0,
                                       XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0) {
            return std::nullopt;
        }
        char* text = nullptr;
        const long length = BIO_get_mem_data(out.get(), &text);
        PeerCertificate peer;
        peer.subject.assign(text, static_cast<std::size_t>(std::max(length, 0L)));
        peer.not_after = std::chrono::system_clock::from_time_t(timegm(&expiry));
        return peer;
    }
    return std::nullopt;
}

struct ResponseState {
    std::string body;
    std::vector<Header> headers;
    std::size_t used = 0; // header and body bytes, against the cap
    std::size_t cap = 0;
    bool overflowed = false;
};

bool take(ResponseState& state, std::size_t bytes) {
    if (state.used + bytes > state.cap) {
        state.overflowed = true;
        return false;
    }
    state.used += bytes;
    return true;
}

extern "C" std::size_t write_capped(char* data, std::size_t size, std::size_t count, void* user) {
    auto* state = static_cast<ResponseState*>(user);
    const std::size_t bytes = size * count;
    if (!take(*state, bytes)) {
        return 0; // makes libcurl abort with CURLE_WRITE_ERROR
    }
    if (state->body.size() + bytes > state->body.capacity()) {
        // Grown by hand so the old buffer is wiped: an answer may carry a secret (a token,
        // an authenticator's key) and a reallocation would leave a piece of it in freed memory.
        std::string grown;
        grown.reserve(std::max(state->body.capacity() * 2, state->body.size() + bytes));
        grown.append(state->body);
        secure_wipe(state->body);
        state->body = std::move(grown);
    }
    state->body.append(data, bytes);
    return bytes;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

extern "C" std::size_t header_capped(char* data, std::size_t size, std::size_t count, void* user) {
    auto* state = static_cast<ResponseState*>(user);
    const std::size_t bytes = size * count;
    if (!take(*state, bytes)) {
        return 0;
    }
    const std::string_view line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
        state->headers.clear(); // a new response (after 100 Continue): keep the final one's
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || state->headers.size() >= kMaxHeaders) {
        return bytes;
    }
    std::string name(trim(line.substr(0, colon)));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    state->headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
    return bytes;
}

TransportFailureKind classify(CURLcode code, long verify_result, std::string_view message) {
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        // libcurl reports its low-speed abort with the same code as a timeout.
        return message.find("too slow") != std::string_view::npos ? TransportFailureKind::Stalled
                                                                  : TransportFailureKind::Timeout;
    case CURLE_PEER_FAILED_VERIFICATION:
        // libcurl checks the host name itself, after OpenSSL verified the chain, and leaves
        // no verify result behind: its message is what tells this case apart.
        if (message.find("host name") != std::string_view::npos ||
            message.find("subject name") != std::string_view::npos) {
            return TransportFailureKind::HostnameMismatch;
        }
        switch (verify_result) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return TransportFailureKind::CertificateExpired;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return TransportFailureKind::HostnameMismatch;
        default:
            return TransportFailureKind::CertificateUntrusted;
        }
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return TransportFailureKind::PinMismatch;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        return TransportFailureKind::Tls;
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
        return TransportFailureKind::Misconfigured;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return TransportFailureKind::Refused;
    case CURLE_ABORTED_BY_CALLBACK:
        return TransportFailureKind::Cancelled;
    default:
        return TransportFailureKind::Unreachable;
    }
}

extern "C" int cancel_check(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/,
                            curl_off_t /*ultotal*/, curl_off_t /*ulnow*/) {
    const auto* cancel = static_cast<const std::atomic<bool>*>(user);
    return cancel->load() ? 1 : 0; // non-zero makes libcurl abort the transfer
}

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

bool append(Slist& list, const std::string& line) {
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (grown == nullptr) {
        return false;
    }
    list.release();
    list.reset(grown);
    return true;
}

bool valid_pin(std::string_view pin) {
    static constexpr std::string_view kPrefix = "sha256//";
    if (pin.rfind(kPrefix, 0) != 0) {
        return false;
    }
    const std::string_view b64 = pin.substr(kPrefix.size());
    // 32 bytes of SHA-256 are 44 base64 characters, the last one padding.
    return b64.size() == 44 && b64.back() == '=' &&
           b64.substr(0, 43).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
                                               "xyz0123456789+/") == std::string_view::npos;
}

void check_settings(const ClientSettings& s) {
    if (!s.pinned_public_keys.empty()) {
        const std::set<std::string> distinct(s.pinned_public_keys.begin(),
                                             s.pinned_public_keys.end());
        if (distinct.size() < 2) {
            throw std::invalid_argument(
                "public key pinning needs a backup pin: at least two distinct pins");
        }
        for (const auto& pin : distinct) {
            if (!valid_pin(pin)) {
                throw std::invalid_argument("malformed public key pin (want sha256//<base64>)");
            }
        }
    }
    if (s.client_certificate.empty() != s.client_key.empty()) {
        throw std::invalid_argument("a client certificate and its key go together");
    }
    if (s.connect_timeout.count() <= 0 || s.total_timeout.count() <= 0 || s.low_speed_bytes <= 0 ||
        s.low_speed_seconds <= 0 || s.max_response_bytes == 0) {
        throw std::invalid_argument("timeouts, low-speed limits and the size cap must be > 0");
    }
}

} // namespace

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (n == name) {
            return std::string_view(v);
        }
    }
    return std::nullopt;
}

bool valid_header(std::string_view name, std::string_view value) {
    if (name.empty() || name.size() > 64 || value.size() > 1024) {
        return false;
    }
    for (char c : name) {
        const auto b = static_cast<unsigned char>(c);
        if (!(std::isalnum(b) != 0 || c == '-' || c == '_')) {
            return false;
        }
    }
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return (b < 0x20 && c != '\t') || b == 0x7f;
    });
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
    value = trim(value);
    if (value.empty()) {
        return std::nullopt;
    }
    if (value.find_first_not_of("0123456789") == std::string_view::npos) {
        if (value.size() > 9) {
            return std::nullopt; // absurd; the caller caps sensible values anyway
        }
        return std::chrono::seconds(std::stol(std::string(value)));
    }
    const std::string text(value);
    const time_t when = curl_getdate(text.c_str(), nullptr);
    if (when < 0) {
        return std::nullopt;
    }
    const auto delta = std::chrono::system_clock::from_time_t(when) - now;
    return std::max(std::chrono::seconds(0),
                    std::chrono::duration_cast<std::chrono::seconds>(delta));
}

CurlGlobal::CurlGlobal() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        throw std::runtime_error("libcurl failed to initialise");
    }
}

CurlGlobal::~CurlGlobal() {
    curl_global_cleanup();
}

struct HttpsClient::Impl {
    ClientSettings settings;
    std::string pins; // "sha256//a;sha256//b", as CURLOPT_PINNEDPUBLICKEY takes them
    CURL* handle = nullptr;
};

HttpsClient::HttpsClient(ClientSettings settings) : impl_(std::make_unique<Impl>()) {
    check_settings(settings);
    impl_->settings = std::move(settings);
    for (const auto& pin : impl_->settings.pinned_public_keys) {
        impl_->pins += (impl_->pins.empty() ? "" : ";") + pin;
    }
    impl_->handle = curl_easy_init();
    if (impl_->handle == nullptr) {
        throw std::runtime_error("curl_easy_init failed");
    }
}

HttpsClient::~HttpsClient() {
    curl_easy_cleanup(impl_->handle);
}

HttpResult HttpsClient::get(const std::string& url, const std::vector<Header>& headers) {
    return perform(url, nullptr, headers, false);
}

HttpResult HttpsClient::post_json(const std::string& url, std::string_view json_body,
                                  const std::vector<Header>& headers) {
    return perform(url, &json_body, headers, false);
}

HttpResult HttpsClient::post_secret_json(const std::string& url, std::string_view json_body,
                                         const std::vector<Header>& headers) {
    return perform(url, &json_body, headers, true);
}

HttpResult HttpsClient::perform(const std::string& url, const std::string_view* json_body,
                                const std::vector<Header>& extra_headers, bool own_connection) {
    if (url.rfind("https://", 0) != 0) {
        return TransportFailure{TransportFailureKind::Refused, "only https:// URLs are allowed"};
    }
    // A secret's request gets a handle of its own, cleaned up (its connection, receive buffer
    // and OpenSSL's record buffers freed) when this returns; the shared one keeps them.
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> own(
        own_connection ? curl_easy_init() : nullptr, &curl_easy_cleanup);
    if (own_connection && !own) {
        return TransportFailure{TransportFailureKind::Refused, "curl_easy_init failed"};
    }
    CURL* h = own_connection ? own.get() : impl_->handle;
    const ClientSettings& s = impl_->settings;
    curl_easy_reset(h); // keeps the connection cache, drops the previous request's options

    ResponseState state;
    state.cap = s.max_response_bytes;
    Slist headers;
    bool headers_ok = append(headers, "Accept: application/json");
    if (json_body != nullptr) {
        headers_ok = headers_ok && append(headers, "Content-Type: application/json");
    }
    // libcurl would send "Expect: 100-continue" for large bodies and then send the body
    // anyway after a second; we want one round trip and no half-sent requests.
    headers_ok = headers_ok && append(headers, "Expect:");
    for (const auto& [name, value] : extra_headers) {
        if (!valid_header(name, value)) {
            return TransportFailure{TransportFailureKind::Refused,
                                    "refusing to send a malformed header: " + name};
        }
        headers_ok = headers_ok && append(headers, name + ": " + value);
    }
    if (!headers_ok) {
        return TransportFailure{TransportFailureKind::Refused, "out of memory building headers"};
    }

    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); // an environment proxy must not see our traffic
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(h, CURLOPT_CAINFO, s.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr); // the configured CA only, not the system store
    if (!impl_->pins.empty()) {
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, impl_->pins.c_str());
    }
    std::error_code missing;
    if (!s.client_certificate.empty() && (!s.client_certificate_when_present ||
                                          (std::filesystem::exists(s.client_certificate, missing) &&
                                           std::filesystem::exists(s.client_key, missing)))) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, s.client_certificate.c_str());
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(h, CURLOPT_SSLKEY, s.client_key.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(s.total_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, s.low_speed_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, s.low_speed_seconds);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(s.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_USERAGENT, s.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_capped);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_capped);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &state);
    if (s.capture_peer_certificate) {
        curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
    }
    if (s.cancel != nullptr) {
        if (s.cancel->load()) {
            return TransportFailure{TransportFailureKind::Cancelled, "cancelled before sending"};
        }
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cancel_check);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, s.cancel);
    }
    if (json_body != nullptr) {
        // libcurl reads the caller's buffer in place: no copy of a secret body is made here.
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body->data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(json_body->size()));
    }

    const CURLcode code = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    if (state.overflowed || code == CURLE_FILESIZE_EXCEEDED) {
        secure_wipe(state.body);
        return TransportFailure{TransportFailureKind::TooLarge,
                                "response larger than " + std::to_string(s.max_response_bytes) +
                                    " bytes"};
    }
    if (code != CURLE_OK) {
        secure_wipe(state.body);
        long verify_result = X509_V_OK;
        curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify_result);
        std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
        return TransportFailure{classify(code, verify_result, detail), std::move(detail)};
    }
    HttpResponse response;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    if (response.status >= 300 && response.status < 400) {
        secure_wipe(state.body);
        std::string detail = "redirect " + std::to_string(response.status) + " not followed";
        for (const auto& [name, value] : state.headers) {
            if (name == "location") {
                detail += " (to " + value.substr(0, 200) + ")";
            }
        }
        return TransportFailure{TransportFailureKind::Redirected, std::move(detail)};
    }
    response.body = std::move(state.body);
    response.headers = std::move(state.headers);
    if (s.capture_peer_certificate) {
        response.peer = peer_certificate(h);
    }
    return response;
}

std::string_view to_string(TransportFailureKind kind) {
    switch (kind) {
    case TransportFailureKind::Unreachable:
        return "unreachable";
    case TransportFailureKind::Timeout:
        return "timeout";
    case TransportFailureKind::Stalled:
        return "stalled";
    case TransportFailureKind::Tls:
        return "tls";
    case TransportFailureKind::CertificateExpired:
        return "certificate_expired";
    case TransportFailureKind::CertificateUntrusted:
        return "certificate_untrusted";
    case TransportFailureKind::HostnameMismatch:
        return "hostname_mismatch";
    case TransportFailureKind::PinMismatch:
        return "pin_mismatch";
    case TransportFailureKind::TooLarge:
        return "too_large";
    case TransportFailureKind::Redirected:
        return "redirected";
    case TransportFailureKind::Refused:
        return "refused";
    case TransportFailureKind::Misconfigured:
        return "misconfigured";
    case TransportFailureKind::Cancelled:
        return "cancelled";
    }
    return "unknown";
}

} // namespace kiosk::net
