// The Notifier: what each message says, which channel carries it, and the queue and worker
// that carry network messages with retries and backoff (docs/internals/central.md,
// "Notifications"). Codes and message texts live in SecretStrings and are never logged.
#include "kiosk/central/notifier.hpp"

#include "kiosk/central/metrics.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/common/random.hpp"
#include "notification_queue.hpp"
#include "notifier_transport.hpp"

#include <condition_variable>
#include <ctime>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

namespace kiosk::central {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// An address that can go into an SMTP envelope and a header as it is: ASCII, no space or
// control character, none of the characters that would end or split the address.
bool plausible_address(const std::string& address) {
    const auto at = address.find('@');
    if (address.empty() || address.size() > 254 || at == std::string::npos || at == 0 ||
        at + 1 == address.size() || address.find('@', at + 1) != std::string::npos) {
        return false;
    }
    for (const char c : address) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f ||
            std::string_view("<>()[],;:\\\"").find(c) != std::string_view::npos) {
            return false;
        }
    }
    return true;
}

bool is_loopback_url(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return false;
    }
    const std::string rest = url.substr(scheme + 3);
    for (const char* host : {"127.0.0.1", "localhost", "[::1]"}) {
        const std::string h = host;
        if (rest.starts_with(h) &&
            (rest.size() == h.size() || rest[h.size()] == ':' || rest[h.size()] == '/')) {
            return true;
        }
    }
    return false;
}

// RFC 5322 date in UTC, spelled out here so that no locale can change it.
std::string rfc5322_date(std::time_t when) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm t{};
    gmtime_r(&when, &t);
    char text[64];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[t.tm_wday],
                  t.tm_mday, kMonths[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
    return text;
}

std::string minutes_text(int seconds) {
    const int minutes = std::max(1, (seconds + 59) / 60);
    return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
}

std::string read_secret_file(const std::filesystem::path& file, std::string& error) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = "cannot read " + file.string();
        return {};
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.back() = '\0';
        text.pop_back();
    }
    if (text.empty()) {
        error = file.string() + " is empty";
    }
    return text;
}

void wipe_strings(json& doc) {
    if (doc.is_string()) {
        secure_wipe(doc.get_ref<std::string&>());
    } else if (doc.is_structured()) {
        for (auto& child : doc) {
            wipe_strings(child);
        }
    }
}

bool mentions(const json& doc, std::string_view placeholder) {
    if (doc.is_string()) {
        return doc.get_ref<const std::string&>().find(placeholder) != std::string::npos;
    }
    if (doc.is_structured()) {
        for (const auto& child : doc) {
            if (mentions(child, placeholder)) {
                return true;
            }
        }
    }
    return false;
}

void substitute(json& doc, const std::string& to, const std::string& text,
                const std::string& from) {
    if (doc.is_string()) {
        std::string& value = doc.get_ref<std::string&>();
        for (const auto& [key, replacement] :
             {std::pair<std::string_view, const std::string*>{"{{to}}", &to},
              {"{{text}}", &text},
              {"{{from}}", &from}}) {
            for (auto at = value.find(key); at != std::string::npos;
                 at = value.find(key, at + replacement->size())) {
                value.replace(at, key.size(), *replacement);
            }
        }
    } else if (doc.is_structured()) {
        for (auto& child : doc) {
            substitute(child, to, text, from);
        }
    }
}

// One network channel: the thread that works through its rows of the durable queue. A
// message that fails waits first_retry, then twice that, ... (capped, with jitter) up to
// max_attempts. Rows written by this process wake it at once; rows of other processes (and
// those left by a crash) are found by polling.
class Worker {
public:
    using Send = std::function<transport::Result(const Outgoing&)>;

    Worker(std::string channel, DeliverySettings settings, Metrics* metrics,
           NotificationQueue& queue, Send send)
        : channel_(std::move(channel)), settings_(settings), metrics_(metrics), queue_(queue),
          send_(std::move(send)), jitter_(std::random_device{}()), thread_([this] { run(); }) {}

    ~Worker() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
        // Nothing is lost: the next start (or another process) sends them.
        if (const auto left = pending(); left > 0) {
            spdlog::info("notification: {} {} message(s) stay queued in the database", left,
                         channel_);
        }
    }
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    bool enqueue(const Outgoing& message) {
        bool added = false;
        try {
            added = queue_.add(channel_, message, settings_.queue_limit);
        } catch (const std::exception& e) {
            spdlog::error("notification: {} {} to account {} could not be queued: {}", channel_,
                          message.what, message.account, e.what());
            count("failed");
            return false;
        }
        if (!added) {
            spdlog::error("notification: {} queue full ({} messages): {} to account {} dropped",
                          channel_, settings_.queue_limit, message.what, message.account);
            count("failed");
            return false;
        }
        {
            std::lock_guard lock(mutex_);
            woken_ = true;
        }
        wake_.notify_all();
        return true;
    }

    std::size_t pending() const {
        try {
            return queue_.pending(channel_);
        } catch (const std::exception& e) {
            spdlog::error("notification: {} queue: {}", channel_, e.what());
            return 0;
        }
    }

private:
    static constexpr std::chrono::milliseconds kShortestWait{20};
    static constexpr std::int64_t kKeepFinishedMs = 7LL * 24 * 3600 * 1000;

    void count(const char* outcome) {
        if (metrics_ != nullptr) {
            metrics_->count_notification(channel_, outcome);
        }
    }

    void run() {
        auto next_purge = Clock::now();
        for (;;) {
            {
                std::lock_guard lock(mutex_);
                if (stop_) {
                    return;
                }
                woken_ = false;
            }
            auto wait = settings_.poll;
            try {
                if (Clock::now() >= next_purge) {
                    queue_.purge(unix_ms() - kKeepFinishedMs);
                    next_purge = Clock::now() + std::chrono::hours(1);
                }
                if (auto claimed = queue_.claim(channel_, unix_ms(), settings_.lease.count())) {
                    deliver(*claimed);
                    continue;
                }
                if (const auto due = queue_.next_due(channel_)) {
                    wait = std::clamp(std::chrono::milliseconds(*due - unix_ms()), kShortestWait,
                                      settings_.poll);
                }
            } catch (const std::exception& e) {
                spdlog::error("notification: {} queue: {}", channel_, e.what());
            }
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, wait, [this] { return stop_ || woken_; });
        }
    }

    void deliver(Claimed& item) {
        const auto& message = item.message;
        if (!item.broken.empty()) {
            spdlog::error("notification: {} {} to account {} failed: its text cannot be read: {}",
                          channel_, message.what, message.account, item.broken);
            queue_.failed(item.id, item.attempts, unix_ms(), "text cannot be read");
            count("failed");
            return;
        }
        if (message.expires_ms != 0 && unix_ms() >= message.expires_ms) {
            spdlog::warn("notification: {} {} to account {} not sent: the code expired first",
                         channel_, message.what, message.account);
            queue_.failed(item.id, item.attempts, unix_ms(), "expired before it could be sent");
            count("failed");
            return;
        }
        const auto result = send_(message);
        item.message.text.clear();
        const int attempts = item.attempts + 1;
        if (result.delivered) {
            queue_.sent(item.id, attempts, unix_ms());
            spdlog::info("notification: {} {} to account {} sent (attempt {})", channel_,
                         message.what, message.account, attempts);
            count("sent");
        } else if (!result.worth_retrying || attempts >= settings_.max_attempts) {
            queue_.failed(item.id, attempts, unix_ms(), result.why);
            spdlog::error("notification: {} {} to account {} failed after {} attempt(s): {}",
                          channel_, message.what, message.account, attempts, result.why);
            count("failed");
        } else {
            const auto delay = backoff(attempts);
            queue_.retry(item.id, attempts, unix_ms() + delay.count(), result.why);
            spdlog::warn("notification: {} {} to account {} failed (attempt {}), retrying in "
                         "{} ms: {}",
                         channel_, message.what, message.account, attempts, delay.count(),
                         result.why);
            count("retried");
        }
    }

    std::chrono::milliseconds backoff(int attempts) {
        auto delay = settings_.first_retry;
        for (int i = 1; i < attempts && delay < settings_.longest_retry; ++i) {
            delay *= 2;
        }
        delay = std::min(delay, settings_.longest_retry);
        // Up to a fifth more, so that many messages failing together do not retry together.
        std::uniform_int_distribution<long> spread(0, delay.count() / 5);
        return delay + std::chrono::milliseconds(spread(jitter_));
    }

    std::string channel_;
    DeliverySettings settings_;
    Metrics* metrics_;
    NotificationQueue& queue_;
    Send send_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stop_ = false;
    std::mt19937 jitter_;
    std::thread thread_; // last: starts once everything above exists
};

} // namespace

bool plausible_phone(const std::string& phone) {
    if (phone.size() < 9 || phone.size() > 16 || phone[0] != '+') {
        return false;
    }
    return std::all_of(phone.begin() + 1, phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Notifier::Impl {
    NotifierSettings settings;
    Metrics* metrics = nullptr;
    SecretString smtp_password;
    SecretString sms_token;
    json sms_template;
    bool curl_ready = false;
    std::unique_ptr<DemoMailOutbox> email_file;
    std::unique_ptr<DemoMailOutbox> sms_file;
    std::unique_ptr<NotificationQueue> queue; // before the workers: they use it
    std::unique_ptr<Worker> smtp;
    std::unique_ptr<Worker> sms;

    ~Impl() {
        smtp.reset(); // the workers use curl: they stop before its clean-up
        sms.reset();
        if (curl_ready) {
            transport::global_cleanup();
        }
    }

    void count(const std::string& channel, const char* outcome) const {
        if (metrics != nullptr) {
            metrics->count_notification(channel, outcome);
        }
    }

    // A complete message for the relay: headers, a blank line, the text; CRLF line ends.
    std::string smtp_payload(const Outgoing& message) const {
        const auto at = settings.smtp.from.find('@');
        std::string payload = "Date: " + rfc5322_date(std::time(nullptr)) + "\r\n";
        payload += "From: " + settings.smtp.from + "\r\n";
        payload += "To: " + message.to + "\r\n";
        payload += "Subject: " + message.subject + "\r\n";
        payload += "Message-ID: <" + random_token(18) + settings.smtp.from.substr(at) + ">\r\n";
        payload += "MIME-Version: 1.0\r\n";
        payload += "Content-Type: text/plain; charset=UTF-8\r\n";
        payload += "Content-Transfer-Encoding: 8bit\r\n";
        payload += "Auto-Submitted: auto-generated\r\n\r\n";
        payload += message.text.view();
        return payload;
    }

    std::string sms_body(const Outgoing& message) const {
        json doc = sms_template;
        substitute(doc, message.to, message.text.str(), settings.sms.sender);
        std::string body = doc.dump();
        wipe_strings(doc);
        return body;
    }

    bool email(Outgoing message, const std::function<bool(DemoMailOutbox&)>& to_file) {
        if (settings.email_channel == "file") {
            const bool written = to_file(*email_file);
            count("email", written ? "sent" : "failed");
            if (!written) {
                spdlog::error("notification: could not write the e-mail outbox ({} to account {})",
                              message.what, message.account);
            }
            return written;
        }
        if (!plausible_address(message.to)) {
            spdlog::error("notification: account {} has no usable e-mail address; {} not sent",
                          message.account, message.what);
            count("email", "failed");
            return false;
        }
        return smtp->enqueue(std::move(message));
    }
};

Notifier::Notifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Notifier::~Notifier() = default;

std::unique_ptr<Notifier> Notifier::create(NotifierSettings settings, Metrics* metrics,
                                           Store* store, std::string& error) {
    auto impl = std::make_unique<Impl>();
    impl->metrics = metrics;
    const auto& smtp = settings.smtp;
    const auto& sms = settings.sms;
    if (settings.email_channel != "file" && settings.email_channel != "smtp") {
        error = "--email-channel must be file or smtp";
        return nullptr;
    }
    if (settings.sms_channel != "file" && settings.sms_channel != "http" &&
        settings.sms_channel != "off") {
        error = "--sms-channel must be file, http or off";
        return nullptr;
    }
    if (settings.delivery.max_attempts < 1 || settings.delivery.first_retry.count() < 1) {
        error = "delivery needs at least one attempt and a positive retry delay";
        return nullptr;
    }
    if (settings.email_channel == "smtp") {
        if (!smtp.url.starts_with("smtp://") && !smtp.url.starts_with("smtps://")) {
            error = "--smtp-url must start with smtp:// or smtps://";
            return nullptr;
        }
        if (!smtp.starttls_required && !smtp.url.starts_with("smtps://") &&
            !is_loopback_url(smtp.url)) {
            error = "--smtp-starttls off is only allowed for a relay on loopback: mail with "
                    "codes would cross the network in clear";
            return nullptr;
        }
        if (!plausible_address(smtp.from)) {
            error = "--smtp-from must be a plain address (name@domain)";
            return nullptr;
        }
        if (!smtp.username.empty()) {
            if (smtp.password_file.empty()) {
                error = "--smtp-user needs --smtp-password-file";
                return nullptr;
            }
            std::string password = read_secret_file(smtp.password_file, error);
            impl->smtp_password.assign(password);
            secure_wipe(password);
            if (!error.empty()) {
                return nullptr;
            }
        }
    }
    if (settings.sms_channel == "http") {
        if (!sms.url.starts_with("https://") &&
            !(sms.url.starts_with("http://") && is_loopback_url(sms.url))) {
            error = "--sms-gateway-url must be https:// (http:// only for a gateway on loopback)";
            return nullptr;
        }
        if (sms.auth_header.empty() ||
            sms.auth_header.find_first_of(":\r\n ") != std::string::npos ||
            sms.auth_prefix.find_first_of("\r\n") != std::string::npos) {
            error = "--sms-auth-header must be a header name";
            return nullptr;
        }
        if (!sms.token_file.empty()) {
            std::string token = read_secret_file(sms.token_file, error);
            impl->sms_token.assign(token);
            secure_wipe(token);
            if (!error.empty()) {
                return nullptr;
            }
        }
        impl->sms_template = json{{"to", "{{to}}"}, {"text", "{{text}}"}};
        if (!sms.body_template_file.empty()) {
            std::ifstream in(sms.body_template_file);
            impl->sms_template = json::parse(in, nullptr, /*allow_exceptions=*/false);
            if (impl->sms_template.is_discarded() || !impl->sms_template.is_structured() ||
                !mentions(impl->sms_template, "{{text}}") ||
                !mentions(impl->sms_template, "{{to}}")) {
                error = sms.body_template_file.string() +
                        ": must be a JSON object or array whose strings hold {{to}} and {{text}}";
                return nullptr;
            }
        }
    }
    impl->settings = std::move(settings);
    auto* raw = impl.get();
    impl->email_file = std::make_unique<DemoMailOutbox>(raw->settings.outbox_dir / "email.jsonl");
    impl->sms_file = std::make_unique<DemoMailOutbox>(raw->settings.outbox_dir / "sms.jsonl");
    if (raw->settings.email_channel == "smtp" || raw->settings.sms_channel == "http") {
        if (!transport::global_init()) {
            error = "libcurl failed to initialise";
            return nullptr;
        }
        raw->curl_ready = true;
        if (store == nullptr) {
            error = "the network channels need the database for their queue";
            return nullptr;
        }
        // A message's lease outlasts its longest attempt, so a live process never loses a
        // claim it is still working on; a crashed process's claims return after it.
        if (raw->settings.delivery.lease.count() == 0) {
            const auto longest = std::max(
                raw->settings.smtp.connect_timeout_seconds + raw->settings.smtp.timeout_seconds,
                raw->settings.sms.connect_timeout_seconds + raw->settings.sms.timeout_seconds);
            raw->settings.delivery.lease = std::chrono::seconds(longest + 30);
        }
        raw->queue = std::make_unique<NotificationQueue>(*store, random_token(9));
    }
    if (raw->settings.email_channel == "smtp") {
        raw->smtp = std::make_unique<Worker>(
            "email", raw->settings.delivery, metrics, *raw->queue, [raw](const Outgoing& message) {
                std::string payload = raw->smtp_payload(message);
                auto result = transport::send_smtp(raw->settings.smtp, raw->smtp_password,
                                                   message.to, payload);
                secure_wipe(payload);
                return result;
            });
    }
    if (raw->settings.sms_channel == "http") {
        raw->sms = std::make_unique<Worker>(
            "sms", raw->settings.delivery, metrics, *raw->queue, [raw](const Outgoing& message) {
                std::string body = raw->sms_body(message);
                auto result = transport::post_json(raw->settings.sms, raw->sms_token, body);
                secure_wipe(body);
                return result;
            });
    }
    return std::unique_ptr<Notifier>(new Notifier(std::move(impl)));
}

bool Notifier::sms_enabled() const {
    return impl_->settings.sms_channel != "off";
}

std::size_t Notifier::pending() const {
    return (impl_->smtp ? impl_->smtp->pending() : 0) + (impl_->sms ? impl_->sms->pending() : 0);
}

bool Notifier::send_code(const std::string& to, const std::string& account, const std::string& code,
                         const std::string& challenge_id, int valid_seconds) {
    Outgoing message{to,     account,
                     "code", "Your verification code",
                     {},     unix_ms() + std::int64_t{valid_seconds} * 1000};
    std::string text = "Your verification code is " + code +
                       ".\r\n\r\nType it at the kiosk. It works once, for " +
                       minutes_text(valid_seconds) +
                       ".\r\n\r\nIf you did not ask for a code, someone may be trying to use "
                       "your account: tell your IT helpdesk. Nobody from IT will ever ask you "
                       "for this code.\r\n";
    message.text.assign(text);
    secure_wipe(text);
    return impl_->email(std::move(message), [&](DemoMailOutbox& file) {
        return file.send_code(to, account, code, challenge_id);
    });
}

bool Notifier::send_sms_code(const std::string& phone, const std::string& account,
                             const std::string& code, const std::string& challenge_id,
                             int valid_seconds) {
    const auto& channel = impl_->settings.sms_channel;
    if (channel == "off") {
        return false;
    }
    if (channel == "file") {
        const bool written = impl_->sms_file->send_code(phone, account, code, challenge_id);
        impl_->count("sms", written ? "sent" : "failed");
        return written;
    }
    if (!plausible_phone(phone)) {
        spdlog::error("notification: account {} has no usable phone number; code not sent",
                      account);
        impl_->count("sms", "failed");
        return false;
    }
    Outgoing message{phone, account, "code",
                     {},    {},      unix_ms() + std::int64_t{valid_seconds} * 1000};
    std::string text = "Your verification code is " + code + ". It works once, for " +
                       minutes_text(valid_seconds) + ". Nobody from IT will ask you for it.";
    message.text.assign(text);
    secure_wipe(text);
    return impl_->sms->enqueue(std::move(message));
}

bool Notifier::send_notice(const std::string& to, const std::string& account,
                           const std::string& notice, const std::string& reference) {
    std::string subject = "A change to your account";
    std::string what = "A change was made to your account.";
    if (notice == "password_reset") {
        subject = "Your password was changed";
        what = "Your password was changed at a self-service kiosk.";
    } else if (notice == "unlock") {
        subject = "Your account was unlocked";
        what = "Your account was unlocked at a self-service kiosk.";
    } else if (notice == "contact_changed") {
        subject = "Your e-mail address was changed";
        what = "The e-mail address of your account was changed at a self-service kiosk. "
               "Messages now go to the new address.";
    } else if (notice == "phone_changed") {
        subject = "Your phone number was changed";
        what = "The phone number of your account was changed at a self-service kiosk. Codes by "
               "SMS now go to the new number.";
    } else if (notice == "account_activated") {
        subject = "Your account is active";
        what = "Your account was activated at a self-service kiosk.";
    } else if (notice == "offline_request_refused") {
        subject = "A request for your account was refused";
        what = "A request made for your account at a kiosk without a connection was refused: "
               "the new password contained your username. Nothing was changed.";
    } else if (notice == "offline_request_reused") {
        subject = "A request for your account was refused";
        what = "A request made for your account at a kiosk without a connection was refused: "
               "the new password was one you used recently. Nothing was changed.";
    }
    Outgoing message{to, account, "notice " + notice, subject, {}, 0};
    message.text.assign(what + "\r\n\r\nReference: " + reference +
                        "\r\n\r\nIf this was not you, tell your IT helpdesk now and give them "
                        "the reference.\r\n");
    return impl_->email(std::move(message), [&](DemoMailOutbox& file) {
        return file.send_notice(to, account, notice, reference);
    });
}

bool Notifier::send_sms_notice(const std::string& phone, const std::string& account,
                               const std::string& notice, const std::string& reference) {
    const auto& channel = impl_->settings.sms_channel;
    if (channel == "off") {
        return false;
    }
    if (channel == "file") {
        const bool written = impl_->sms_file->send_notice(phone, account, notice, reference);
        impl_->count("sms", written ? "sent" : "failed");
        return written;
    }
    if (!plausible_phone(phone)) {
        spdlog::error("notification: account {} has no usable phone number; notice not sent",
                      account);
        impl_->count("sms", "failed");
        return false;
    }
    Outgoing message{phone, account, "notice " + notice, {}, {}};
    message.text.assign(
        (notice == "phone_changed"
             ? std::string("The phone number of your account was changed at a kiosk; SMS codes "
                           "now go to the new number.")
             : std::string("A change was made to your account at a kiosk.")) +
        " Reference " + reference + ". Not you? Tell your IT helpdesk now.");
    return impl_->sms->enqueue(std::move(message));
}

bool Notifier::send_confirmation(const std::string& to, const std::string& account,
                                 const std::string& kind, const std::string& reference,
                                 const std::string& confirmation_id, const std::string& code,
                                 const std::string& link, const std::string& expires_at) {
    const bool reset = kind == "password_reset";
    Outgoing message{to,
                     account,
                     "confirmation " + kind,
                     reset ? "Confirm your password change" : "Confirm your account unlock",
                     {},
                     0};
    std::string text = std::string(reset ? "A new password was chosen for your account"
                                         : "An unlock of your account was asked for") +
                       " at a kiosk that had no connection. Nothing happens until you confirm "
                       "it.\r\n\r\nConfirmation code: " +
                       code + "\r\nConfirm at: " + link + "\r\nThis works until " + expires_at +
                       ".\r\n\r\nReference: " + reference +
                       "\r\n\r\nIf this was not you, do not confirm: tell your IT helpdesk and "
                       "give them the reference.\r\n";
    message.text.assign(text);
    secure_wipe(text);
    return impl_->email(std::move(message), [&](DemoMailOutbox& file) {
        return file.send_confirmation(to, account, kind, reference, confirmation_id, code, link,
                                      expires_at);
    });
}

} // namespace kiosk::central
