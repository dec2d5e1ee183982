// Argon2id password hashing (libargon2) in PHC string form, at OWASP's minimum
// parameters: m = 19 MiB, t = 2, p = 1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kiosk::central {

struct Argon2Parameters {
    std::uint32_t memory_kib = 19 * 1024;
    std::uint32_t time_cost = 2;
    std::uint32_t parallelism = 1;
};

// A PHC string "$argon2id$v=19$m=19456,t=2,p=1$salt$hash" with a fresh 16-byte salt, at
// the current parameters (or `parameters`: tests make hashes of an older setting with it).
std::string hash_password(std::string_view password);
std::string hash_password(std::string_view password, const Argon2Parameters& parameters);

// True when `password` matches `phc`. False, never an exception, for a malformed `phc`.
bool verify_password(const std::string& phc, std::string_view password);

// True when `phc` was not made by hash_password as it is now: another algorithm or
// version, other m/t/p, or a string that does not parse. Sign-in rehashes such a hash
// once the password has been verified (the only time the central has it).
bool needs_rehash(std::string_view phc);

} // namespace kiosk::central
