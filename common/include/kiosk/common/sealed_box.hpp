// Sealed boxes (OpenSSL 3 EVP): the kiosk encrypts a queued request's secrets to the
// central's public X25519 key, with a fresh key pair per message, so a stolen kiosk disk
// reveals nothing and the kiosk itself cannot read back what it queued (it never holds the
// private key). Only the central, with the private key, can open a box.
//
// Construction (version 1), the same shape as libsodium's crypto_box_seal:
//   e, E   = fresh X25519 key pair              R = recipient's public key
//   shared = X25519(e, R)
//   k || n = HKDF-SHA256(ikm = shared, salt = E || R, info = "kiosk sealed box v1"), 32 + 12
//   box    = 0x01 || E || ChaCha20-Poly1305(k, n, aad = 0x01 || E, plaintext) || tag(16)
#pragma once

#include "kiosk/common/secret.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::sealed_box {

constexpr std::size_t kKeySize = 32;           // X25519 public and private keys
constexpr std::size_t kOverhead = 1 + 32 + 16; // version, ephemeral key, tag

struct PublicKey {
    std::array<unsigned char, kKeySize> raw{};
    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

struct KeyPair {
    SecretString private_pem; // PKCS#8 "PRIVATE KEY"; wiped when dropped; the central's only
    std::string public_pem;   // SubjectPublicKeyInfo "PUBLIC KEY"; what kiosks are given
};

// A fresh key pair from the OS CSPRNG. Throws std::runtime_error only if OpenSSL cannot
// make one, which no caller can recover from.
KeyPair generate();

// Public keys in and out: PEM (what `openssl pkey -pubin` reads) and the raw 32 bytes.
// The parsers return nullopt with `error` saying why (not PEM, not X25519, wrong size).
std::optional<PublicKey> parse_public_pem(std::string_view pem, std::string& error);
std::string public_pem(const PublicKey& key);
std::optional<PublicKey> public_key_from_raw(std::string_view raw, std::string& error);

// Private keys in and out (central side only): PEM to and from the raw 32 bytes.
std::optional<SecretString> private_pem_from_raw(const SecretString& raw, std::string& error);
std::optional<SecretString> private_raw(const SecretString& private_pem, std::string& error);
// The public half of a private key, so the central can publish it.
std::optional<PublicKey> public_of_private(const SecretString& private_pem, std::string& error);

// Seals `plaintext` to `recipient`. Two seals of the same plaintext differ. Throws
// std::invalid_argument for a key no box can be sealed to (a low-order point) and
// std::runtime_error if OpenSSL fails; neither happens with a key from generate().
std::string seal(const PublicKey& recipient, std::string_view plaintext);

// Opens a box with the recipient's private key. nullopt (with `error`) when the box was
// altered in any byte, was sealed to another key, is truncated or of an unknown version.
std::optional<SecretString> open(const SecretString& private_pem, std::string_view box,
                                 std::string& error);

} // namespace kiosk::sealed_box
