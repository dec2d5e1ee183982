// TOTP secrets at rest: AES-256-GCM under a 32-byte key in DATA_DIR/totp.key, so a copy of
// central.db alone (a backup, a stolen disk image) does not give out authenticator secrets.
//
// Stored form (version 1): "v1:" + base64(nonce(12) || ciphertext || tag(16)), with the
// owner ("account:<id>" or "activation:<account id>") as associated data, so a value copied
// to another row does not open.
#pragma once

#include "kiosk/common/secret.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::central::totp_key {

constexpr std::size_t kKeySize = 32;
constexpr std::string_view kPrefix = "v1:";

// Reads `file`, or creates it (0600, from the OS CSPRNG) when it does not exist. nullopt
// with `error` saying why when it is readable by group/others, has the wrong size or cannot
// be read or written.
std::optional<SecretString> load_or_create(const std::filesystem::path& file, std::string& error);

// Associated data naming the row a secret belongs to.
std::string account_owner(std::int64_t account_id);
std::string activation_owner(std::int64_t account_id);

// True for a value in a stored form this build knows (it says nothing of the key).
bool is_sealed(std::string_view stored);

// Encrypts `plaintext` with a fresh random nonce. Throws std::runtime_error if OpenSSL
// fails (no randomness), which no caller can recover from.
std::string seal(const SecretString& key, std::string_view plaintext, std::string_view owner);

// Decrypts a stored value. nullopt with `error` when it is not "v1:" (e.g. a clear secret
// left behind), not base64, truncated, altered, of another owner or sealed under another key.
std::optional<SecretString> open(const SecretString& key, std::string_view stored,
                                 std::string_view owner, std::string& error);

} // namespace kiosk::central::totp_key
