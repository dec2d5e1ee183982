// The session's offline request: verification could not start because the central is
// unreachable, so the kiosk offers to save the request (sealed, in the outbox) for its owner
// to confirm out of band. States: Identify -(no answer)-> OfflineOffer -(save)->
// OfflinePassword (reset) -(submit)-> Done (saved, awaiting confirmation); an unlock is saved
// straight from OfflineOffer. docs/internals/session-flow.md draws it.
#include "kiosk/app/offline_request.hpp"

#include "flows/flow_support.hpp"
#include "kiosk/app/offline_services.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/net/central_client.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

constexpr int kMaxPasswordLength = 256; // the central's maximum

std::size_t code_points(std::string_view text) {
    std::size_t count = 0;
    for (const char c : text) {
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    return count;
}

std::optional<OfflineRequestKind> kind_of(Flow flow) {
    switch (flow) {
    case Flow::ResetPassword:
    case Flow::None: // a session without the home menu: a reset
        return OfflineRequestKind::PasswordReset;
    case Flow::Unlock:
        return OfflineRequestKind::Unlock;
    case Flow::AccountStatus: // a read: nothing to save
    case Flow::Help:
    case Flow::Ticket:
    case Flow::Activate:       // needs the central to check its code and enrol the app
    case Flow::ContactDetails: // [contact] not saved for later: the owner may be unreachable
        break;
    }
    return std::nullopt;
}

} // namespace

std::string_view offline_request_route(OfflineRequestKind kind) {
    return kind == OfflineRequestKind::PasswordReset ? "/v1/password-resets" : "/v1/unlocks";
}

std::string offline_request_body(OfflineRequestKind kind, std::string_view identifier,
                                 std::string_view requested_at, std::string_view language,
                                 std::string_view new_password) {
    std::string json;
    json.reserve(96 + identifier.size() + new_password.size());
    json.append("{\"offline_request\":{\"identifier\":");
    net::append_json_string(json, identifier);
    json.append(",\"requested_at\":");
    net::append_json_string(json, requested_at);
    json.append(",\"language\":");
    net::append_json_string(json, language);
    json.push_back('}');
    if (kind == OfflineRequestKind::PasswordReset) {
        json.append(",\"new_password\":");
        net::append_json_string(json, new_password);
    }
    json.push_back('}');
    return json;
}

LocalPasswordCheck check_password_locally(std::string_view password, int min_length) {
    const auto length = code_points(password);
    if (length < static_cast<std::size_t>(min_length)) {
        return LocalPasswordCheck::TooShort;
    }
    if (length > static_cast<std::size_t>(kMaxPasswordLength)) {
        return LocalPasswordCheck::TooLong;
    }
    return LocalPasswordCheck::Ok;
}

struct Session::OfflineSave {
    Deferred deferred;
    std::string reference; // the receipt's reference: the first part of the outbox key
};

bool Session::offer_offline_request(const net::ApiFailure& failure) {
    // Only when nobody answered (a TLS failure may be someone else answering), a request
    // can be kept, and the central's sealing key is known (a secret is never queued open).
    if (offline_ == nullptr || !worth_saving_for_later(failure) || !kind_of(view_.flow) ||
        !offline_->has_sealing_key()) {
        return false;
    }
    view_.confirm_within_hours = settings_.offline_confirmation_hours;
    set_notice(Notice::None);
    show(Screen::OfflineOffer);
    return true;
}

void Session::on(const intent::SaveForConfirmation&) {
    if (view_.screen != Screen::OfflineOffer) {
        return;
    }
    if (kind_of(view_.flow) == OfflineRequestKind::Unlock) {
        save_offline_request({});
        return;
    }
    show(Screen::OfflinePassword);
}

void Session::on(intent::SubmitOfflinePassword& i) {
    if (view_.screen != Screen::OfflinePassword) {
        return;
    }
    if (!i.password.equals(i.confirmation.view())) {
        set_notice(Notice::PasswordsDiffer);
        return;
    }
    switch (check_password_locally(i.password.view(), view_.min_password_length)) {
    case LocalPasswordCheck::TooShort:
        set_notice(Notice::PasswordTooShort);
        return;
    case LocalPasswordCheck::TooLong:
        set_notice(Notice::PasswordTooLong);
        return;
    case LocalPasswordCheck::Ok:
        break;
    }
    save_offline_request(std::move(i.password));
}

void Session::save_offline_request(SecretString password) {
    const auto kind = kind_of(view_.flow).value_or(OfflineRequestKind::PasswordReset);
    // Its own key: the central answers a retried copy from its idempotency record, so one
    // saved request sends one confirmation. The first part is the receipt's reference.
    const std::string reference = "Q-" + random_reference(10);
    request(
        [offline = offline_, kind, identifier = view_.identifier, language = view_.language,
         password = std::move(password), key = reference + "-" + random_token(18),
         reference](net::CentralClient&) {
            std::string json = offline_request_body(kind, identifier, utc_now_rfc3339(), language,
                                                    password.view());
            if (!offline->has_sealing_key()) {
                offline->refresh_sealing_key();
            }
            OfflineSave save{offline->defer(offline_request_route(kind), json, key), reference};
            secure_wipe(json);
            return save;
        },
        [](Session& self, auto& save) { self.offline_request_saved(save); });
}

void Session::offline_request_saved(const OfflineSave& save) {
    switch (save.deferred.outcome) {
    case DeferOutcome::Saved:
        spdlog::info("session: request {} saved for out-of-band confirmation", save.reference);
        view_.saved_for_later = true;
        view_.awaiting_confirmation = true;
        show_receipt(save.reference, utc_now_rfc3339());
        return;
    case DeferOutcome::QueueFull:
    case DeferOutcome::NotSaved:
        spdlog::error("session: the request cannot be saved: {}", save.deferred.detail);
        if (view_.screen == Screen::OfflineOffer || view_.screen == Screen::OfflinePassword) {
            set_notice(Notice::CannotSaveRequest); // stays here: the person may try again
        }
        return;
    case DeferOutcome::NoSealingKey:
        spdlog::warn("session: the request cannot be sealed: {}", save.deferred.detail);
        show_problem(Problem::CentralUnreachable);
        return;
    }
}

} // namespace kiosk::app
