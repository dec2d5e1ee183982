// [ticket] The ticket flow: category, description and how to be reached go to the central
// (POST /v1/tickets) on the worker; with no answer the same request, under the same
// idempotency key, waits in the outbox and the receipt says it will be sent.
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
    set_notice(Notice::None);
    const std::string reference = "Q-" + random_reference(10);
    request(
        [body = std::move(body), offline = offline_, key = reference + "-" + random_token(18),
         reference](net::CentralClient& central) {
            TicketAttempt attempt{central.create_ticket(body, key), std::nullopt, reference};
            const auto* failure = std::get_if<net::ApiFailure>(&attempt.online);
            if (offline != nullptr && failure != nullptr && worth_saving_for_later(*failure)) {
                // The very request the online attempt sent, so the central records it once
                // if that one did arrive. Sealed when the central's key is known: the
                // description is the person's own words.
                const std::string json = api::serialize(body);
                attempt.deferred = offline->defer("/v1/tickets", json, key);
                if (attempt.deferred->outcome == DeferOutcome::NoSealingKey) {
                    attempt.deferred = queue_in_clear(*offline, "/v1/tickets", json, key);
                }
            }
            return attempt;
        },
        [](Session& self, auto& attempt) { self.ticket_created(attempt); });
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
