// libcurl behind HttpsClient. Every option that protects the connection is set here and
// nowhere else, so one review covers them all.
#include "kiosk/net/http_client.hpp"

#include "kiosk/common/secret.hpp"

#include <curl/curl.h>
#include <stdexcept>

namespace kiosk::net {
namespace {

struct WriteState {
    std::string body;
    std::size_t cap = 0;
    bool overflowed = false;
};

extern "C" std::size_t write_capped(char* data, std::size_t size, std::size_t count, void* user) {
    auto* state = static_cast<WriteState*>(user);
    const std::size_t bytes = size * count;
    if (state->body.size() + bytes > state->cap) {
        state->overflowed = true;
        return 0; // makes libcurl abort with CURLE_WRITE_ERROR
    }
    state->body.append(data, bytes);
    return bytes;
}

TransportFailureKind classify(CURLcode code) {
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return TransportFailureKind::Timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return TransportFailureKind::Tls;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return TransportFailureKind::Refused;
    default:
        return TransportFailureKind::Unreachable;
    }
}

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

} // namespace

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
    CURL* handle = nullptr;
};

HttpsClient::HttpsClient(ClientSettings settings) : impl_(std::make_unique<Impl>()) {
    impl_->settings = std::move(settings);
    impl_->handle = curl_easy_init();
    if (impl_->handle == nullptr) {
        throw std::runtime_error("curl_easy_init failed");
    }
}

HttpsClient::~HttpsClient() {
    curl_easy_cleanup(impl_->handle);
}

HttpResult HttpsClient::get(const std::string& url) {
    return perform(url, nullptr);
}

HttpResult HttpsClient::post_json(const std::string& url, std::string_view json_body) {
    return perform(url, &json_body);
}

HttpResult HttpsClient::perform(const std::string& url, const std::string_view* json_body) {
    if (url.rfind("https://", 0) != 0) {
        return TransportFailure{TransportFailureKind::Refused, "only https:// URLs are allowed"};
    }
    CURL* h = impl_->handle;
    const ClientSettings& s = impl_->settings;
    curl_easy_reset(h); // keeps the connection cache, drops the previous request's options

    WriteState state;
    state.cap = s.max_response_bytes;
    std::unique_ptr<curl_slist, SlistDeleter> headers(
        curl_slist_append(nullptr, "Accept: application/json"));
    if (json_body != nullptr) {
        headers.reset(curl_slist_append(headers.release(), "Content-Type: application/json"));
    }

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(h, CURLOPT_CAINFO, s.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr); // the configured CA only, not the system store
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(s.total_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 10L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(s.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_USERAGENT, s.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_capped);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
    if (json_body != nullptr) {
        // libcurl reads the caller's buffer in place: no copy of a secret body is made here.
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body->data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(json_body->size()));
    }

    const CURLcode code = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
    if (state.overflowed || code == CURLE_FILESIZE_EXCEEDED) {
        secure_wipe(state.body);
        return TransportFailure{TransportFailureKind::TooLarge,
                                "response larger than " + std::to_string(s.max_response_bytes) +
                                    " bytes"};
    }
    if (code != CURLE_OK) {
        secure_wipe(state.body);
        return TransportFailure{classify(code), curl_easy_strerror(code)};
    }
    HttpResponse response;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    response.body = std::move(state.body);
    return response;
}

std::string_view to_string(TransportFailureKind kind) {
    switch (kind) {
    case TransportFailureKind::Unreachable:
        return "unreachable";
    case TransportFailureKind::Timeout:
        return "timeout";
    case TransportFailureKind::Tls:
        return "tls";
    case TransportFailureKind::TooLarge:
        return "too_large";
    case TransportFailureKind::Refused:
        return "refused";
    }
    return "unknown";
}

} // namespace kiosk::net
