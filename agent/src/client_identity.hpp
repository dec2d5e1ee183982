// The kiosk's side of its client certificate: a key pair made on the kiosk and a certificate
// request for it (PKCS#10, CN = kiosk ID), with OpenSSL 3. Private to agent/.
#pragma once

#include "kiosk/common/secret.hpp"

#include <string>

namespace kiosk::agent {

struct KeyAndRequest {
    SecretString private_key_pem; // PKCS#8 PEM; never leaves the kiosk
    std::string request_pem;      // what the central signs
};

// A new EC P-256 key and a request signed with it whose subject is CN=`kiosk_id`. Throws
// std::runtime_error when OpenSSL fails.
KeyAndRequest make_key_and_request(const std::string& kiosk_id);

// Whether `certificate_pem` is a certificate for the public half of `private_key_pem`.
bool certificate_matches_key(const std::string& certificate_pem,
                             const SecretString& private_key_pem);

} // namespace kiosk::agent
