// libargon2 behind hash_password/verify_password.
#include "kiosk/central/password_hash.hpp"

#include "kiosk/central/password_policy.hpp"
#include "kiosk/common/secret.hpp"

#include <argon2.h>
#include <array>
#include <openssl/rand.h>
#include <stdexcept>
#include <vector>

namespace kiosk::central {
namespace {

constexpr std::uint32_t kTimeCost = 2;
constexpr std::uint32_t kMemoryKiB = 19 * 1024;
constexpr std::uint32_t kParallelism = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

} // namespace

// Both hash and verify take the password in NFKC (normalise_password), so that the same
// characters typed another way match; for ASCII it changes nothing.
std::string hash_password(std::string_view typed) {
    std::string password = normalise_password(typed);
    struct Wipe {
        std::string& s;
        ~Wipe() { kiosk::secure_wipe(s); }
    } wipe{password};
    std::array<unsigned char, kSaltBytes> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        throw std::runtime_error("no randomness for a password salt");
    }
    const std::size_t encoded_size =
        argon2_encodedlen(kTimeCost, kMemoryKiB, kParallelism, kSaltBytes, kHashBytes, Argon2_id);
    std::vector<char> encoded(encoded_size);
    const int rc =
        argon2id_hash_encoded(kTimeCost, kMemoryKiB, kParallelism, password.data(), password.size(),
                              salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
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

} // namespace kiosk::central
