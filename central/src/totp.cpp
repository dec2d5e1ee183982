// RFC 4226 dynamic truncation over HMAC-SHA1/256/512 (OpenSSL), RFC 6238 time steps, and
// RFC 4648 base32 for the secrets that otpauth:// URIs carry.
#include "kiosk/central/totp.hpp"

#include "kiosk/central/store.hpp"
#include "kiosk/common/secret.hpp"

#include <array>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace kiosk::central {
namespace {

const EVP_MD* digest_of(TotpAlgorithm algorithm) {
    switch (algorithm) {
    case TotpAlgorithm::kSha256:
        return EVP_sha256();
    case TotpAlgorithm::kSha512:
        return EVP_sha512();
    case TotpAlgorithm::kSha1:
        break;
    }
    return EVP_sha1();
}

char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

} // namespace

std::optional<TotpAlgorithm> parse_totp_algorithm(std::string_view name) {
    std::string upper_name;
    for (const char c : name) {
        upper_name += upper(c);
    }
    if (upper_name == "SHA1") {
        return TotpAlgorithm::kSha1;
    }
    if (upper_name == "SHA256") {
        return TotpAlgorithm::kSha256;
    }
    if (upper_name == "SHA512") {
        return TotpAlgorithm::kSha512;
    }
    return std::nullopt;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string bytes;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char raw : text) {
        if (raw == '=' || raw == ' ') {
            continue;
        }
        const char c = upper(raw);
        int value = 0;
        if (c >= 'A' && c <= 'Z') {
            value = c - 'A';
        } else if (c >= '2' && c <= '7') {
            value = c - '2' + 26;
        } else {
            secure_wipe(bytes);
            return std::nullopt;
        }
        buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            bytes += static_cast<char>((buffer >> bits) & 0xFFu);
        }
    }
    if (bytes.empty()) {
        return std::nullopt;
    }
    return bytes;
}

std::string hotp(std::string_view key, std::uint64_t counter, int digits, TotpAlgorithm algorithm) {
    if (digits < 6 || digits > 8) {
        throw std::invalid_argument("HOTP digits must be 6 to 8");
    }
    std::array<unsigned char, 8> message{};
    for (int i = 7; i >= 0; --i) {
        message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFFu);
        counter >>= 8;
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    if (HMAC(digest_of(algorithm), key.data(), static_cast<int>(key.size()), message.data(),
             message.size(), mac.data(), &length) == nullptr ||
        length < 20) {
        throw std::runtime_error("HMAC for HOTP failed");
    }
    const unsigned offset = mac[length - 1] & 0x0Fu;
    const auto byte = [&mac, offset](unsigned i) { return std::uint32_t{mac[offset + i]}; };
    const std::uint32_t binary =
        ((byte(0) & 0x7Fu) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
    secure_wipe(mac.data(), mac.size());
    std::uint32_t modulus = 1;
    for (int i = 0; i < digits; ++i) {
        modulus *= 10;
    }
    std::string code = std::to_string(binary % modulus);
    return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::int64_t totp_step(std::int64_t unix_time, const TotpParameters& parameters) {
    return unix_time / parameters.step_seconds; // RFC 6238: T0 = 0, floor division
}

std::string totp(std::string_view key, std::int64_t unix_time, const TotpParameters& parameters) {
    return hotp(key, static_cast<std::uint64_t>(totp_step(unix_time, parameters)),
                parameters.digits, parameters.algorithm);
}

std::optional<std::int64_t> totp_match(std::string_view key, std::string_view code,
                                       std::int64_t unix_time, const TotpParameters& parameters) {
    if (code.size() != static_cast<std::size_t>(parameters.digits)) {
        return std::nullopt;
    }
    const auto now = totp_step(unix_time, parameters);
    std::optional<std::int64_t> matched;
    // Every candidate is computed and compared, so the time taken does not say which matched.
    for (std::int64_t step = now - parameters.drift_steps; step <= now + parameters.drift_steps;
         ++step) {
        if (step < 0) {
            continue;
        }
        std::string expected =
            hotp(key, static_cast<std::uint64_t>(step), parameters.digits, parameters.algorithm);
        if (CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0 && !matched) {
            matched = step;
        }
        secure_wipe(expected);
    }
    return matched;
}

bool accept_account_totp(Store& store, const Account& account, std::string_view code,
                         std::int64_t now) {
    const SecretString secret = store.account_totp_secret(account);
    auto key = base32_decode(secret.str());
    const auto algorithm = parse_totp_algorithm(account.totp_algorithm);
    if (!key || !algorithm || account.totp_digits < 6 || account.totp_digits > 8) {
        spdlog::error("totp: account {} has an unusable TOTP enrolment", account.id);
        return false;
    }
    TotpParameters parameters;
    parameters.algorithm = *algorithm;
    parameters.digits = account.totp_digits;
    const auto step = totp_match(*key, code, now, parameters);
    secure_wipe(*key);
    // The step must be newer than the last one accepted for this account.
    return step && store.advance_totp_step(account.id, *step);
}

} // namespace kiosk::central
