// libargon2 behind hash_password/verify_password.
#include "kiosk/central/password_hash.hpp"

#include "kiosk/central/password_policy.hpp"
#include "kiosk/common/secret.hpp"

#include <argon2.h>
#include <array>
#include <openssl/rand.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::central {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

} // namespace

// Both hash and verify take the password in NFKC (normalise_password), so that the same
// characters typed another way match; for ASCII it changes nothing.
std::string hash_password(std::string_view typed) {
    return hash_password(typed, Argon2Parameters{});
}

std::string hash_password(std::string_view typed, const Argon2Parameters& parameters) {
    const std::uint32_t t = parameters.time_cost;
    const std::uint32_t m = parameters.memory_kib;
    const std::uint32_t p = parameters.parallelism;
    std::string password = normalise_password(typed);
    struct Wipe {
        std::string& s;
        ~Wipe() { kiosk::secure_wipe(s); }
    } wipe{password};
    std::array<unsigned char, kSaltBytes> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        throw std::runtime_error("no randomness for a password salt");
    }
    const std::size_t encoded_size = argon2_encodedlen(t, m, p, kSaltBytes, kHashBytes, Argon2_id);
    std::vector<char> encoded(encoded_size);
    const int rc = argon2id_hash_encoded(t, m, p, password.data(), password.size(), salt.data(),
                                         salt.size(), kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        throw std::runtime_error(std::string("argon2id failed: ") + argon2_error_message(rc));
    }
    return std::string(encoded.data());
}

bool verify_password(const std::string& phc, std::string_view typed) {
    std::string password = normalise_password(typed);
    const bool ok = argon2id_verify(phc.c_str(), password.data(), password.size()) == ARGON2_OK;
    kiosk::secure_wipe(password);
    return ok;
}

// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>": everything before the salt names the
// algorithm, its version and m/t/p, so a hash is current exactly when that prefix is
// today's; argon2i, v=16, other parameters or a string that is no PHC at all are stale.
bool needs_rehash(std::string_view phc) {
    const Argon2Parameters current;
    const std::string expected = "$argon2id$v=" + std::to_string(ARGON2_VERSION_NUMBER) +
                                 "$m=" + std::to_string(current.memory_kib) +
                                 ",t=" + std::to_string(current.time_cost) +
                                 ",p=" + std::to_string(current.parallelism) + "$";
    return !phc.starts_with(expected);
}

} // namespace kiosk::central
