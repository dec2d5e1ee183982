// Ed25519 keys and signatures (OpenSSL 3 EVP): admins sign configuration with keys the
// central never holds, and kiosks verify against public keys they were given. PEM in and
// out (PKCS#8 private, SubjectPublicKeyInfo public), the forms `openssl pkey` reads.
#pragma once

#include "kiosk/common/secret.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::ed25519 {

constexpr std::size_t kPublicKeySize = 32;
constexpr std::size_t kSignatureSize = 64;

struct PublicKey {
    std::array<unsigned char, kPublicKeySize> raw{};
    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

struct KeyPair {
    SecretString private_pem; // PKCS#8 "PRIVATE KEY"; wiped when dropped
    std::string public_pem;   // SubjectPublicKeyInfo "PUBLIC KEY"
};

// A fresh key pair from the OS CSPRNG. Throws std::runtime_error only if OpenSSL cannot
// make one (no entropy), which no caller can recover from.
KeyPair generate();

// Parses a PEM public key. `error` says why when it returns nullopt (not PEM, not Ed25519).
std::optional<PublicKey> parse_public_pem(std::string_view pem, std::string& error);

// The PEM form of a public key (what parse_public_pem reads back).
std::string public_pem(const PublicKey& key);

// Signs `message` (raw bytes, no pre-hash) with a PEM private key. Returns the 64-byte
// signature, or nullopt with `error` set when the key is not an Ed25519 private key.
std::optional<std::string> sign(const SecretString& private_pem, std::string_view message,
                                std::string& error);

// The public half of a PEM private key, so a signer can say which key it used.
std::optional<PublicKey> public_of_private(const SecretString& private_pem, std::string& error);

// True only when `signature` is a valid Ed25519 signature of `message` under `key`.
bool verify(const PublicKey& key, std::string_view message, std::string_view signature);

} // namespace kiosk::ed25519
