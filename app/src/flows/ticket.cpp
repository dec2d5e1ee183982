// [ticket] The ticket flow: category, description and how to be reached go to the central
// (POST /v1/tickets) on the worker; with no answer the same request, under the same
// idempotency key, waits in the outbox and the receipt says it will be sent. A verified
// person's ticket carries their verification token, so the helpdesk knows the account.
#include "flow_support.hpp"
#include "kiosk/common/random.hpp"

#include <optional>
#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

bool is_one_of(const std::string& value, std::initializer_list<const char*> allowed) {
    for (const char* a : allowed) {
        if (value == a) {
            return true;
        }
    }
    return false;
}

} // namespace

struct Session::TicketAttempt {
    net::ApiResult<api::TicketCreatedResponse> online;
    std::optional<Deferred> deferred; // set when the online attempt got no answer
    std::string reference;            // the kiosk's own reference, shown when saved
};

void Session::on(intent::SubmitTicket& i) {
    if (view_.screen != Screen::Ticket) {
        return;
    }
    if (!is_one_of(i.category, {"password", "unlock", "access", "hardware", "other"})) {
        set_notice(Notice::CategoryMissing);
        return;
    }
    api::CreateTicketRequest body;
    body.category = i.category;
    body.description = trimmed(i.description);
    if (body.description.empty()) {
        set_notice(Notice::DescriptionEmpty);
        return;
    }
    if (body.description.size() > 4000) {
        body.description.resize(4000); // the field holds less; the central's limit in bytes
        while (!body.description.empty() &&
               (static_cast<unsigned char>(body.description.back()) & 0xC0) == 0x80) {
            body.description.pop_back(); // never cut a character in two
        }
        if (!body.description.empty() &&
            static_cast<unsigned char>(body.description.back()) >= 0xC0) {
            body.description.pop_back();
        }
    }
    body.contact_preference =
        is_one_of(i.contact_preference, {"email", "phone"}) ? i.contact_preference : "none";
    body.language = view_.language;
    if (auto who = trimmed(i.identifier); !who.empty()) {
        body.identifier = who.substr(0, 254);
    }
    // A verified person (code or staff): the central names their account on the ticket. It
    // does not spend the token, so a reset or unlock after it still works, and it accepts
    // one a reset or unlock spent. Kept as a secret until the request is built, and wiped
    // from every copy after.
    SecretString token = ticket_token_;
    if (token.empty() && !verified_actor_.empty() && !body.identifier) {
        // Verified, but the token went on a reset or unlock: who they proved to be.
        body.identifier = verified_actor_.substr(0, 254);
    }
    set_notice(Notice::None);
    const std::string reference = "Q-" + random_reference(10);
    const std::string key = reference + "-" + random_token(18);
    // The very request the online attempt sends, so the central records it once if that one
    // did arrive. Sealed when the central's key is known: the description is the person's
    // own words and the token a credential. Without the key it goes in clear, but never
    // with the token: the helpdesk then gets the identifier the person verified with.
    auto save = [verified =
                     verified_actor_](OfflineServices& offline, api::CreateTicketRequest request,
                                      const SecretString& secret, const std::string& at_key) {
        Deferred deferred{DeferOutcome::NoSealingKey, {}};
        if (!request.identifier && !verified.empty()) {
            // Should the token expire before the ticket arrives, the central opens it
            // without an account: the name the person verified with still reaches the
            // helpdesk.
            request.identifier = verified.substr(0, 254);
        }
        if (!secret.empty()) {
            request.verification_token = std::string(secret.view());
            std::string json = api::serialize(request);
            deferred = offline.defer("/v1/tickets", json, at_key);
            secure_wipe(json);
            secure_wipe(*request.verification_token);
            request.verification_token.reset();
        } else {
            deferred = offline.defer("/v1/tickets", api::serialize(request), at_key);
        }
        if (deferred.outcome == DeferOutcome::NoSealingKey) {
            deferred = queue_in_clear(offline, "/v1/tickets", api::serialize(request), at_key);
        }
        return deferred;
    };
    std::function<void()> at_stop;
    if (offline_ != nullptr) {
        // Stopping before the worker got to it: straight to the outbox, no network.
        at_stop = [save, body, token, offline = offline_, key, reference] {
            const Deferred saved = save(*offline, body, token, key);
            if (saved.outcome == DeferOutcome::Saved) {
                spdlog::info("session: kiosk stopping; ticket {} saved for later", reference);
            } else {
                spdlog::error("session: kiosk stopping; ticket {} not saved: {}", reference,
                              saved.detail);
            }
        };
    }
    request(
        [body = std::move(body), token = std::move(token), offline = offline_, key, reference,
         save](net::CentralClient& central) {
            api::CreateTicketRequest sent = body;
            if (!token.empty()) {
                sent.verification_token = std::string(token.view());
            }
            TicketAttempt attempt{central.create_ticket(sent, key), std::nullopt, reference};
            if (sent.verification_token) {
                secure_wipe(*sent.verification_token);
            }
            const auto* failure = std::get_if<net::ApiFailure>(&attempt.online);
            if (offline != nullptr && failure != nullptr && worth_saving_for_later(*failure)) {
                attempt.deferred = save(*offline, body, token, key);
            }
            return attempt;
        },
        [](Session& self, auto& attempt) { self.ticket_created(attempt); }, std::move(at_stop));
}

void Session::ticket_created(TicketAttempt& attempt) {
    if (attempt.deferred) {
        const auto& failure = std::get<net::ApiFailure>(attempt.online);
        if (attempt.deferred->outcome == DeferOutcome::Saved) {
            spdlog::info("session: central unreachable ({}); ticket {} saved for later",
                         failure.detail, attempt.reference);
            view_.saved_for_later = true;
            show_receipt(attempt.reference, utc_now_rfc3339());
            view_.receipt_url.clear(); // the central's reference, which a QR would need, is
            return;                    // not known yet
        }
        spdlog::error("session: central unreachable ({}) and the ticket cannot be saved: {}",
                      failure.detail, attempt.deferred->detail);
        set_notice(Notice::CannotSaveRequest);
        return;
    }
    if (const auto* ok = std::get_if<api::TicketCreatedResponse>(&attempt.online)) {
        spdlog::info("session: ticket {} opened", ok->reference);
        show_receipt(ok->reference, ok->created_at);
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(attempt.online);
    spdlog::warn("session: ticket not opened: {}", failure.detail);
    show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable : Problem::Unexpected);
}

} // namespace kiosk::app
