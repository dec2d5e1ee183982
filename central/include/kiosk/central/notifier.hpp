// Notifier: how the central reaches a user — verification codes, notices and offline
// confirmations by e-mail (the file outbox, or SMTP through a relay) and codes by SMS (the
// file outbox, or an HTTP(S) gateway). Network channels never block the caller: messages
// are written to the database's durable queue (the `notifications` table) and sent by one
// worker thread per channel, with retries and backoff; what is pending survives a crash.
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
class Store;

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
    // How long a claimed message is this process's; 0: the longest attempt (connect and
    // transfer timeouts) plus 30 s. A crashed process's claims return when it ends.
    std::chrono::milliseconds lease{0};
    // How often the queue is looked at for messages other processes (or a crash) left.
    std::chrono::milliseconds poll{1000};
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
    // `store` holds the network channels' queue (may be null with file channels only); the
    // workers resume what it holds at once.
    static std::unique_ptr<Notifier> create(NotifierSettings settings, Metrics* metrics,
                                            Store* store, std::string& error);
    ~Notifier(); // stops the workers; what is still queued stays in the database
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Each returns true when the message was written (file) or queued in the database
    // (network; inside the batch route's transaction it commits with it); false when
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
    // Messages queued on this process's network channels and not yet sent or given up on,
    // by every process sharing the database (tests, shutdown).
    [[nodiscard]] std::size_t pending() const;

    struct Impl;

private:
    explicit Notifier(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A plausible phone number for SMS: "+" and 8 to 15 digits (E.164).
bool plausible_phone(const std::string& phone);

} // namespace kiosk::central
