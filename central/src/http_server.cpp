// Routes of the /v1 API. Each mutating route is a function from (path, body) to a reply,
// so that a single request and a batch item run the very same code, under the same
// idempotency record. Index: [helpers] [idempotency] [batch] [routes].
#include "kiosk/central/http_server.hpp"

#include "confirm_routes.hpp"
#include "fleet_routes.hpp"
#include "kiosk/central/client_ca.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/common/base64.hpp"
#include "kiosk/common/sealed_box.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/version.hpp"
#include "record_routes.hpp"
#include "route_helpers.hpp"
#include "staff_routes.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <httplib.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>
#include <unordered_map>

namespace kiosk::central {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxBatchItems = 100;
constexpr std::int64_t kPurgeIntervalSeconds = 3600;
constexpr const char* kBatchPath = "/v1/sync/batch";

// [helpers] ---------------------------------------------------------------------------

struct Reply {
    int status = 200;
    std::string body;
};

Reply error_reply(int status, std::string_view code, std::string message) {
    return {status,
            api::error_body({std::string(code), std::move(message), std::nullopt, std::nullopt})};
}

template <typename T> Reply outcome_reply(const Outcome<T>& outcome, int success_status) {
    if (const auto* failure = std::get_if<ServiceError>(&outcome)) {
        return {failure->http_status, api::error_body(failure->error)};
    }
    return {success_status, api::serialize(std::get<T>(outcome))};
}

Reply bad_body() {
    return error_reply(400, api::error_code::kBadRequest,
                       "The body must be a JSON object with the documented fields and types.");
}

// 1–128 characters of [A-Za-z0-9_-], as the sync contract says.
bool valid_idempotency_key(std::string_view key) {
    if (key.empty() || key.size() > 128) {
        return false;
    }
    for (const char c : key) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

// "/v1/verifications/{id}/check" → id; empty when `path` is not of that form.
std::string check_route_challenge(std::string_view path) {
    constexpr std::string_view prefix = "/v1/verifications/";
    constexpr std::string_view suffix = "/check";
    if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) ||
        !path.ends_with(suffix)) {
        return {};
    }
    const auto id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (id.size() > 64 || !valid_idempotency_key(id)) { // the same alphabet
        return {};
    }
    return std::string(id);
}

// "/v1/verifications/{id}/resend" → id; empty when `path` is not of that form.
std::string resend_route_challenge(std::string_view path) {
    constexpr std::string_view suffix = "/resend";
    if (!path.ends_with(suffix)) {
        return {};
    }
    // The same form as the check route, with the other last segment.
    return check_route_challenge(std::string(path.substr(0, path.size() - suffix.size())) +
                                 "/check");
}

// The seconds a 429 answer asks the caller to wait (its error's retry_after_seconds), for
// the Retry-After header; also when the answer is a replayed one.
std::optional<int> retry_after_of(const std::string& body) {
    const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.contains("error") && doc["error"].is_object() &&
        doc["error"].contains("retry_after_seconds") &&
        doc["error"]["retry_after_seconds"].is_number_integer()) {
        return doc["error"]["retry_after_seconds"].get<int>();
    }
    return std::nullopt;
}

// A 429 (over the rate limit, fresh or replayed) also says in Retry-After how long to wait.
void write_reply(httplib::Response& res, const Reply& reply) {
    res.status = reply.status;
    res.set_content(reply.body, "application/json");
    if (reply.status == 429) {
        if (const auto seconds = retry_after_of(reply.body)) {
            res.set_header("Retry-After", std::to_string(*seconds));
        }
    }
}

// Overwrites every string inside `doc`: batch bodies carry passwords and codes.
void wipe_strings(json& doc) {
    if (doc.is_string()) {
        secure_wipe(doc.get_ref<std::string&>());
    } else if (doc.is_structured()) {
        for (auto& child : doc) {
            wipe_strings(child);
        }
    }
}

// The body in one canonical form (compact, keys sorted) when it is JSON, so that the
// same request sent alone and later inside a batch fingerprints the same.
std::string canonical_body(const std::string& body) {
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        return body;
    }
    std::string text = doc.dump();
    wipe_strings(doc);
    return text;
}

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
             &length) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[mac[i] >> 4];
        hex += kHex[mac[i] & 0xF];
    }
    return hex;
}

} // namespace

struct CentralHttpServer::Impl {
    CentralService& service;
    Store& store;
    HttpSettings settings;
    RateLimiter limiter;
    httplib::SSLServer server;
    std::atomic<std::int64_t> last_purge{0};
    std::unique_ptr<RecordRoutes> records; // tickets, feedback, audit (settings.records)
    // Requests being answered, by address, with when routing began (the latency metric).
    std::mutex started_mutex;
    std::unordered_map<const httplib::Request*, std::chrono::steady_clock::time_point> started;

    Impl(CentralService& s, Store& st, HttpSettings h)
        : service(s), store(st), settings(std::move(h)), limiter(st, settings.rate_limit),
          server(settings.certificate.c_str(), settings.private_key.c_str()) {}

    // [routes] The mutating routes; nullopt when `path` is none of them.
    // `prehashed`: a reset's Argon2id hash made ahead by a batch (see batch()).
    // `kiosk`: the kiosk credential the request (or its batch) carried, if any.
    std::optional<Reply> dispatch(const std::string& path, const std::string& body,
                                  const std::optional<std::string>& prehashed = std::nullopt,
                                  const std::optional<KioskIdentity>& kiosk = std::nullopt) {
        if (path == "/v1/verifications") {
            auto request = api::parse<api::StartVerificationRequest>(body);
            return request ? outcome_reply(service.start_verification(*request), 202) : bad_body();
        }
        if (const auto challenge = check_route_challenge(path); !challenge.empty()) {
            auto request = api::parse<api::CheckCodeRequest>(body);
            if (!request) {
                return bad_body();
            }
            Reply reply = outcome_reply(service.check_code(challenge, *request), 200);
            secure_wipe(request->code);
            return reply;
        }
        if (const auto challenge = resend_route_challenge(path); !challenge.empty()) {
            const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
            if (!body.empty() && !(doc.is_object() && doc.empty())) {
                return error_reply(400, api::error_code::kBadRequest,
                                   "The body must be empty or {}.");
            }
            auto resent = service.resend_code(challenge);
            Reply reply = outcome_reply(resent.outcome, 202);
            if (resent.retry_after_seconds > 0) {
                json answer = json::parse(reply.body);
                answer["error"]["retry_after_seconds"] = resent.retry_after_seconds;
                reply.body = answer.dump();
            }
            return reply;
        }
        if ((path == "/v1/password-resets" || path == "/v1/unlocks") &&
            settings.confirmations != nullptr && OfflineConfirmations::is_offline_request(body)) {
            // Made while the kiosk could not reach us: held until the owner confirms.
            auto outcome = settings.confirmations->receive(path, body, prehashed);
            if (const auto* failure = std::get_if<ServiceError>(&outcome)) {
                return Reply{failure->http_status, api::error_body(failure->error)};
            }
            return Reply{202, std::move(std::get<std::string>(outcome))};
        }
        if (path == "/v1/password-resets") {
            auto request = api::parse<api::ResetPasswordRequest>(body);
            if (!request) {
                return bad_body();
            }
            Reply reply = outcome_reply(service.reset_password(*request, prehashed), 200);
            secure_wipe(request->new_password);
            secure_wipe(request->verification_token);
            return reply;
        }
        if (path == "/v1/unlocks") {
            auto request = api::parse<api::UnlockRequest>(body);
            if (!request) {
                return bad_body();
            }
            Reply reply = outcome_reply(service.unlock(*request), 200);
            secure_wipe(request->verification_token);
            return reply;
        }
        if (path == "/v1/sign-ins") {
            auto request = api::parse<api::SignInRequest>(body);
            if (!request) {
                return bad_body();
            }
            Reply reply = outcome_reply(service.sign_in(*request), 200);
            secure_wipe(request->password);
            return reply;
        }
        if (records && RecordRoutes::handles(path)) {
            auto reply = records->dispatch(path, body, kiosk);
            return Reply{reply.status, std::move(reply.body)};
        }
        return std::nullopt;
    }

    // Whether `path` (with `body`) is one of the rate-limited walk-up routes: those that
    // check a guess (a code, a password) or send a message (a code, a confirmation).
    bool limited(const std::string& path, const std::string& body) const {
        if (path == "/v1/verifications" || path == "/v1/verification-options" ||
            path == "/v1/sign-ins" || path == "/v1/activations" ||
            !check_route_challenge(path).empty() || !resend_route_challenge(path).empty() ||
            !activation_of(path).empty()) {
            return true;
        }
        return (path == "/v1/password-resets" || path == "/v1/unlocks") &&
               settings.confirmations != nullptr && OfflineConfirmations::is_offline_request(body);
    }

    // The 429 for a caller over its limit; nullopt when the request may run. Counted
    // before any idempotency record is made: a refused request is not stored, so a retry
    // with the same key after the wait runs.
    std::optional<Reply> over_limit(const std::string& subject, const std::string& path,
                                    const std::string& body) {
        if (!limiter.enabled() || !limited(path, body)) {
            return std::nullopt;
        }
        const auto verdict = limiter.hit(subject, unix_now());
        if (verdict.allowed) {
            return std::nullopt;
        }
        spdlog::info("rate limit: {} refused for {} ({} s left)", path, subject,
                     verdict.retry_after_seconds);
        return Reply{429, rate_limited_body(verdict.retry_after_seconds)};
    }

    // [idempotency] Runs a mutating route under `key` (empty: no key, no record).
    Reply run(const std::string& key, const std::string& path, const std::string& body,
              bool& replayed, const std::optional<KioskIdentity>& kiosk = std::nullopt) {
        replayed = false;
        const auto now = unix_now();
        purge_if_due(now);
        if (records) {
            if (auto refusal = records->refuse(path, kiosk)) { // before any record is kept
                return Reply{refusal->status, std::move(refusal->body)};
            }
        }
        if (key.empty()) {
            return dispatch(path, body, std::nullopt, kiosk)
                .value_or(
                    error_reply(404, api::error_code::kNotFound, "There is no such resource."));
        }
        if (auto answer = claim(key, fingerprint(path, body), now, replayed)) {
            return *answer;
        }
        Reply reply;
        try {
            reply = dispatch(path, body, std::nullopt, kiosk)
                        .value_or(error_reply(404, api::error_code::kNotFound,
                                              "There is no such resource."));
        } catch (...) {
            store.abandon_idempotent(key); // a retry must run again, not replay a failure
            throw;
        }
        if (reply.status >= 500) {
            store.abandon_idempotent(key);
        } else {
            store.finish_idempotent(key, reply.status, reply.body);
        }
        return reply;
    }

    std::string fingerprint(const std::string& path, const std::string& body) const {
        std::string canonical = canonical_body(body);
        std::string result =
            hmac_sha256_hex(settings.request_hash_key, "POST\n" + path + "\n" + canonical);
        secure_wipe(canonical);
        return result;
    }

    // The answer `key`'s record gives without running the request, or nullopt when the
    // key is now claimed for it (run it, then finish or abandon the claim).
    std::optional<Reply> claim(const std::string& key, const std::string& fingerprint,
                               std::int64_t now, bool& replayed) {
        const auto start =
            store.begin_idempotent(key, fingerprint, now, now - settings.idempotency_stale_seconds);
        switch (start.kind) {
        case IdempotencyStart::Kind::kReplay:
            replayed = true;
            return Reply{start.status, start.body};
        case IdempotencyStart::Kind::kMismatch:
            return error_reply(422, api::error_code::kIdempotencyKeyReused,
                               "This Idempotency-Key was used for a different request.");
        case IdempotencyStart::Kind::kInProgress:
            return error_reply(409, api::error_code::kIdempotencyInProgress,
                               "A request with this Idempotency-Key is still being processed. "
                               "Retry later.");
        case IdempotencyStart::Kind::kStarted:
            break;
        }
        return std::nullopt;
    }

    void purge_if_due(std::int64_t now) {
        auto last = last_purge.load();
        if (now - last < kPurgeIntervalSeconds || !last_purge.compare_exchange_strong(last, now)) {
            return;
        }
        service.purge_expired(now);
        limiter.purge(now);
        if (settings.confirmations != nullptr) {
            settings.confirmations->expire(now);
        }
        const auto removed = store.purge_idempotency(
            now - std::int64_t{settings.idempotency_retention_days} * 24 * 3600);
        if (removed > 0) {
            spdlog::info("idempotency: purged {} records older than {} days", removed,
                         settings.idempotency_retention_days);
        }
    }

    // [batch] A batch item after the work that needs no lock: checked, opened,
    // fingerprinted and, for a reset, its password hashed. `early` is its answer when it
    // must not run (a malformed item).
    struct PreparedItem {
        json key;
        std::optional<Reply> early;
        std::string route;
        std::string body;
        std::string fingerprint;
        std::optional<std::string> prehashed;
        PreparedItem() = default;
        PreparedItem(PreparedItem&&) = default;
        PreparedItem& operator=(PreparedItem&&) = default;
        PreparedItem(const PreparedItem&) = delete;
        PreparedItem& operator=(const PreparedItem&) = delete;
        ~PreparedItem() { secure_wipe(body); } // it may hold a password, however we leave
    };

    static json item_result(const json& key, const Reply& reply) {
        return json{{"idempotency_key", key},
                    {"status", reply.status},
                    {"body", json::parse(reply.body, nullptr, false)}};
    }

    // POST /v1/sync/batch: one result per item, in order. The slow per-item work (sealed
    // boxes, Argon2id) runs first without the store's lock; then every item runs in one
    // durable transaction, each item in its own savepoint, so one commit (a few fsyncs)
    // records all the items' effects with their idempotency records, or none of them.
    Reply batch(const std::string& text, const std::optional<KioskIdentity>& kiosk,
                const std::string& subject) {
        json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (doc.is_discarded() || !doc.is_object() || !doc.contains("items") ||
            !doc.at("items").is_array()) {
            return error_reply(400, api::error_code::kBadRequest,
                               "The body must be {\"items\": [...]}.");
        }
        if (doc.at("items").size() > kMaxBatchItems) {
            return error_reply(400, api::error_code::kBadRequest,
                               "A batch holds at most 100 items.");
        }
        purge_if_due(unix_now());
        std::vector<PreparedItem> items;
        for (const auto& item : doc.at("items")) {
            items.push_back(prepare_item(item, kiosk, subject));
        }
        wipe_strings(doc);
        json results = json::array();
        {
            Store::Batch transaction(store); // a failed commit throws: a 500, nothing kept
            for (auto& item : items) {
                const Reply reply = item.early ? *item.early : run_item(transaction, item, kiosk);
                if (settings.metrics != nullptr) {
                    settings.metrics->count_batch_item(reply.status);
                }
                results.push_back(item_result(item.key, reply));
            }
            transaction.commit();
        }
        return {200, json{{"results", std::move(results)}}.dump()};
    }

    PreparedItem prepare_item(const json& item, const std::optional<KioskIdentity>& kiosk,
                              const std::string& subject) {
        PreparedItem prepared;
        if (!item.is_object()) {
            prepared.early =
                error_reply(400, api::error_code::kBadRequest, "Each item must be an object.");
            return prepared;
        }
        if (item.contains("idempotency_key") && item.at("idempotency_key").is_string()) {
            prepared.key = item.at("idempotency_key");
        }
        if (!prepared.key.is_string() || !valid_idempotency_key(prepared.key.get<std::string>())) {
            prepared.early = error_reply(400, api::error_code::kIdempotencyKeyInvalid,
                                         "idempotency_key must be 1 to 128 characters of "
                                         "A-Z, a-z, 0-9, '_' and '-'.");
            return prepared;
        }
        prepared.route = item.value("route", json()).is_string()
                             ? item.at("route").get<std::string>()
                             : std::string();
        if (prepared.route.empty() || prepared.route == kBatchPath ||
            !is_mutating_route(prepared.route)) {
            prepared.early = error_reply(400, api::error_code::kBadRequest,
                                         "route must be one of the mutating routes.");
            return prepared;
        }
        if (records) {
            if (auto refusal = records->refuse(prepared.route, kiosk)) {
                prepared.early = Reply{refusal->status, std::move(refusal->body)};
                return prepared;
            }
        }
        if (!item.contains("body") && item.contains("sealed")) {
            auto opened = open_sealed(item.at("sealed"));
            if (const auto* failure = std::get_if<Reply>(&opened)) {
                prepared.early = *failure;
                return prepared;
            }
            prepared.body = std::move(std::get<std::string>(opened));
        } else if (item.contains("body") && item.at("body").is_object()) {
            prepared.body = item.at("body").dump();
        } else {
            prepared.early = error_reply(400, api::error_code::kBadRequest,
                                         "body must be the JSON object the route takes.");
            return prepared;
        }
        // Items count like single requests, so a batch is no way around the limit.
        if (auto refusal = over_limit(subject, prepared.route, prepared.body)) {
            prepared.early = std::move(*refusal);
            return prepared;
        }
        try {
            prepared.fingerprint = fingerprint(prepared.route, prepared.body);
            if (prepared.route == "/v1/password-resets" && settings.confirmations != nullptr &&
                OfflineConfirmations::is_offline_request(prepared.body)) {
                prepared.prehashed = settings.confirmations->prehash(prepared.route, prepared.body);
            } else if (prepared.route == "/v1/password-resets") {
                if (auto request = api::parse<api::ResetPasswordRequest>(prepared.body)) {
                    prepared.prehashed = service.prehash_reset(*request);
                    secure_wipe(request->new_password);
                    secure_wipe(request->verification_token);
                }
            }
        } catch (const std::exception& e) {
            spdlog::error("batch: item for {} failed: {}", prepared.route, e.what());
            prepared.early = error_reply(500, api::error_code::kInternal,
                                         "The service had a problem. Try again later.");
        }
        return prepared;
    }

    // Runs one prepared item inside the batch's transaction, as run() would. A 5xx or an
    // exception undoes the item's savepoint: its effects and its claim go together, and
    // a retry runs it again.
    Reply run_item(Store::Batch& transaction, const PreparedItem& item,
                   const std::optional<KioskIdentity>& kiosk) {
        const std::string key = item.key.get<std::string>();
        transaction.begin_item();
        Reply reply;
        bool keep = true;
        try {
            bool replayed = false;
            if (auto answer = claim(key, item.fingerprint, unix_now(), replayed)) {
                reply = *answer;
            } else {
                reply = dispatch(item.route, item.body, item.prehashed, kiosk)
                            .value_or(error_reply(404, api::error_code::kNotFound,
                                                  "There is no such resource."));
                keep = reply.status < 500;
                if (keep) {
                    store.finish_idempotent(key, reply.status, reply.body);
                }
            }
        } catch (const std::exception& e) {
            spdlog::error("batch: item for {} failed: {}", item.route, e.what());
            reply = error_reply(500, api::error_code::kInternal,
                                "The service had a problem. Try again later.");
            keep = false;
        }
        transaction.end_item(keep);
        return reply;
    }

    // A sealed item's body, opened: the same compact JSON an unsealed one would have, so
    // that it fingerprints like the online request it may replace. Or the item's error.
    std::variant<std::string, Reply> open_sealed(const json& sealed) const {
        if (settings.sealing_private_pem.empty()) {
            return error_reply(501, api::error_code::kSealedUnsupported,
                               "This central cannot open sealed items. Retry later.");
        }
        const auto box =
            sealed.is_string() ? base64_decode(sealed.get<std::string>()) : std::nullopt;
        if (!box) {
            return error_reply(400, api::error_code::kSealedInvalid,
                               "sealed must be a sealed box in standard base64.");
        }
        std::string why;
        const auto plaintext = sealed_box::open(settings.sealing_private_pem, *box, why);
        if (!plaintext) {
            return error_reply(400, api::error_code::kSealedInvalid,
                               "The sealed body does not open with this central's key: " + why);
        }
        json doc = json::parse(plaintext->view(), nullptr, /*allow_exceptions=*/false);
        if (doc.is_discarded() || !doc.is_object()) {
            return error_reply(400, api::error_code::kBadRequest,
                               "The sealed body must be the JSON object the route takes.");
        }
        std::string body = doc.dump();
        wipe_strings(doc);
        return body;
    }

    static bool is_mutating_route(const std::string& path) {
        return path == "/v1/verifications" || path == "/v1/password-resets" ||
               path == "/v1/unlocks" || path == "/v1/sign-ins" || RecordRoutes::handles(path) ||
               !check_route_challenge(path).empty() || !resend_route_challenge(path).empty();
    }
};

CentralHttpServer::CentralHttpServer(CentralService& service, Store& store, HttpSettings settings)
    : impl_(std::make_unique<Impl>(service, store, std::move(settings))) {
    auto& server = impl_->server;
    auto* impl = impl_.get();
    if (impl->settings.records != nullptr) {
        impl->records = std::make_unique<RecordRoutes>(
            *impl->settings.records, service, impl->settings.metrics, impl->settings.fleet);
    }
    if (impl->settings.metrics != nullptr) {
        // Latency from routing to the answer written; requests keyed by their address
        // while they are being answered.
        server.set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response&) {
            std::lock_guard lock(impl->started_mutex);
            impl->started[&req] = std::chrono::steady_clock::now();
            return httplib::Server::HandlerResponse::Unhandled;
        });
        server.set_logger([impl](const httplib::Request& req, const httplib::Response& res) {
            double seconds = 0;
            {
                std::lock_guard lock(impl->started_mutex);
                if (const auto found = impl->started.find(&req); found != impl->started.end()) {
                    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                            found->second)
                                  .count();
                    impl->started.erase(found);
                }
            }
            impl->settings.metrics->observe_request(req.method, route_label(req.path), res.status,
                                                    seconds);
        });
    }
    // Mutual TLS for kiosks: a client certificate is asked for but never required by the
    // handshake; kiosk routes judge it (calling_kiosk in src/fleet_routes.cpp).
    if (impl->settings.fleet.ca != nullptr && server.is_valid()) {
        impl->settings.fleet.ca->configure_server(server.ssl_context());
    }
    // Answers are small and written in pieces: without TCP_NODELAY, Nagle's algorithm and
    // the peer's delayed ACK add up to 40 ms to a keep-alive request.
    server.set_tcp_nodelay(true);
    server.set_payload_max_length(
        std::max(impl_->settings.max_body_bytes, impl_->settings.max_batch_body_bytes));
    // Only the batch may be that large: the other routes check their own limit (after
    // reading the body, so that a client still sending never meets a closed socket).
    server.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(api::serialize(api::HealthResponse{"ok", kVersion}), "application/json");
    });

    const auto mutating = [impl](const httplib::Request& req, httplib::Response& res) {
        if (req.body.size() > impl->settings.max_body_bytes) {
            write_error(res, 413, api::error_code::kPayloadTooLarge,
                        "The request body is too large.");
            return;
        }
        const std::string key = req.get_header_value("Idempotency-Key");
        if (req.has_header("Idempotency-Key") && !valid_idempotency_key(key)) {
            write_error(
                res, 400, api::error_code::kIdempotencyKeyInvalid,
                "Idempotency-Key must be 1 to 128 characters of A-Z, a-z, 0-9, '_' and '-'.");
            return;
        }
        bool replayed = false;
        std::optional<KioskIdentity> kiosk;
        if (impl->records) {
            // Kiosk-only routes answer a missing or bad client certificate with its own
            // 401/403; the others only note which kiosk (if any) sent them.
            auto caller = calling_kiosk(impl->settings.fleet, req);
            if (!caller.kiosk && req.path == "/v1/kiosks/audit-events") {
                write_error(res, caller.status, caller.code, std::move(caller.message));
                return;
            }
            kiosk = std::move(caller.kiosk);
        }
        if (auto refusal = impl->over_limit(rate_subject(kiosk, req), req.path, req.body)) {
            write_reply(res, *refusal);
            return;
        }
        const Reply reply = impl->run(key, req.path, req.body, replayed, kiosk);
        write_reply(res, reply);
        if (replayed) {
            res.set_header("Idempotent-Replayed", "true");
        }
    };
    server.Post("/v1/verifications", mutating);
    server.Post(R"(/v1/verifications/([A-Za-z0-9_-]{1,64})/check)", mutating);
    server.Post(R"(/v1/verifications/([A-Za-z0-9_-]{1,64})/resend)", mutating);
    server.Post("/v1/password-resets", mutating);
    server.Post("/v1/unlocks", mutating);
    server.Post("/v1/sign-ins", mutating);
    if (impl->records) {
        server.Post("/v1/tickets", mutating);
        server.Post("/v1/feedback", mutating);
        server.Post("/v1/kiosks/audit-events", mutating);
        server.Post("/v1/contact-details", mutating);
        server.Post("/v1/activations", mutating);
        server.Post(R"(/v1/activations/([A-Za-z0-9_-]{1,64})/confirm)", mutating);
        impl->records->register_reads(server);
    }

    // Reads only: no idempotency record.
    server.Post("/v1/account-status", [impl](const httplib::Request& req, httplib::Response& res) {
        auto request = api::parse<api::AccountStatusRequest>(req.body);
        write_reply(res, request ? outcome_reply(impl->service.account_status(*request), 200)
                                 : bad_body());
        if (request) {
            secure_wipe(request->verification_token);
        }
    });
    // Which methods to offer (masked): a read, so no idempotency record; answered alike
    // for names with and without an account (src/verification_options.cpp).
    server.Post("/v1/verification-options", [impl](const httplib::Request& req,
                                                   httplib::Response& res) {
        if (req.body.size() > impl->settings.max_body_bytes) {
            write_error(res, 413, api::error_code::kPayloadTooLarge,
                        "The request body is too large.");
            return;
        }
        // Counted like starting a verification: the made-up lists only hide who exists from
        // a caller who cannot ask a great many names.
        if (auto refusal =
                impl->over_limit(rate_subject(impl->settings.fleet, req), req.path, req.body)) {
            write_reply(res, *refusal);
            return;
        }
        auto request = api::parse<api::VerificationOptionsRequest>(req.body);
        write_reply(res, request ? outcome_reply(impl->service.verification_options(*request), 200)
                                 : bad_body());
    });
    // [checklist] The policy is public (a kiosk shows it before anyone is verified) and
    // costs no store lookup beyond the history depth, so it needs no rate limit of its own.
    server.Get("/v1/password-policy", [impl](const httplib::Request&, httplib::Response& res) {
        res.set_content(api::serialize(impl->service.published_policy()), "application/json");
    });
    server.Get("/v1/sealing-key", [impl](const httplib::Request&, httplib::Response& res) {
        if (impl->settings.sealing_public_pem.empty()) {
            write_error(res, 404, api::error_code::kNotFound, "This central has no sealing key.");
            return;
        }
        res.set_content(json{{"algorithm", "kiosk-sealed-box-v1"},
                             {"public_key_pem", impl->settings.sealing_public_pem}}
                            .dump(),
                        "application/json");
    });
    server.Post(kBatchPath, [impl](const httplib::Request& req, httplib::Response& res) {
        const auto kiosk = impl->records ? impl->records->kiosk_of(req) : std::nullopt;
        write_reply(res, impl->batch(req.body, kiosk, rate_subject(kiosk, req)));
    });
    if (impl->settings.confirmations != nullptr) {
        register_confirmation_routes(server, *impl->settings.confirmations, impl->limiter,
                                     impl->settings.fleet);
    }
    if (impl->settings.fleet.store != nullptr) {
        register_fleet_routes(server, *impl->settings.fleet.store, impl->settings.fleet);
        register_staff_routes(server, impl->store, impl->settings.fleet);
    }

    // Everything the routes above did not answer: unknown paths, wrong methods, oversized
    // bodies. Their bodies are empty; ours (already an envelope) are left alone.
    server.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
            if (!res.body.empty()) {
                return httplib::Server::HandlerResponse::Unhandled;
            }
            if (res.status == 404) {
                write_error(res, 404, api::error_code::kNotFound, "There is no such resource.");
            } else if (res.status == 413) {
                write_error(res, 413, api::error_code::kPayloadTooLarge,
                            "The request body is too large.");
            } else {
                write_error(res, res.status, api::error_code::kBadRequest,
                            "The request could not be handled.");
            }
            return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
            } catch (...) {
                spdlog::error("http: {} {} failed", req.method, req.path);
            }
            write_error(res, 500, api::error_code::kInternal,
                        "The service had a problem. Try again later.");
        });
}

CentralHttpServer::~CentralHttpServer() {
    stop();
}

int CentralHttpServer::bind(std::string& error) {
    auto& server = impl_->server;
    if (!server.is_valid()) {
        error = "cannot load the TLS certificate or key";
        return -1;
    }
    const auto& s = impl_->settings;
    const int port = s.port == 0 ? server.bind_to_any_port(s.host)
                                 : (server.bind_to_port(s.host, s.port) ? s.port : -1);
    if (port <= 0) {
        error = "cannot listen on " + s.host + ":" + std::to_string(s.port);
        return -1;
    }
    impl_->purge_if_due(unix_now()); // and then at most hourly, on mutating requests
    return port;
}

void CentralHttpServer::serve() {
    impl_->server.listen_after_bind();
}

void CentralHttpServer::stop() {
    impl_->server.stop();
}

} // namespace kiosk::central
