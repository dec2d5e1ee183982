// libcurl for the Notifier: SMTP submission (TLS required, no plaintext fallback) and the
// SMS gateway's POST. Every option protecting the connection is set here; verification is
// never switched off (scripts/check-tls-verification.sh).
#include "notifier_transport.hpp"

#include <algorithm>
#include <curl/curl.h>
#include <memory>
#include <string_view>

namespace kiosk::central::transport {
namespace {

struct CurlDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
// A header list whose strings are wiped before they are freed (one holds the token).
struct SlistDeleter {
    void operator()(curl_slist* list) const {
        for (curl_slist* item = list; item != nullptr; item = item->next) {
            secure_wipe(item->data, std::char_traits<char>::length(item->data));
        }
        curl_slist_free_all(list);
    }
};
using Handle = std::unique_ptr<CURL, CurlDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

bool append(Slist& list, const std::string& line) {
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (grown == nullptr) {
        return false;
    }
    (void)list.release();
    list.reset(grown);
    return true;
}

struct Upload {
    std::string_view rest;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const size_t n = std::min(size * count, upload->rest.size());
    std::copy_n(upload->rest.data(), n, buffer);
    upload->rest.remove_prefix(n);
    return n;
}

// The gateway's answer is not needed; at most 64 KiB is read so a hostile one cannot grow
// the process.
size_t discard(char*, size_t size, size_t count, void* user) {
    auto* total = static_cast<size_t*>(user);
    *total += size * count;
    return *total > 65536 ? 0 : size * count;
}

void set_tls(CURL* h, const std::filesystem::path& ca_file) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!ca_file.empty()) {
        curl_easy_setopt(h, CURLOPT_CAINFO, ca_file.c_str());
    }
}

std::string curl_reason(CURLcode code, const char* detail) {
    std::string why = curl_easy_strerror(code);
    if (detail != nullptr && detail[0] != '\0') {
        why += std::string(": ") + detail;
    }
    return why;
}

} // namespace

bool global_init() {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void global_cleanup() {
    curl_global_cleanup();
}

Result send_smtp(const SmtpSettings& settings, const SecretString& password, const std::string& to,
                 const std::string& payload) {
    Handle h(curl_easy_init());
    if (!h) {
        return {false, true, "libcurl could not make a handle"};
    }
    char detail[CURL_ERROR_SIZE] = {};
    CURL* c = h.get();
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c, CURLOPT_URL, settings.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    // CURLUSESSL_ALL: the relay must offer STARTTLS and the handshake must succeed, or
    // nothing is sent — never a fallback to plaintext.
    curl_easy_setopt(
        c, CURLOPT_USE_SSL,
        static_cast<long>(settings.starttls_required ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    set_tls(c, settings.ca_file);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(settings.connect_timeout_seconds));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(settings.timeout_seconds));
    const std::string from = "<" + settings.from + ">";
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    Slist recipients;
    if (!append(recipients, "<" + to + ">")) {
        return {false, true, "out of memory"};
    }
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    if (!settings.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, settings.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.str().c_str());
    }
    Upload upload{payload};
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    const CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        return {true, false, {}};
    }
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    // A permanent refusal of the recipient or the message (5xx) will not change by itself;
    // anything else (no connection, a 4xx "try later", TLS trouble) is tried again.
    const bool permanent = reply >= 500 && reply < 600 && rc != CURLE_LOGIN_DENIED;
    std::string why = curl_reason(rc, detail);
    if (reply != 0) {
        why += " (last reply " + std::to_string(reply) + ")";
    }
    return {false, !permanent, why};
}

Result post_json(const SmsSettings& settings, const SecretString& token, const std::string& body) {
    Handle h(curl_easy_init());
    if (!h) {
        return {false, true, "libcurl could not make a handle"};
    }
    char detail[CURL_ERROR_SIZE] = {};
    CURL* c = h.get();
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c, CURLOPT_URL, settings.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http"); // http: loopback only, see create
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    set_tls(c, settings.ca_file);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(settings.connect_timeout_seconds));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(settings.timeout_seconds));
    Slist headers;
    bool ok = append(headers, "Content-Type: application/json") && append(headers, "Expect:");
    if (!token.empty()) {
        std::string line = settings.auth_header + ": " + settings.auth_prefix + token.str();
        ok = ok && append(headers, line);
        secure_wipe(line);
    }
    if (!ok) {
        return {false, true, "out of memory"};
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    size_t received = 0;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        return {false, true, curl_reason(rc, detail)};
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
        return {true, false, {}};
    }
    const bool retry = status == 408 || status == 429 || status >= 500;
    return {false, retry, "the gateway answered " + std::to_string(status)};
}

} // namespace kiosk::central::transport
