// The network half of the Notifier: one SMTP submission and one HTTP(S) POST through
// libcurl, each on a fresh handle. Private to central/src.
#pragma once

#include "kiosk/central/notifier.hpp"

#include <string>

namespace kiosk::central::transport {

struct Result {
    bool delivered = false;
    bool worth_retrying = true; // false: the peer refused the message itself (a 4xx)
    std::string why;            // for the log: libcurl's reason or the status, never content
};

// Submits `payload` (a complete RFC 5322 message with CRLF line ends) to `to` through the
// relay. TLS is required (STARTTLS for smtp://) unless settings.starttls_required is off.
Result send_smtp(const SmtpSettings& settings, const SecretString& password, const std::string& to,
                 const std::string& payload);

// POSTs `body` (JSON) to the gateway with the auth header (when a token is set); 2xx is
// delivered, 408/429/5xx and network errors are worth retrying, other answers are not.
Result post_json(const SmsSettings& settings, const SecretString& token, const std::string& body);

// libcurl's process-wide set-up, for as long as a Notifier lives.
bool global_init();
void global_cleanup();

} // namespace kiosk::central::transport
