// Session: one walk-up user's visit, as a state machine with no GUI in it. The UI shows
// view() and sends intents to handle(); network calls run on the BackgroundWorker and
// come back through the UiInbox. docs/internals/session-flow.md draws the states and
// names the function that makes each transition.
#pragma once

#include "kiosk/app/connectivity.hpp"
#include "kiosk/app/password_checklist.hpp"
#include "kiosk/app/task_queue.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/net/central_client.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::app {

class OfflineServices;

using Clock = std::chrono::steady_clock;

enum class Screen {
    Attract,       // branding and "touch to start"; nothing about any user is held
    Home,          // the menu of tasks: reset, unlock, status, activate, contact, help, ticket
    Identify,      // username, e-mail or employee ID
    ChooseMethod,  // [verify] how to get a code: e-mail, SMS or the authenticator app
    EnterCode,     // the code sent by e-mail or SMS, or shown by the authenticator app
    NewPassword,   // new password twice
    AccountStatus, // state, password age, lockout, enrolled methods
    Help,          // searchable FAQ, support contacts, a QR to continue on a phone
    Ticket,        // category, description, contact preference
    Feedback,      // 1–5 and an optional comment, after a receipt
    Done,          // the receipt of a reset, unlock or ticket (see ViewModel::flow)
    // The central cannot be reached to verify: offer to save the request, applied only once
    // the owner confirms it from their registered e-mail (app/src/offline_request.cpp).
    OfflineOffer,
    OfflinePassword, // the new password of a request saved for confirmation
    Problem,         // something stopped the flow; says what and what to do next
    // [activation] app/src/flows/activation.cpp: the username and activation code, then
    // NewPassword, then the authenticator's QR code, then its first code.
    ActivateAccount,
    EnrolAuthenticator,   // the otpauth:// QR code and the secret to type
    ConfirmAuthenticator, // the first code from the app
    // [contact] app/src/flows/contact.cpp: after verification, the new e-mail and/or phone.
    ContactDetails,
};

// The task chosen on the home menu. Verification (identify, code) is shared by the flows
// that need it; what follows it depends on the flow.
enum class Flow {
    None,
    ResetPassword,
    Unlock,
    AccountStatus,
    Help,
    Ticket,
    Activate,       // [activation] no verification: the activation code proves who it is
    ContactDetails, // [contact] after verification
};

// [help] One question and its answer on the help screen.
struct FaqEntry {
    std::string question;
    std::string answer;
};

// What the help screen shows, from the signed config's `help` and `support_contacts`
// (docs/configuration.md). A language with no entries gets the built-in help from the
// catalogs ("help.faq.N.q" / "help.faq.N.a"); an empty contact is not shown.
struct HelpContent {
    std::map<std::string, std::vector<FaqEntry>> faq; // language -> entries
    std::map<std::string, std::string> opening_hours; // language -> text
    std::string phone;
    std::string email;
    std::string chat_url; // shown as a QR code: to continue on a phone
};

// What the central said about the verified account, for the AccountStatus screen. Held for
// this session only (never cached), wiped with it.
struct AccountStatusView {
    std::string state; // "active", "locked" or "disabled"
    std::string display_name;
    std::string password_changed_at;  // RFC 3339
    int password_age_days = 0;        // whole days since password_changed_at
    std::string locked_until;         // RFC 3339; "" when no lockout runs
    std::vector<std::string> methods; // enrolled: "email", "totp"; empty when unknown
};

// [verify] One way to verify, as offered on ChooseMethod (POST /v1/verification-options).
struct MethodChoice {
    std::string method; // "email", "sms" or "totp"
    std::string hint; // masked, from the central: "j•••@example.com", "•••42"; "" for totp
};

// Why the flow stopped, shown on the Problem screen.
enum class Problem {
    None,
    CentralUnreachable,  // no answer from the central (network, TLS, timeout)
    CodeExpired,         // the code's time ran out or a newer code replaced it
    TooManyAttempts,     // the code was typed wrong too often
    VerificationExpired, // verified too long ago: the token is no longer valid
    Unexpected,          // the central answered something we cannot act on
    RateLimited,         // too many requests from this kiosk: ViewModel::retry_after_minutes
    // [activation] The time to add the authenticator app ran out, or its code was wrong too
    // often: the activation starts again from the activation code (still valid).
    EnrolmentExpired,
    EnrolmentTooManyAttempts,
    TooManyResends,      // [verify] no more new codes for this verification: start over
};

// A message on the current screen that the user can fix there and then.
enum class Notice {
    None,
    IdentifierEmpty,
    CodeIncomplete,
    WrongCode, // with ViewModel::attempts_left
    PasswordsDiffer,
    PasswordTooShort, // with ViewModel::min_password_length
    PasswordTooLong,
    PasswordCommon,
    PasswordContainsUsername,
    PasswordRefused,   // refused for a reason this kiosk version does not know
    CannotSaveRequest, // the central is unreachable and the outbox refused (full, disk)
    DescriptionEmpty,  // a ticket needs a few words on what is wrong
    CategoryMissing,   // a ticket needs a category
    PasswordReused,    // one of the account's recent passwords (the central's history)
    // [activation]
    ActivationCodeEmpty,
    ActivationCodeInvalid, // wrong, spent, expired, or not this account's (one answer)
    // [contact]
    ContactEmpty,       // neither a new e-mail address nor a new phone number
    ContactInvalid,     // not an e-mail address / not a phone number with its country code
    ContactUnavailable, // belongs to another account
    CodeResent,        // [verify] a new code is on its way; the one before no longer works
};

// [activation] What the enrolment screen shows: secrets, wiped with the session.
struct EnrolmentView {
    SecretString otpauth_uri;   // drawn as the QR code
    SecretString secret_groups; // the base32 secret in groups of four, for typing it in
    int expires_in_seconds = 0; // how long the enrolment waits for its first code
};

struct ViewModel {
    Screen screen = Screen::Attract;
    // The person's choices, kept from the attract screen to the end of their session and
    // then put back to the kiosk's defaults with everything else.
    std::string language = "en"; // a catalog name: en, pl, ru, he
    bool large_text = false;
    bool high_contrast = false;
    bool busy = false; // a request is under way: inputs are disabled, a spinner shows
    Notice notice = Notice::None;
    Problem problem = Problem::None;
    int attempts_left = 0;
    int min_password_length = 15;
    int code_length = 6;
    int idle_seconds_left = 0;   // > 0 while the "still there?" countdown shows
    int retry_after_minutes = 0; // with Problem::RateLimited: when the kiosk may try again
    std::string identifier;      // as typed, to say where the code went
    // [verify] On ChooseMethod: the methods offered. On EnterCode: the one chosen, where the
    // code went (its masked hint) and how long until a new code may be asked for (a live
    // countdown; 0 = now; never for "totp", whose codes the app makes).
    std::vector<MethodChoice> methods;
    std::string method;
    std::string code_hint;
    int resend_seconds_left = 0;
    std::string reference;       // receipt reference on Done
    std::string completed_at;    // RFC 3339, on Done
    std::string receipt_url;     // on Done: where to follow the request up (shown as a QR code)
    Flow flow = Flow::None;      // the task chosen on Home
    // Staff verified this user in person: Home's tasks go straight to the verified step.
    bool staff_verified = false;
    std::string verified_name; // with staff_verified: the account's display name
    AccountStatusView status;  // on AccountStatus
    std::string unlock_state;  // on Done after an unlock: "active" or "disabled"
    // On Done: the central was unreachable, so the reset was saved (sealed) in the outbox
    // and will be applied when it answers; `completed_at` is when it was saved.
    bool saved_for_later = false;
    // On Done with saved_for_later: made while offline, so it is applied only after the
    // owner confirms it out of band within `confirm_within_hours`.
    bool awaiting_confirmation = false;
    int confirm_within_hours = 24;
    // The central as the connectivity monitor last saw it: the attract screen's mark.
    Reachability central = Reachability::Unknown;
    // Languages offered on the attract screen (SessionSettings::languages).
    std::vector<std::string> languages;
    // [help, tickets, feedback] On Help: the FAQ and contacts. On Done: whether the home
    // menu offers help and tickets and whether the receipt asks for feedback.
    HelpContent help{};
    bool help_offered = true;
    bool ticket_offered = true;
    bool feedback_offered = true;
    int rating = 0; // on Feedback: the stars chosen on the receipt (1-5)
    // [activation, contact] Home menu entries (config `flows`); the enrolment being shown;
    // on the contact receipt, which channels changed (each one's old address got a notice).
    bool activation_offered = true;
    bool contact_offered = true;
    EnrolmentView enrolment;
    bool contact_email_changed = false;
    bool contact_phone_changed = false;
    // [checklist] The central's published policy for the password screen's checklist; not
    // `known` until GET /v1/password-policy answered (then min_password_length counts).
    PasswordPolicyView password_policy;
    std::uint64_t revision = 0; // bumped on every change, so the UI knows when to redraw
};

namespace intent {
struct Start {}; // attract -> home
// From maintenance mode: staff verified this user in person (app/src/flows/staff.cpp). The
// session starts at Home with the "staff" token: reset, unlock and status need no code.
struct StartVerified {
    SecretString token;
    std::string username;
    std::string display_name;
};
struct ChooseFlow {
    Flow flow = Flow::None; // home -> identify, activation, help or ticket
};
struct UnlockFromStatus {}; // on AccountStatus of a locked account: unlock with the same check
struct BackToHome {};       // leave a task before verifying: keeps language and modes
struct SubmitIdentifier {
    std::string identifier;
};
struct SubmitCode {
    SecretString code;
};
struct SubmitNewPassword {
    SecretString password;
    SecretString confirmation;
};
// [verify] On ChooseMethod: one of ViewModel::methods. On EnterCode: a new code (e-mail
// and SMS, once the countdown is over), or back to the choice (a new challenge).
struct ChooseMethod {
    std::string method;
};
struct ResendCode {};
struct ChooseAnotherMethod {};
struct StartOver {};           // wipe and go back to identify
struct SaveForConfirmation {}; // on OfflineOffer: save the request (reset: ask for a password)
struct SubmitOfflinePassword { // on OfflinePassword
    SecretString password;
    SecretString confirmation;
};
struct Finish {};   // wipe and go back to attract
struct Activity {}; // the user touched or typed: restarts the idle timer
struct ChooseLanguage {
    std::string language; // one of SessionSettings::languages; others are ignored
};
struct SetLargeText {
    bool on = false;
};
struct SetHighContrast {
    bool on = false;
};
// [ticket] On Ticket. `identifier` (optional) is who to reach, as the person typed it.
struct SubmitTicket {
    std::string category; // "password", "unlock", "access", "hardware", "other"
    std::string description;
    std::string contact_preference; // "email", "phone" or "none"
    std::string identifier;
};
// [feedback] On Done: stars chosen (opens Feedback); on Feedback: send or skip.
struct Rate {
    int stars = 0;
};
struct SubmitFeedback {
    int stars = 0;
    std::string comment;
};
// [activation] On ActivateAccount: who and their activation code (checked by the central
// with the first password). On EnrolAuthenticator: the app has the account, ask its code;
// on ConfirmAuthenticator: show the QR code again. The code itself is a SubmitCode.
struct SubmitActivationCode {
    std::string identifier;
    SecretString code;
};
struct EnrolmentScanned {};
struct ShowEnrolmentAgain {};
// [contact] On ContactDetails: either may be empty, not both.
struct SubmitContactDetails {
    std::string email;
    std::string phone; // spaces, dashes, dots and brackets are dropped; "00" becomes "+"
};
} // namespace intent

using Intent =
    std::variant<intent::Start, intent::SubmitIdentifier, intent::SubmitCode,
                 intent::SubmitNewPassword, intent::StartOver, intent::Finish, intent::Activity,
                 intent::ChooseLanguage, intent::SetLargeText, intent::SetHighContrast,
                 intent::ChooseFlow, intent::UnlockFromStatus, intent::BackToHome,
                 intent::StartVerified, intent::SaveForConfirmation, intent::SubmitOfflinePassword,
                 intent::SubmitTicket, intent::Rate, intent::SubmitFeedback,
                 intent::SubmitActivationCode, intent::EnrolmentScanned, intent::ShowEnrolmentAgain,
                 intent::SubmitContactDetails, intent::ChooseMethod, intent::ResendCode,
                 intent::ChooseAnotherMethod>;

struct SessionSettings {
    std::chrono::seconds idle_timeout{90}; // no activity this long ends the session
    std::chrono::seconds idle_warning{15}; // the countdown shows for this long before it
    std::string default_language = "en";   // the attract screen's language between sessions
    std::vector<std::string> languages{assets::kShippedLanguages.begin(),
                                       assets::kShippedLanguages.end()};
    // Where a receipt's QR code sends a phone to follow the request up; "{reference}" is
    // replaced by the receipt's reference.
    // From the config's support_contacts.follow_up_url (docs/configuration.md).
    std::string follow_up_url = "https://help.example.com/requests/{reference}";
    // [help] The FAQ and contacts (config `help`, `support_contacts`).
    HelpContent help{};
    // Home menu entries and the receipt's feedback row (config `flows`).
    bool help_offered = true;
    bool ticket_offered = true;
    bool feedback_offered = true;
    bool activation_offered = true; // [activation] config flows.activate_account
    bool contact_offered = true;    // [contact] config flows.update_contact
    // How long the central keeps a request made offline waiting for its owner's confirmation
    // (kiosk-central --confirmation-ttl); the receipt says so.
    int offline_confirmation_hours = 24;
};

class Session {
public:
    // `central` is only ever used from `worker`'s thread; `inbox` is drained by the caller
    // on the UI thread. `offline` (may be null: nothing is saved for later) is only used
    // from `worker`'s thread. All must outlive the session.
    Session(net::CentralClient& central, BackgroundWorker& worker, UiInbox& inbox,
            SessionSettings settings, OfflineServices* offline = nullptr);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void handle(Intent intent, Clock::time_point now);
    // Advances timers (idle countdown and timeout). Call once per frame or wake-up.
    void tick(Clock::time_point now);
    // When the UI must wake up next even if nothing happens (the idle countdown).
    [[nodiscard]] Clock::time_point next_deadline() const;

    [[nodiscard]] const ViewModel& view() const { return view_; }

    // UI thread. Settings from a newly applied configuration: taken at once when the
    // attract screen shows with nobody's choices on it, else at the next return to it,
    // never in the middle of someone's visit.
    void reconfigure(SessionSettings settings);
    // UI thread. The connectivity monitor's state, for the attract screen's mark.
    void set_central_reachability(Reachability reachability);

private:
    void on(const intent::Start&);
    void on(const intent::SubmitIdentifier&);
    void on(intent::SubmitCode&);
    void on(intent::SubmitNewPassword&);
    void on(const intent::StartOver&);
    void on(const intent::Finish&);
    void on(const intent::Activity&) {}
    void on(const intent::ChooseLanguage&);
    void on(const intent::SetLargeText&);
    void on(const intent::SetHighContrast&);
    void on(const intent::ChooseFlow&);
    void on(const intent::UnlockFromStatus&);
    void on(const intent::BackToHome&);
    void on(const intent::SaveForConfirmation&);
    void on(intent::SubmitOfflinePassword&);
    void on(intent::StartVerified&); // app/src/flows/staff.cpp
    // [ticket] app/src/flows/ticket.cpp
    void on(intent::SubmitTicket&);
    struct TicketAttempt;
    void ticket_created(TicketAttempt& attempt);
    // [feedback] app/src/flows/feedback.cpp
    void on(const intent::Rate&);
    void on(intent::SubmitFeedback&);
    // [activation] app/src/flows/activation.cpp
    void on(intent::SubmitActivationCode&);
    void on(const intent::EnrolmentScanned&);
    void on(const intent::ShowEnrolmentAgain&);
    void start_activation(SecretString password);
    void activation_started(net::ApiResult<api::ActivationResponse>& result);
    void confirm_activation(SecretString code);
    void activation_confirmed(const net::ApiResult<api::ActivationConfirmResponse>& result);
    // [contact] app/src/flows/contact.cpp
    void on(intent::SubmitContactDetails&);
    void contact_updated(const net::ApiResult<api::ContactUpdateResponse>& result,
                         bool email_changed, bool phone_changed);
    // [session end] app/src/flows/feedback.cpp: the session_ended audit event (flow, last
    // screen, outcome) through the outbox, then the wipe. Every way back to attract with a
    // session under way goes through here.
    void end_session(const char* why);
    void record_outcome(const char* outcome) { outcome_ = outcome; }
    // Queues `json_body` for `route` through the outbox on the worker (never blocks the UI).
    void queue_record(std::string route, std::string json_body);

    // [verification] app/src/flows/verification.cpp: shared by every flow that needs it.
    // `verified()` hands over to the chosen flow once the code is right.
    void verified();

    // [verify] app/src/flows/verification.cpp: the methods offered, the one chosen, and new
    // codes with their cooldown.
    void on(const intent::ChooseMethod&);
    void on(const intent::ResendCode&);
    void on(const intent::ChooseAnotherMethod&);
    void options_arrived(const net::ApiResult<api::VerificationOptionsResponse>& result);
    void start_method(const MethodChoice& choice);
    void code_resent(const net::ApiResult<api::StartVerificationResponse>& result);
    // The resend button waits `seconds` from `now`; updates the countdown shown.
    void wait_before_resend(int seconds, Clock::time_point now);
    void update_resend_countdown(Clock::time_point now);
    void verification_started(const net::ApiResult<api::StartVerificationResponse>& result);
    void code_checked(net::ApiResult<api::CheckCodeResponse>& result);
    // [reset] app/src/flows/reset.cpp
    struct ResetAttempt; // the online answer, and what saving it for later gave
    void password_reset(const ResetAttempt& attempt);
    // [unlock] app/src/flows/unlock.cpp
    void request_unlock();
    void unlocked(const net::ApiResult<api::UnlockResponse>& result);
    // [status] app/src/flows/status.cpp
    void request_status();
    void status_arrived(const net::ApiResult<api::AccountStatusResponse>& result);
    // A failure that ends a flow after verification: the Problem screen naming it.
    void show_failure_after_verification(const net::ApiFailure& failure, const char* what);
    // 429 rate_limited (too many requests from this kiosk): the Problem screen saying when
    // to try again. False for any other failure.
    bool show_rate_limited(const net::ApiFailure& failure);
    // The receipt of a finished task.
    void show_receipt(std::string reference, std::string completed_at);
    // Keeps the person's language and modes across a wipe (same person, new task).
    void wipe_keeping_preferences();
    // [offline request] app/src/offline_request.cpp: verification could not start because
    // the central is unreachable. True when saving for confirmation is offered instead.
    bool offer_offline_request(const net::ApiFailure& failure);
    struct OfflineSave; // what saving a request for confirmation gave
    void save_offline_request(SecretString password);
    void offline_request_saved(const OfflineSave& save);

    void show(Screen screen);
    // [checklist] Asks the central for its password policy on the worker, once per session,
    // when the password screen first shows; its answer is kept across sessions (public).
    void fetch_password_policy();
    void offer_flows(); // the home menu's optional tasks, from the settings
    // [help] app/src/flows/help.cpp
    void show_help();
    void show_problem(Problem problem);
    void set_notice(Notice notice);
    void wipe(); // forgets everything about the user, their language and modes too
    [[nodiscard]] bool has_personal_preferences() const;
    void changed() { ++view_.revision; }

    // Runs `call` on the worker; its result comes back to `apply` on the UI thread,
    // unless the session was wiped in between (the answer then belongs to nobody).
    // `at_stop`, when given, keeps the request from being lost at shutdown: it runs instead
    // of `call` when the kiosk stops before the worker reached it (BackgroundWorker::submit_kept).
    template <typename Call, typename Apply>
    void request(Call call, Apply apply, std::function<void()> at_stop = {});

    net::CentralClient& central_;
    BackgroundWorker& worker_;
    UiInbox& inbox_;
    OfflineServices* offline_;
    SessionSettings settings_;
    ViewModel view_;
    std::string challenge_id_;
    SecretString verification_token_;
    // [activation] Kept from the code screen to the password: the central checks both
    // together. The enrolment's id is what confirms it: a bearer secret like a token.
    SecretString activation_code_;
    SecretString activation_id_;
    // [verify] When the central allows a new code (resend_after_seconds, retry_after_seconds).
    Clock::time_point resend_ready_at_{};
    std::uint64_t generation_ = 0; // bumped by wipe(): stale answers are dropped
    Clock::time_point last_activity_{};
    // Completions hold a weak_ptr to this: a session destroyed with a request in flight
    // makes its late answer a no-op instead of a use-after-free.
    std::shared_ptr<Session*> alive_;
    std::optional<SessionSettings> pending_settings_; // reconfigure() waiting for attract
    Reachability reachability_ = Reachability::Unknown;
    // [session end] Whether someone started a session (attract -> home), what it came to
    // so far ("" = nothing yet: abandoned if it ends now) and who was verified.
    std::optional<PasswordPolicyView> published_policy_; // survives wipe(): not about anyone
    bool policy_asked_ = false;                          // this session; reset by wipe()
    bool session_open_ = false;
    std::string outcome_;
    std::string verified_actor_;
    // [ticket] The verification's token, kept until the session ends (a flow's token is
    // wiped on the way back home and spent by a reset or unlock): a ticket opened later in
    // the same visit still names the verified account (the central accepts it spent).
    SecretString ticket_token_;
};

} // namespace kiosk::app
