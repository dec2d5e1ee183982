// The demo e-mail outbox: append-only JSON lines, one writer at a time.
#include "kiosk/central/mail_outbox.hpp"

#include "kiosk/central/time_format.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

namespace kiosk::central {

DemoMailOutbox::DemoMailOutbox(std::filesystem::path file) : file_(std::move(file)) {
    std::error_code ignored;
    std::filesystem::create_directories(file_.parent_path(), ignored);
}

bool DemoMailOutbox::send_code(const std::string& to, const std::string& account,
                               const std::string& code, const std::string& challenge_id) {
    const nlohmann::json line = {{"to", to},
                                 {"account", account},
                                 {"code", code},
                                 {"challenge_id", challenge_id},
                                 {"sent_at", rfc3339_utc(unix_now())}};
    return append_line(line.dump());
}

bool DemoMailOutbox::send_notice(const std::string& to, const std::string& account,
                                 const std::string& notice, const std::string& reference) {
    const nlohmann::json line = {{"to", to},
                                 {"account", account},
                                 {"notice", notice},
                                 {"reference", reference},
                                 {"sent_at", rfc3339_utc(unix_now())}};
    return append_line(line.dump());
}

bool DemoMailOutbox::send_confirmation(const std::string& to, const std::string& account,
                                       const std::string& kind, const std::string& reference,
                                       const std::string& confirmation_id, const std::string& code,
                                       const std::string& link, const std::string& expires_at) {
    nlohmann::json line = {{"to", to},
                           {"account", account},
                           {"confirmation", kind},
                           {"reference", reference},
                           {"confirmation_id", confirmation_id},
                           {"code", code},
                           {"link", link},
                           {"expires_at", expires_at},
                           {"sent_at", rfc3339_utc(unix_now())}};
    return append_line(line.dump());
}

bool DemoMailOutbox::append_line(const std::string& json_line) {
    std::lock_guard lock(mutex_);
    std::ofstream out(file_, std::ios::app);
    out << json_line << '\n';
    out.flush();
    return static_cast<bool>(out);
}

} // namespace kiosk::central
