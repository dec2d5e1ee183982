// Notifier: how the central reaches a user — verification codes, notices and offline
// confirmations by e-mail (the file outbox, or SMTP through a relay) and codes by SMS (the
// file outbox, or an HTTP(S) gateway). Network channels never block the caller: messages
// are queued and sent by one worker thread per channel, with retries and backoff.
// docs/internals/central.md, "Notifications".
#pragma once

#include "kiosk/central/mail_outbox.hpp"
#include "kiosk/common/secret.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace kiosk::central {

class Metrics;

struct SmtpSettings {
    // smtp://host[:port] (STARTTLS, required unless starttls_required is off) or
    // smtps://host[:port] (TLS from the first byte).
    std::string url;
    std::string from;              // envelope sender and From: header
    std::filesystem::path ca_file; // the relay's CA; empty: the system's trust store
    std::string username;          // empty: no AUTH
    std::filesystem::path password_file;
    // Off only for a relay on loopback (checked at start-up): mail then travels in clear.
    bool starttls_required = true;
    int connect_timeout_seconds = 10;
    int timeout_seconds = 30;
};

struct SmsSettings {
    std::string url;               // https:// (http:// only to a loopback gateway)
    std::filesystem::path ca_file; // the gateway's CA; empty: the system's trust store
    std::string auth_header = "Authorization";
    std::string auth_prefix = "Bearer "; // put before the token in auth_header
    std::filesystem::path token_file;    // empty: no auth header
    // A JSON document whose string values may hold {{to}}, {{text}} and {{from}}; empty:
    // {"to":"{{to}}","text":"{{text}}"}.
    std::filesystem::path body_template_file;
    std::string sender; // {{from}}
    int connect_timeout_seconds = 10;
    int timeout_seconds = 30;
};

struct DeliverySettings {
    int max_attempts = 5;                        // then the message is counted as failed
    std::chrono::milliseconds first_retry{2000}; // doubled after each failure
    std::chrono::milliseconds longest_retry{300000};
    std::size_t queue_limit = 10000; // per channel; a full queue refuses (counted as failed)
};

struct NotifierSettings {
    std::string email_channel = "file"; // "file" (DATA_DIR/outbox/email.jsonl) or "smtp"
    std::string sms_channel = "file";   // "file" (DATA_DIR/outbox/sms.jsonl), "http" or "off"
    std::filesystem::path outbox_dir;   // DATA_DIR/outbox
    SmtpSettings smtp;
    SmsSettings sms;
    DeliverySettings delivery;
};

class Notifier {
public:
    // Checks the settings and reads the secret files (SMTP password, gateway token) once;
    // nullptr with `error` saying why. `metrics` (may be null) counts sent/retried/failed.
    static std::unique_ptr<Notifier> create(NotifierSettings settings, Metrics* metrics,
                                            std::string& error);
    ~Notifier(); // stops the workers; what is still queued is logged and counted as failed
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Each returns true when the message was written (file) or queued (network); false when
    // it could not be (logged, counted; the user's answer does not change). The code and
    // the message text are wiped once sent or given up on.
    bool send_code(const std::string& to, const std::string& account, const std::string& code,
                   const std::string& challenge_id, int valid_seconds);
    bool send_sms_code(const std::string& phone, const std::string& account,
                       const std::string& code, const std::string& challenge_id, int valid_seconds);
    // `notice`: password_reset, unlock, contact_changed, phone_changed, account_activated,
    // offline_request_refused — with the receipt's reference.
    bool send_notice(const std::string& to, const std::string& account, const std::string& notice,
                     const std::string& reference);
    // The same notice by SMS (phone_changed goes to the OLD number). False with SMS off.
    bool send_sms_notice(const std::string& phone, const std::string& account,
                         const std::string& notice, const std::string& reference);
    bool send_confirmation(const std::string& to, const std::string& account,
                           const std::string& kind, const std::string& reference,
                           const std::string& confirmation_id, const std::string& code,
                           const std::string& link, const std::string& expires_at);

    // Whether codes can go by SMS at all (sms_channel is not "off").
    [[nodiscard]] bool sms_enabled() const;
    // Messages queued and not yet sent or given up on (tests, shutdown).
    [[nodiscard]] std::size_t pending() const;

    struct Impl;

private:
    explicit Notifier(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A plausible phone number for SMS: "+" and 8 to 15 digits (E.164).
bool plausible_phone(const std::string& phone);

} // namespace kiosk::central
