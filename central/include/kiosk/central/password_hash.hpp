// Argon2id password hashing (libargon2) in PHC string form, at OWASP's minimum
// parameters: m = 19 MiB, t = 2, p = 1.
#pragma once

#include <string>
#include <string_view>

namespace kiosk::central {

// A PHC string "$argon2id$v=19$m=19456,t=2,p=1$salt$hash" with a fresh 16-byte salt.
std::string hash_password(std::string_view password);

// True when `password` matches `phc`. False, never an exception, for a malformed `phc`.
bool verify_password(const std::string& phc, std::string_view password);

} // namespace kiosk::central
