// DemoMailOutbox: the file channel of the Notifier (notifier.hpp), for the demo and tests —
// one JSON object per line in DATA_DIR/outbox/email.jsonl (or sms.jsonl for SMS codes, "to"
// then being the phone number) — so that a person or a test can read the code.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

namespace kiosk::central {

class DemoMailOutbox {
public:
    explicit DemoMailOutbox(std::filesystem::path file);

    // Appends {"to","account","code","challenge_id","sent_at"}. Returns false when the file
    // cannot be written (the caller logs it; the user still gets the same answer).
    bool send_code(const std::string& to, const std::string& account, const std::string& code,
                   const std::string& challenge_id);

    // Appends {"to","account","notice","reference","sent_at"}: tells the owner that
    // `notice` ("password_reset", "unlock") happened, with the receipt's reference.
    bool send_notice(const std::string& to, const std::string& account, const std::string& notice,
                     const std::string& reference);

    // Appends {"to","account","confirmation","reference","confirmation_id","code","link",
    // "expires_at","sent_at"}: asks the owner to confirm an offline request (`kind`
    // "password_reset"/"unlock") with the single-use `code`, here or at `link`.
    bool send_confirmation(const std::string& to, const std::string& account,
                           const std::string& kind, const std::string& reference,
                           const std::string& confirmation_id, const std::string& code,
                           const std::string& link, const std::string& expires_at);

private:
    // Appends one JSON object as a line; false when it could not be written.
    bool append_line(const std::string& json_line);

    std::filesystem::path file_;
    std::mutex mutex_;
};

} // namespace kiosk::central
